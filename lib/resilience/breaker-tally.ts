import { type KnownLater, type RunReplacement, replaceRun, withRun, worthEnding } from './breaker-run.js';
import {
  type BreakerRecord,
  type CircuitBreakerOptions,
  isSlow,
  isWindowCurrent,
  shouldTrip,
} from './breaker-state.js';

/**
 * What a container writes to a closed breaker's shared record, and when: pure rules, no I/O.
 *
 * Writes happen only where they change a decision:
 * - a permit (one request's use of one provider: its first attempt and its retries) writes its
 *   failures and slow calls once, when it is released, in one atomic update; or at once, when they
 *   could open the breaker, so the permit's next retry and every other container see it open;
 * - a fast success writes only when it ends failures of a run on record worth ending (two failures
 *   or more: once, as the write removes them from the container's view too; see `breaker-run.ts`
 *   for runs the view shows late), or when
 *   the rate window could trip within `RATE_RISK_MARGIN` more bad calls (`rateAtRisk`) and its
 *   successes would count against that;
 * - otherwise a success is held in the container's memory (`HeldSuccesses`) and added to the window
 *   by the container's next write, which costs nothing extra.
 *
 * The trade-off: successes a container holds are missing from the shared window until it writes. A
 * container that stops getting requests takes them with it, so the failure and slow-call rates are
 * judged over fewer successes than happened: the error is always toward opening, never toward
 * keeping a failing provider in use, and it only matters once the window is near a threshold, where
 * every container that still serves requests flushes what it holds.
 */

/**
 * How many more bad calls, with no success written, may stand between the stored window and a rate
 * trip before containers holding successes write them: the bad calls the fleet could record before
 * a container that serves requests writes again. A handful: within it, a window of 10 calls at a
 * 1 % error rate is never at risk, and one near a threshold is flushed by the next success anywhere.
 */
export const RATE_RISK_MARGIN = 5;

/** What one permit's calls have told the breaker and not yet written. */
export interface CallTally {
  /** Calls that spoke of the provider's health: successes, slow or not, and failures. */
  calls: number;
  failures: number;
  /** Calls at least `slowCallMs` long, failed or not. */
  slowCalls: number;
  /** When the latest fast success happened: it ended any run of failures recorded before it. */
  successAt?: number;
  /** The times of the failures since `successAt` (all of them when there is none): the run this permit leaves. */
  runFailures: number[];
}

/** A permit's tally before its first call. */
export const EMPTY_TALLY: CallTally = { calls: 0, failures: 0, slowCalls: 0, runFailures: [] };

/**
 * The tally after one more call. A slow success is no evidence of health: it neither ends a run of
 * failures nor extends it, but it counts toward the slow-call rate.
 */
export function tallyCall(
  tally: CallTally,
  call: { failed: boolean; ms: number; at: number },
  options: Pick<CircuitBreakerOptions, 'slowCallMs'>,
): CallTally {
  const slow = isSlow(call.ms, options);
  const next: CallTally = {
    ...tally,
    calls: tally.calls + 1,
    failures: tally.failures + (call.failed ? 1 : 0),
    slowCalls: tally.slowCalls + (slow ? 1 : 0),
  };
  if (call.failed) next.runFailures = [...tally.runFailures, call.at];
  else if (!slow) {
    next.successAt = call.at;
    next.runFailures = [];
  }
  return next;
}

/** Whether the tally holds a failure or a slow call: something the rates and the run must see. */
export function hasBadCalls(tally: CallTally): boolean {
  return tally.failures > 0 || tally.slowCalls > 0;
}

/** Fast successes a container holds in memory for the window that started at `windowStart`. */
export interface HeldSuccesses {
  windowStart: number;
  successes: number;
}

/**
 * One conditional update of a closed breaker's counts. Each part names the fact about the stored
 * record it assumed, and the write is conditional on those facts; when one no longer holds, the
 * loser replans from the record the failed condition returns.
 */
export interface CountPlan {
  now: number;
  /**
   * `add`: to the window that started at `start` (the write checks it still did); `restart`: a new
   * window from `now` (the write checks the stored one started at or before `lapsedAt`);
   * `none`: the window is left alone.
   */
  window: { kind: 'add'; start: number } | { kind: 'restart'; lapsedAt: number } | { kind: 'none' };
  /** What goes into the window (0 with `none`). */
  calls: number;
  failures: number;
  slowCalls: number;
  /**
   * `replace`: our success ended failures of the run we saw, so the run becomes `next`, if it is
   * still `seen`; `append`: these failures join the run (none: the run is left alone).
   */
  run: RunReplacement | { kind: 'append'; failures: number[] };
}

/**
 * The write a permit's tally needs against the record the container knows, with the successes it
 * holds for the current window; `null` when nothing needs writing (the tally's successes are then
 * held, see `holdSuccesses`).
 */
