import { randomUUID } from 'node:crypto';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { suspectSince } from './breaker-run.js';
import {
  type Admission,
  admit,
  type BreakerRecord,
  type BreakerState,
  type CircuitBreakerOptions,
  closedRecord,
  isSlow,
  nextChanceInMs,
  openTimeoutMs,
  rateTripReason,
} from './breaker-state.js';
import type { BreakerStore, ProbeLease, WriteOutcome } from './breaker-store.js';
import {
  type CallTally,
  couldTrip,
  EMPTY_TALLY,
  type HeldSuccesses,
  hasBadCalls,
  holdSuccesses,
  planCount,
  planRefutation,
  tallyCall,
} from './breaker-tally.js';
import { reportTransition, settle } from './breaker-transition.js';
import type { BreakerView } from './breaker-view.js';

export { type CircuitBreakerOptions, DEFAULT_BREAKER_OPTIONS } from './breaker-state.js';

/** How often a count may find the record moved under it before giving up (each round is one write). */
const MAX_COUNT_RACES = 5;

/**
 * A call's permission to reach the provider, handed back with its outcome. A `probe` permit is the one
 * call HALF_OPEN lets through; it carries the version and open count its lease was granted under, so
 * a failed probe can re-open with the escalated timeout without another read.
 */
export type BreakerPermit =
  | { readonly circuit: string; readonly kind: 'closed' }
  | {
      readonly circuit: string;
      readonly kind: 'probe';
      readonly probeId: string;
      readonly version: number;
      readonly openCount: number;
    };

/**
 * Whether a call may go to the provider; when not, how long until the breaker may let one through.
 * `CLOSED` when refused: the container holds calls while a suspect run awaits confirmation.
 */
export type BreakerDecision =
  | { allowed: true; permit: BreakerPermit }
  | { allowed: false; state: BreakerState; retryAfterMs: number };

/**
 * What a breaker needs; `now` is epoch ms, injected so tests drive time. `view` is this container's
 * view of the breakers, shared with its `BreakerOperator`.
 */
export interface CircuitBreakerDeps {
  store: BreakerStore;
  view: BreakerView;
  metrics: Pick<DataLayerMetrics, 'breakerTransition' | 'breakerStoreError'>;
  logger: DomainLogger;
  now: () => number;
  options: CircuitBreakerOptions;
}

const allow = (circuit: string): BreakerDecision => ({ allowed: true, permit: { circuit, kind: 'closed' } });

/**
 * The decision after a race for a transition, won or lost, from the record as it now stands: allowed
 * or refused as it says, else `stillClaimable` (the record still looks claimable: no second race in one call).
 */
function afterRace(admission: Admission, circuit: string, stillClaimable: BreakerDecision): BreakerDecision {
  if (admission.kind === 'allow') return allow(circuit);
  if (admission.kind === 'reject')
    return { allowed: false, state: admission.state, retryAfterMs: admission.retryAfterMs };
  return stillClaimable;
}

/**
 * A circuit breaker per provider whose state every Lambda container shares through DynamoDB.
 *
 * - Decisions read every breaker in one Query, reused for `stateCacheMs`: at most one read per request
 *   (`BreakerView`, which this container's `BreakerOperator` shares for overrides and descriptions).
 * - A permit is one request's use of one provider. Its calls are recorded as they end
 *   (`recordSuccess`, `recordFailure`, with their duration: a slow call counts against the provider
 *   even when it succeeds) and written when it is `release`d, or at once when they could open the
 *   breaker. Before each retry, `mayRetry` re-checks the breaker.
 * - Failures and slow calls count fleet-wide (atomic updates); successes write only when they change
 *   a decision (see `breaker-tally.ts`), so the healthy path writes nothing and a background of
 *   isolated failures costs about one write each, plus the success that ends each one's run.
 * - A run of consecutive failures is refuted by any container holding a later success, and opens the
 *   breaker only once it has stood long enough for that (see `breaker-run.ts`); the containers that
 *   see such a suspect run hold their calls meanwhile.
 * - Each transition is a conditional write on the version read: exactly one container wins it, and
 *   only the winner emits `circuit_breaker_state_changes_total` and logs it.
 * - One probe at a time in HALF_OPEN, under a lease that expires, so a crashed probe cannot wedge it.
 * - Results that arrive after the state moved on (a late success while OPEN) fail their conditions.
 * - DynamoDB faults fail open: the call is allowed, the fault counted and logged, never thrown.
 */
