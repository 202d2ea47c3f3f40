import { randomUUID } from 'node:crypto';
import type { WireAnswer } from './wire.js';

/**
 * A lagging replica, made deterministic: an eventually consistent read answers the OLDEST answer the same
 * read (same operation, same request) got within the last `lagMs` of the proxy's clock, which is what a
 * replica up to `lagMs` behind may answer at worst. Consecutive equal answers are kept as one run (first
 * and last time seen), so memory grows with the number of distinct states, not of reads.
 */

interface Run {
  answer: WireAnswer;
  firstAt: number;
  lastAt: number;
}

// Reads nobody repeats would otherwise stay forever: every so many records, drop what is past the lag.
const SWEEP_EVERY = 1000;

export class ReplicaHistory {
  readonly #reads = new Map<string, Run[]>();
  #recordsSinceSweep = 0;

  /**
   * Records the answer DynamoDB Local (always current) gave to a read and returns what the lagging replica
   * answers: the oldest answer within the lag, and whether it differs from the current one.
   */
  answer(
    identity: string,
    current: WireAnswer,
    now: number,
    lagMs: number,
  ): { answer: WireAnswer; stale: boolean } {
    if (lagMs <= 0) return { answer: current, stale: false };
    this.#sweepNow(now, lagMs);
    // A run from the clock's future (a test's new clock started earlier) says nothing about now.
    const runs = (this.#reads.get(identity) ?? []).filter(
      (run) => run.lastAt >= now - lagMs && run.firstAt <= now,
    );
    const latest = runs.at(-1);
    if (latest && latest.answer.status === current.status && latest.answer.body.equals(current.body)) {
      latest.lastAt = Math.max(latest.lastAt, now);
    } else {
      runs.push({ answer: current, firstAt: now, lastAt: now });
    }
    this.#reads.set(identity, runs);
    const oldest = runs[0];
    if (!oldest || oldest === runs.at(-1)) return { answer: current, stale: false };
    const replayed = {
      ...oldest.answer,
      headers: { ...oldest.answer.headers, 'x-amzn-requestid': randomUUID() },
    };
    return { answer: replayed, stale: !oldest.answer.body.equals(current.body) };
  }

  /** Forgets every recorded read (the replica has caught up). */
  clear(): void {
    this.#reads.clear();
  }

  #sweepNow(now: number, lagMs: number): void {
    this.#recordsSinceSweep += 1;
    if (this.#recordsSinceSweep < SWEEP_EVERY) return;
    this.#recordsSinceSweep = 0;
    for (const [identity, runs] of this.#reads) {
      const live = runs.filter((run) => run.lastAt >= now - lagMs);
      if (live.length === 0) this.#reads.delete(identity);
      else this.#reads.set(identity, live);
    }
  }
}

/** A read's identity: the operation and its request with object keys in a canonical order. */
export function readIdentity(operation: string, request: unknown): string {
  return `${operation} ${canonicalJson(request)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