export function planCount(
  record: BreakerRecord,
  tally: CallTally,
  held: HeldSuccesses | undefined,
  now: number,
  options: Pick<
    CircuitBreakerOptions,
    'windowMs' | 'failureThreshold' | 'failureRateThreshold' | 'slowCallRateThreshold' | 'minimumCalls'
  >,
  knownLater: KnownLater = () => false,
): CountPlan | null {
  if (tally.calls === 0) return null;
  const current = isWindowCurrent(record, now, options.windowMs) ? record.windowStart : undefined;
  const heldHere = current !== undefined && held?.windowStart === current ? held.successes : 0;
  const run = planRun(record, tally, knownLater);
  if (!hasBadCalls(tally)) {
    const endsRun = run.kind === 'replace' && worthEnding(record, options);
    const atRisk = current !== undefined && rateAtRisk(record, options);
    if (!endsRun && !atRisk) return null;
    return {
      now,
      window: current === undefined ? { kind: 'none' } : { kind: 'add', start: current },
      calls: current === undefined ? 0 : tally.calls + heldHere,
      failures: 0,
      slowCalls: 0,
      run: endsRun ? run : { kind: 'append', failures: [] },
    };
  }
  return {
    now,
    window:
      current === undefined
        ? { kind: 'restart', lapsedAt: now - options.windowMs }
        : { kind: 'add', start: current },
    // Held successes belong to the window they were held for: a new window starts with this permit's calls.
    calls: tally.calls + heldHere,
    failures: tally.failures,
    slowCalls: tally.slowCalls,
    run,
  };
}

/**
 * The run a tally leaves: when a fast success of ours ended failures of the run we see, that run
 * without them and with ours since the success; otherwise ours join the run.
 */
function planRun(record: BreakerRecord, tally: CallTally, knownLater: KnownLater): CountPlan['run'] {
  const replaced =
    tally.successAt === undefined ? null : replaceRun(record, tally.successAt, tally.runFailures, knownLater);
  return replaced ?? { kind: 'append', failures: tally.runFailures };
}

/**
 * The write that refutes the run a container sees with a success it holds (`successAt`, its latest
 * fast one): null when the success ended none of the run's failures.
 */
export function planRefutation(
  record: BreakerRecord,
  successAt: number,
  now: number,
  knownLater: KnownLater,
  options: Pick<CircuitBreakerOptions, 'failureThreshold'>,
): CountPlan | null {
  if (record.state !== 'CLOSED' || !worthEnding(record, options)) return null;
  const run = replaceRun(record, successAt, [], knownLater);
  if (run === null) return null;
  return { now, window: { kind: 'none' }, calls: 0, failures: 0, slowCalls: 0, run };
}

/** The successes a container holds after a tally that needed no write (none outside a window). */
export function holdSuccesses(
  record: BreakerRecord,
  tally: CallTally,
  held: HeldSuccesses | undefined,
  now: number,
  options: Pick<CircuitBreakerOptions, 'windowMs'>,
): HeldSuccesses | undefined {
  if (!isWindowCurrent(record, now, options.windowMs) || record.windowStart === undefined) return undefined;
  const before = held?.windowStart === record.windowStart ? held.successes : 0;
  return { windowStart: record.windowStart, successes: before + tally.calls };
}

/** What the record becomes when the plan's write succeeds: the store's update, as a value. */
export function applyPlan(record: BreakerRecord, plan: CountPlan): BreakerRecord {
  const next: BreakerRecord = { ...record, updatedAt: plan.now };
  if (plan.window.kind === 'add') {
    next.windowCalls += plan.calls;
    next.windowFailures += plan.failures;
    next.windowSlowCalls += plan.slowCalls;
  } else if (plan.window.kind === 'restart') {
    next.windowStart = plan.now;
    next.windowCalls = plan.calls;
    next.windowFailures = plan.failures;
    next.windowSlowCalls = plan.slowCalls;
  }
  const run = plan.run.kind === 'replace' ? plan.run.next : [...record.runFailures, ...plan.run.failures];
  return withRun(next, run);
}

/**
 * Whether writing the tally now could open the breaker, judged on the record the container knows:
 * then it is written at once instead of when the permit is released.
 */
export function couldTrip(
  record: BreakerRecord,
  tally: CallTally,
  held: HeldSuccesses | undefined,
  now: number,
  options: Parameters<typeof planCount>[4],
  knownLater?: KnownLater,
): boolean {
  if (!hasBadCalls(tally)) return false;
  const plan = planCount(record, tally, held, now, options, knownLater);
  return plan !== null && shouldTrip(applyPlan(record, plan), options);
}

/**
 * Whether the current window is within `RATE_RISK_MARGIN` bad calls of tripping a rate, counting
 * only what is stored: the margin in which successes held in memory could change the decision.
 */
export function rateAtRisk(
  record: BreakerRecord,
  options: Pick<CircuitBreakerOptions, 'failureRateThreshold' | 'slowCallRateThreshold' | 'minimumCalls'>,
): boolean {
  const toTrip = (bad: number, rate: number) =>
    badCallsToTrip(bad, record.windowCalls, rate, options.minimumCalls);
  const nearest = Math.min(
    toTrip(record.windowFailures, options.failureRateThreshold),
    toTrip(record.windowSlowCalls, options.slowCallRateThreshold),
  );
  return nearest <= RATE_RISK_MARGIN;
}

/**
 * The fewest further calls, all bad, after which `bad / calls` reaches `rate` over at least
 * `minimumCalls` calls; `Infinity` when no number of them can.
 */
export function badCallsToTrip(bad: number, calls: number, rate: number, minimumCalls: number): number {
  const forMinimum = Math.max(1, minimumCalls - calls);
  if (rate >= 1) return bad >= calls ? forMinimum : Number.POSITIVE_INFINITY;
  // (bad + k) / (calls + k) ≥ rate  ⇔  k ≥ (rate·calls − bad) / (1 − rate); the epsilon absorbs float noise.
  const forRate = Math.ceil((rate * calls - bad) / (1 - rate) - 1e-9);
  return Math.max(forMinimum, forRate);
}