export class CircuitBreaker {
  /** What each live permit's calls told the breaker and is not written yet. */
  readonly #tallies = new WeakMap<BreakerPermit, CallTally>();
  /** Fast successes of the current window this container has not written, per circuit. */
  readonly #held = new Map<string, HeldSuccesses>();
  /** When this container's latest fast success happened, per circuit: what it can refute a run with. */
  readonly #latestSuccess = new Map<string, number>();
  /** The failures this container recorded since that success, per circuit: no doubt of their order. */
  readonly #failuresSinceSuccess = new Map<string, number[]>();

  constructor(private readonly deps: CircuitBreakerDeps) {}

  /** Whether a call to `circuit` may go ahead now. */
  async acquire(circuit: string): Promise<BreakerDecision> {
    if (!this.deps.options.enabled) return allow(circuit);
    const now = this.deps.now();
    const read = await this.deps.view.read(now);
    if (read.error !== undefined) this.#storeFailed(circuit, 'read', read.error);
    if (!read.records) return allow(circuit);
    const stored = read.records.get(circuit) ?? closedRecord(circuit);
    // Only a fresh read refutes: a view from memory may show a run that another container has
    // refuted since, and a write on it would be wasted (see `breaker-run.ts`).
    const record = read.fresh ? await this.#refute(stored, now) : stored;
    const admission = admit(record, now, this.deps.options);
    switch (admission.kind) {
      case 'allow':
        return allow(circuit);
      case 'reject':
        return { allowed: false, state: admission.state, retryAfterMs: admission.retryAfterMs };
      case 'try-open':
        return this.#tryOpen(record, admission.failedAt, now);
      case 'try-half-open':
      case 'try-probe-lease':
        return this.#tryProbe(record, now, admission.kind);
    }
  }

  /** A call made under the permit succeeded after `ms` (slow when at least `slowCallMs`). */
  async recordSuccess(permit: BreakerPermit, ms = 0): Promise<void> {
    await this.#record(permit, { failed: false, ms });
  }

  /** A call made under the permit failed, after `ms`, in a way that speaks of the provider's health. */
  async recordFailure(permit: BreakerPermit, ms = 0): Promise<void> {
    await this.#record(permit, { failed: true, ms });
  }

  /**
   * A call made under the permit timed out on the request's own deadline, shorter than the provider's
   * timeout, after `ms`. Shorter than a slow call, it says nothing of the provider: the request just had
   * little time left. As long as a slow call or longer, it is what a hung provider looks like under
   * the chain's deadline shares (19 s ÷ 5 providers = 3.8 s, under the 5 s provider timeout): a timeout
   * like any other, failed and slow (resilience4j: a provider that slow is sick whatever cut it off).
   */
  async recordCutShort(permit: BreakerPermit, ms: number): Promise<void> {
    if (isSlow(ms, this.deps.options)) await this.#record(permit, { failed: true, ms });
  }

  /**
   * Whether the permit may make another call: never for a probe (a probe is one call), and for a
   * closed permit only while this container's view of the breaker (at most `stateCacheMs` old) still
   * lets calls through. Fails open when the state cannot be read.
   */
  async mayRetry(permit: BreakerPermit): Promise<boolean> {
    if (!this.deps.options.enabled) return true;
    if (permit.kind === 'probe') return false;
    const read = await this.deps.view.read(this.deps.now());
    if (read.error !== undefined) this.#storeFailed(permit.circuit, 'read', read.error);
    const record = read.records?.get(permit.circuit);
    // A suspect run holds calls: no retry either, until it is refuted.
    return (
      record === undefined ||
      (record.state === 'CLOSED' && suspectSince(record, this.deps.options) === undefined)
    );
  }

