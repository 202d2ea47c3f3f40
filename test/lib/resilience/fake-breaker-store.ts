import { vi } from 'vitest';
import { BreakerOperator } from '../../../lib/resilience/breaker-operator.js';
import {
  type BreakerOverride,
  type BreakerRecord,
  type CircuitBreakerOptions,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import type {
  BreakerStore,
  OpenFrom,
  ProbeLease,
  WriteOutcome,
} from '../../../lib/resilience/breaker-store.js';
import { applyPlan, type CountPlan } from '../../../lib/resilience/breaker-tally.js';
import { BreakerView } from '../../../lib/resilience/breaker-view.js';
import { CircuitBreaker } from '../../../lib/resilience/circuit-breaker.js';

/** A DynamoDB fault, as a scripted call throws it. */
export const FAULT = new Error('ProvisionedThroughputExceededException');

/**
 * One container's breakers on a `FakeBreakerStore`, as `createDataLayer` wires them (decisions and
 * operator sharing one view), on a fake clock that starts at the machine's time. The metrics and the
 * logger are spies; `stored` puts a record for `fmp` in the store, as another container would.
 */
export function breakerContainer(options: CircuitBreakerOptions = DEFAULT_BREAKER_OPTIONS) {
  let now = Date.now();
  const store = new FakeBreakerStore();
  const metrics = { breakerTransition: vi.fn(), breakerStoreError: vi.fn() };
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const deps = {
    store: store.asStore(),
    view: new BreakerView(store, options.stateCacheMs),
    metrics,
    logger,
    now: () => now,
    options,
  };
  return {
    breaker: new CircuitBreaker(deps),
    operator: new BreakerOperator(deps),
    store,
    metrics,
    logger,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    stored: (record: Partial<BreakerRecord>) =>
      store.records.set('fmp', { ...closedRecord('fmp'), ...record }),
  };
}

/** The store's methods, by name: what `sent` lists and `script` takes. */
export type BreakerCall = keyof BreakerStore;

/**
 * What a scripted call does instead: lose its race to the record another container's write left
 * (which then stands in the store), or throw a DynamoDB fault.
 */
type Scripted = { lose: BreakerRecord } | { fault: Error };

/** Whether the facts a count plan assumed still hold on the stored record: the condition of the store's `count`. */
function countHolds(record: BreakerRecord, plan: CountPlan): boolean {
  if (record.state !== 'CLOSED') return false;
  const { window, run } = plan;
  if (window.kind === 'add' && record.windowStart !== window.start) return false;
  if (window.kind === 'restart' && record.windowStart !== undefined && record.windowStart > window.lapsedAt)
    return false;
  return run.kind !== 'replace' || sameRun(record.runFailures, run.seen);
}

const sameRun = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((failedAt, i) => failedAt === b[i]);

/**
 * `BreakerStore`'s contract in memory, for the breaker's unit tests. Each write applies the condition
 * and the change its doc comment in `breaker-store.ts` states (a `change` returning undefined is the
 * condition failing: a lost race with the record as it stands), so a breaker that sends a write on a
 * stale version or state loses here as it would on DynamoDB. A test scripts a race (another
 * container's write landing between this container's read and its write) or a fault.
 *
 * Not modelled: the write tokens that make a retried write idempotent, and how the conditions are
 * spelled as expressions. Those are the store's business: its requests and its reading of DynamoDB's
 * answers are pinned in breaker-store-writes.test.ts, and the races run on DynamoDB Local in
 * test/integration/circuit-breaker.test.ts.
 */
export class FakeBreakerStore implements Pick<BreakerStore, BreakerCall> {
  readonly records = new Map<string, BreakerRecord>();
  /** Every call the breaker made, in order. */
  readonly sent: BreakerCall[] = [];
  readonly #scripted = new Map<BreakerCall, Scripted[]>();

  /** The next calls of `call` do these instead, in order. */
  script(call: BreakerCall, ...outcomes: Scripted[]): void {
    this.#scripted.set(call, [...(this.#scripted.get(call) ?? []), ...outcomes]);
  }

  /** The stored record; a breaker never written is closed, as the store reads it. */
  current(circuit: string): BreakerRecord {
    return this.records.get(circuit) ?? closedRecord(circuit);
  }

  /** Typed as the store the breaker takes (the class has private members, so only a cast gets there). */
  asStore(): BreakerStore {
    return this as unknown as BreakerStore;
  }

  async readAll(): Promise<Map<string, BreakerRecord>> {
    this.#take('readAll');
    return new Map([...this.records].map(([circuit, record]) => [circuit, { ...record }]));
  }

  async read(circuit: string): Promise<BreakerRecord> {
    this.#take('read');
    return { ...this.current(circuit) };
  }

  count(circuit: string, plan: CountPlan): Promise<WriteOutcome> {
    return this.#write('count', circuit, (record) =>
      countHolds(record, plan) ? applyPlan(record, plan) : undefined,
    );
  }

  open(circuit: string, from: OpenFrom, to: { now: number; openUntil: number; openCount: number }) {
    return this.#write('open', circuit, (record) => {
      if (record.version !== from.version || record.state !== from.state) return undefined;
      if (from.state === 'HALF_OPEN' && record.probeOwner !== from.probeOwner) return undefined;
      if (from.state === 'CLOSED' && from.run && record.runFailures[from.run.index] !== from.run.failedAt)
        return undefined;
      return {
        ...record,
        state: 'OPEN',
        version: record.version + 1,
        openedAt: to.now,
        openUntil: to.openUntil,
        openCount: to.openCount,
        halfOpenSuccesses: 0,
        forcedOpen: false,
        probeOwner: undefined,
        probeLeaseUntil: undefined,
        updatedAt: to.now,
      };
    });
  }

  beginHalfOpen(from: BreakerRecord, lease: ProbeLease): Promise<WriteOutcome> {
    return this.#write('beginHalfOpen', from.circuit, (record) =>
      record.version !== from.version ||
      record.state !== 'OPEN' ||
      (record.openUntil ?? lease.now) > lease.now ||
      record.forcedOpen
        ? undefined
        : {
            ...record,
            state: 'HALF_OPEN',
            version: record.version + 1,
            probeOwner: lease.probeId,
            probeLeaseUntil: lease.leaseUntil,
            halfOpenSuccesses: 0,
            updatedAt: lease.now,
          },
    );
  }

  takeProbeLease(from: BreakerRecord, lease: ProbeLease): Promise<WriteOutcome> {
    return this.#write('takeProbeLease', from.circuit, (record) =>
      record.version !== from.version ||
      record.state !== 'HALF_OPEN' ||
      record.probeOwner !== from.probeOwner ||
      (record.probeLeaseUntil ?? lease.now) > lease.now
        ? undefined
        : { ...record, probeOwner: lease.probeId, probeLeaseUntil: lease.leaseUntil, updatedAt: lease.now },
    );
  }

  countProbeSuccess(circuit: string, probeId: string, now: number): Promise<WriteOutcome> {
    return this.#write('countProbeSuccess', circuit, (record) =>
      record.state !== 'HALF_OPEN' || record.probeOwner !== probeId
        ? undefined
        : {
            ...record,
            halfOpenSuccesses: record.halfOpenSuccesses + 1,
            probeOwner: undefined,
            probeLeaseUntil: undefined,
            updatedAt: now,
          },
    );
  }

  close(from: BreakerRecord, now: number): Promise<WriteOutcome> {
    return this.#write('close', from.circuit, (record) =>
      record.version !== from.version || record.state !== 'HALF_OPEN' ? undefined : closed(record, now),
    );
  }

  override(from: BreakerRecord, override: BreakerOverride): Promise<WriteOutcome> {
    return this.#write('override', from.circuit, (record) => {
      if (record.version !== from.version) return undefined;
      if (override.action === 'reset') return { ...closed(record, override.at), lastOverride: override };
      return {
        ...record,
        state: 'OPEN',
        version: record.version + 1,
        forcedOpen: true,
        openedAt: override.at,
        openUntil: undefined,
        halfOpenSuccesses: 0,
        probeOwner: undefined,
        probeLeaseUntil: undefined,
        lastOverride: override,
        updatedAt: override.at,
      };
    });
  }

  async #write(
    call: BreakerCall,
    circuit: string,
    change: (record: BreakerRecord) => BreakerRecord | undefined,
  ): Promise<WriteOutcome> {
    const scripted = this.#take(call);
    if (scripted && 'lose' in scripted) {
      this.records.set(circuit, scripted.lose);
      return { won: false, current: { ...scripted.lose } };
    }
    const next = change(this.current(circuit));
    if (next === undefined) return { won: false, current: { ...this.current(circuit) } };
    this.records.set(circuit, next);
    return { won: true, record: { ...next } };
  }

  #take(call: BreakerCall): Scripted | undefined {
    this.sent.push(call);
    const scripted = this.#scripted.get(call)?.shift();
    if (scripted && 'fault' in scripted) throw scripted.fault;
    return scripted;
  }
}

/** What closing leaves (the store's `CLOSE`): every count cleared, the version moved on, the last override kept. */
function closed(record: BreakerRecord, now: number): BreakerRecord {
  return {
    ...closedRecord(record.circuit),
    version: record.version + 1,
    lastOverride: record.lastOverride,
    updatedAt: now,
  };
}
