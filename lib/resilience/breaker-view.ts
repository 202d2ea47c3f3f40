import { type BreakerRecord, closedRecord } from './breaker-state.js';
import type { BreakerStore } from './breaker-store.js';

/**
 * Every breaker's record as read; `records` is null when the read failed (`error` says why).
 * `fresh`: read from DynamoDB for this call (or one running alongside it), not from memory.
 */
export type ViewRead = { records: Map<string, BreakerRecord> | null; fresh?: boolean; error?: unknown };

/**
 * This container's view of every breaker's shared record. Its decisions (`CircuitBreaker`) and its
 * operator's actions (`BreakerOperator`) share it, so an override made here counts here at once.
 * - One Query reads every breaker; it is reused for `stateCacheMs` and shared by concurrent callers.
 * - A failed read is remembered like one: an outage costs one failed call per period, not per request.
 * - Every record this container writes, or is shown by a failed condition, is folded in.
 */
export class BreakerView {
  #snapshot: { readAt: number; records: Map<string, BreakerRecord> | null } | undefined;
  #reading: Promise<ViewRead> | undefined;

  constructor(
    private readonly store: Pick<BreakerStore, 'readAll'>,
    private readonly stateCacheMs: number,
  ) {}

  /** Every breaker's record: from memory while fresh, else one Query shared by concurrent callers. Never throws. */
  async read(now: number): Promise<ViewRead> {
    const cached = this.#snapshot;
    if (cached && now - cached.readAt < this.stateCacheMs) return { records: cached.records };
    this.#reading ??= this.#query(now).finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** A read for operators, never from memory; it refreshes the view, and its failure is thrown. */
  async readAfresh(now: number): Promise<Map<string, BreakerRecord>> {
    const records = await this.store.readAll();
    this.#snapshot = { readAt: now, records };
    return records;
  }

  /** The last record this container saw, however old: recording an outcome never costs a read. */
  lastKnown(circuit: string): BreakerRecord {
    return this.#snapshot?.records?.get(circuit) ?? closedRecord(circuit);
  }

  /** Folds a record this container wrote or was shown by a failed condition into the view. */
  remember(record: BreakerRecord): void {
    const records = this.#snapshot?.records;
    if (!records) return;
    const known = records.get(record.circuit);
    // Concurrent writes may resolve out of order: never replace a later version with an earlier one.
    if (!known || record.version >= known.version) records.set(record.circuit, record);
  }

  async #query(now: number): Promise<ViewRead> {
    try {
      return { records: await this.readAfresh(now), fresh: true };
    } catch (error) {
      this.#snapshot = { readAt: now, records: null };
      return { records: null, error };
    }
  }
}