  /**
   * The permit's calls are over: what they told the breaker and it has not written yet is written
   * now, when it changes a decision (see `breaker-tally.ts`). Every permit is released once.
   */
  async release(permit: BreakerPermit): Promise<void> {
    const tally = this.#tallies.get(permit);
    this.#tallies.delete(permit);
    if (!this.deps.options.enabled || permit.kind === 'probe' || tally === undefined) return;
    try {
      await this.#count(permit.circuit, tally, this.deps.now());
    } catch (error) {
      this.#storeFailed(permit.circuit, 'count', error);
    }
  }

  /**
   * Whole seconds (at least 1) until the earliest of the named breakers may let a call through: an
   * OPEN breaker's probe time or a HALF_OPEN breaker's lease end; for a 503's `Retry-After`.
   * Undefined when none is scheduled (all closed, forced open, or the state cannot be read).
   */
  async retryAfterSeconds(circuits: readonly string[]): Promise<number | undefined> {
    if (!this.deps.options.enabled) return undefined;
    const now = this.deps.now();
    const read = await this.deps.view.read(now);
    if (read.error !== undefined)
      for (const circuit of circuits) this.#storeFailed(circuit, 'read', read.error);
    const records = read.records;
    if (!records) return undefined;
    const waits = circuits.flatMap((name) => {
      const record = records.get(name);
      const wait = record && nextChanceInMs(record, now);
      return wait === undefined ? [] : [wait];
    });
    return waits.length === 0 ? undefined : Math.max(1, Math.ceil(Math.min(...waits) / 1000));
  }

  /**
   * A run this container sees that a success it holds ended (in part): one conditional write removes
   * those failures, so the run cannot open the breaker. Returns the record as it now knows it.
   */
  async #refute(record: BreakerRecord, now: number): Promise<BreakerRecord> {
    const successAt = this.#latestSuccess.get(record.circuit);
    if (successAt === undefined) return record;
    let known = record;
    for (let round = 0; round < MAX_COUNT_RACES; round++) {
      const plan = planRefutation(known, successAt, now, this.#knownLater(record.circuit), this.deps.options);
      if (plan === null) return known;
      try {
        const outcome = await this.deps.store.count(record.circuit, plan);
        if (outcome.won) {
          this.deps.view.remember(outcome.record);
          return outcome.record;
        }
        this.deps.view.remember(outcome.current);
        known = outcome.current;
      } catch (error) {
        this.#storeFailed(record.circuit, 'refute', error);
        return known;
      }
    }
    return known;
  }

  /** A suspect run that has stood unrefuted: race to open the breaker; everyone is then rejected. */
  async #tryOpen(record: BreakerRecord, failedAt: number, now: number): Promise<BreakerDecision> {
    const { options, store } = this.deps;
    let outcome: WriteOutcome;
    try {
      outcome = await store.open(
        record.circuit,
        { state: 'CLOSED', version: record.version, run: { index: options.failureThreshold - 1, failedAt } },
        { now, openUntil: now + openTimeoutMs(record.openCount, options), openCount: record.openCount + 1 },
      );
    } catch (error) {
      this.#storeFailed(record.circuit, 'open', error);
      return allow(record.circuit);
    }
    settle(this.deps, 'CLOSED', outcome, 'consecutive failures threshold crossed and stood unrefuted');
    const current = outcome.won ? outcome.record : outcome.current;
    return afterRace(admit(current, now, options), record.circuit, {
      allowed: false,
      state: current.state,
      retryAfterMs: options.stateCacheMs,
    });
  }

  /** OPEN past its timeout, or HALF_OPEN with a free lease: race for the probe; losers are rejected. */
  async #tryProbe(
    record: BreakerRecord,
    now: number,
    kind: 'try-half-open' | 'try-probe-lease',
  ): Promise<BreakerDecision> {
    const lease: ProbeLease = {
      now,
      probeId: randomUUID(),
      leaseUntil: now + this.deps.options.probeLeaseMs,
    };
    let outcome: WriteOutcome;
    try {
      outcome =
        kind === 'try-half-open'
          ? await this.deps.store.beginHalfOpen(record, lease)
          : await this.deps.store.takeProbeLease(record, lease);
    } catch (error) {
      this.#storeFailed(record.circuit, 'probe', error);
      return allow(record.circuit);
    }
    if (!outcome.won) {
      this.deps.view.remember(outcome.current);
      // Still claimable means another container moved it and moved on.
      return afterRace(admit(outcome.current, now, this.deps.options), record.circuit, {
        allowed: false,
        state: 'HALF_OPEN',
        retryAfterMs: this.deps.options.probeLeaseMs,
      });
    }
    this.deps.view.remember(outcome.record);
    if (kind === 'try-half-open')
      reportTransition(this.deps, 'OPEN', outcome.record, 'recovery timeout elapsed');
    const { circuit, version, openCount } = outcome.record;
    return { allowed: true, permit: { circuit, kind: 'probe', probeId: lease.probeId, version, openCount } };
  }

  async #record(permit: BreakerPermit, call: { failed: boolean; ms: number }): Promise<void> {
    if (!this.deps.options.enabled) return;
    const now = this.deps.now();
    try {
      if (permit.kind === 'probe') {
        // A slow probe is no sign of recovery: it re-opens the breaker like a failed one.
        if (call.failed || isSlow(call.ms, this.deps.options)) await this.#probeFailed(permit, now);
        else await this.#probeSucceeded(permit.circuit, permit.probeId, now);
        return;
      }
      // A failure's time carries a random fraction of a millisecond: containers on synced clocks fail in
      // the same millisecond, and the run must tell their failures apart (see `breaker-run.ts`).
      const at = call.failed ? now + Math.random() : now;
      this.#noteOwn(permit.circuit, call, at);
      const tally = tallyCall(this.#tallies.get(permit) ?? EMPTY_TALLY, { ...call, at }, this.deps.options);
      const known = this.deps.view.lastKnown(permit.circuit);
      const knownLater = this.#knownLater(permit.circuit);
      const judged = this.#withLatestSuccess(permit.circuit, tally);
      if (couldTrip(known, judged, this.#held.get(permit.circuit), now, this.deps.options, knownLater)) {
        // Written at once, so this permit's next retry and every other container find the breaker open.
        this.#tallies.delete(permit);
        await this.#count(permit.circuit, tally, now);
      } else {
        this.#tallies.set(permit, tally);
      }
    } catch (error) {
      this.#storeFailed(permit.circuit, call.failed ? 'record-failure' : 'record-success', error);
    }
  }

  /**
   * Writes a closed permit's tally when it changes a decision, else holds its successes; then opens
   * the breaker when the counts written cross a threshold. A lost condition replans from the record
   * it returns; a breaker no longer closed takes nothing (its late results do not count).
   */
  async #count(circuit: string, tally: CallTally, now: number): Promise<void> {
    const { options, store } = this.deps;
    let known = this.deps.view.lastKnown(circuit);
    for (let round = 0; round < MAX_COUNT_RACES; round++) {
      if (known.state !== 'CLOSED') {
        this.#held.delete(circuit);
        return;
      }
      const held = this.#held.get(circuit);
      const plan = planCount(
        known,
        this.#withLatestSuccess(circuit, tally),
        held,
        now,
        options,
        this.#knownLater(circuit),
      );
      if (plan === null) {
        this.#setHeld(circuit, holdSuccesses(known, tally, held, now, options));
        return;
      }
      const outcome = await store.count(circuit, plan);
      if (!outcome.won) {
        this.deps.view.remember(outcome.current);
        known = outcome.current;
        continue;
      }
      // Whatever was held went into this write, or belonged to a window that has just been replaced.
      this.#held.delete(circuit);
      this.deps.view.remember(outcome.record);
      // A run at the threshold only becomes suspect here: it opens once it stands (see `#tryOpen`).
      const reason = hasBadCalls(tally) ? rateTripReason(outcome.record, options) : undefined;
      if (reason === undefined) return;
      const opened = await store.open(
        circuit,
        { state: 'CLOSED', version: outcome.record.version },
        {
          now,
          openUntil: now + openTimeoutMs(outcome.record.openCount, options),
          openCount: outcome.record.openCount + 1,
        },
      );
      settle(this.deps, 'CLOSED', opened, `${reason} threshold crossed`);
      return;
    }
    throw new Error(`breaker ${circuit}: the record kept moving for ${MAX_COUNT_RACES} rounds`);
  }

  /** Keeps the latest fast success and the failures since it, this container's evidence about runs. */
  #noteOwn(circuit: string, call: { failed: boolean; ms: number }, at: number): void {
    if (call.failed) {
      const since = this.#failuresSinceSuccess.get(circuit) ?? [];
      // Only the latest few matter: a run needs no more than the threshold to be decided.
      this.#failuresSinceSuccess.set(circuit, [...since, at].slice(-2 * this.deps.options.failureThreshold));
    } else if (!isSlow(call.ms, this.deps.options)) {
      this.#latestSuccess.set(circuit, Math.max(at, this.#latestSuccess.get(circuit) ?? at));
      this.#failuresSinceSuccess.delete(circuit);
    }
  }

  /**
   * The tally as evidence about the run: a permit without a fast success of its own carries the
   * container's latest one, from an earlier request. Its failures came after that success, so a
   * failure's write ends the run the success refutes and starts a new one, in the write it makes
   * anyway: without it a lone failure, which no success writes to end (`RUN_WORTH_ENDING`), would
   * stand until the next failure made a run of two that every container's success then writes to end.
   */
  #withLatestSuccess(circuit: string, tally: CallTally): CallTally {
    const latest = this.#latestSuccess.get(circuit);
    return tally.successAt !== undefined || latest === undefined ? tally : { ...tally, successAt: latest };
  }

  #knownLater(circuit: string): (failedAt: number) => boolean {
    const since = this.#failuresSinceSuccess.get(circuit) ?? [];
    return (failedAt) => since.includes(failedAt);
  }

  #setHeld(circuit: string, held: HeldSuccesses | undefined): void {
    if (held === undefined) this.#held.delete(circuit);
    else this.#held.set(circuit, held);
  }

  async #probeSucceeded(circuit: string, probeId: string, now: number): Promise<void> {
    const counted = await this.deps.store.countProbeSuccess(circuit, probeId, now);
    if (!counted.won) {
      // The lease expired and another call holds it now: this result no longer speaks for the breaker.
      this.deps.view.remember(counted.current);
      return;
    }
    this.deps.view.remember(counted.record);
    if (counted.record.halfOpenSuccesses < this.deps.options.successThreshold) return;
    const closed = await this.deps.store.close(counted.record, now);
    settle(this.deps, 'HALF_OPEN', closed, 'probes succeeded');
  }

  async #probeFailed(permit: Extract<BreakerPermit, { kind: 'probe' }>, now: number): Promise<void> {
    const opened = await this.deps.store.open(
      permit.circuit,
      { state: 'HALF_OPEN', version: permit.version, probeOwner: permit.probeId },
      {
        now,
        openUntil: now + openTimeoutMs(permit.openCount, this.deps.options),
        openCount: permit.openCount + 1,
      },
    );
    settle(this.deps, 'HALF_OPEN', opened, 'probe failed');
  }

  #storeFailed(circuit: string, operation: string, error: unknown): void {
    this.deps.metrics.breakerStoreError(circuit);
    this.deps.logger.warn('circuit breaker store failed; failing open', {
      circuit,
      operation,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}
