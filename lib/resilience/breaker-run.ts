import type { BreakerRecord, CircuitBreakerOptions } from './breaker-state.js';

/**
 * The run of consecutive failures, counted across a fleet whose containers see the shared record up
 * to `stateCacheMs` late: pure rules, no I/O.
 *
 * A container writes a fast success only when its view shows a run of two failures or more that the
 * success ends (see `breaker-tally.ts`, `RUN_WORTH_ENDING`); the healthy path writes nothing. Its
 * view can be late, so failures other containers wrote since it last read are invisible to it, and
 * the success that should end them is held in memory instead. Two rules keep such runs from opening
 * a healthy provider's breaker:
 *
 * - **Refutation.** The run is stored as the times of its failures (`runFailures`), so a success
 *   can end exactly the failures that came before it. A container remembers its latest fast
 *   success; whenever a fresh read shows failures of a run from before that success, it writes one
 *   conditional update that removes them (`planRefutation`). Only fresh reads: a view from memory
 *   may show a run another container has refuted since, and the write would be wasted.
 * - **Confirmation.** A run that reaches the threshold is only suspect: it opens the breaker once it
 *   has stood unrefuted for `runConfirmMs` after the failure that completed it, the time a container
 *   that holds an earlier success needs to read the run and refute it. Meanwhile every container that
 *   sees the suspect run holds its calls (fails fast, as if open, without a transition), so a real
 *   outage costs at most one more call per container than the threshold, and the first container to
 *   decide after the confirmation time opens the breaker with the one conditional write that makes
 *   the transition.
 *
 * Failure times come from different clocks. Two calls closer together than the clocks disagree have
 * no knowable order, so a success refutes a failure stamped up to `CLOCK_TOLERANCE_MS` after it (the
 * doubt goes to the provider), except the failures its own container knows came after it.
 * The cost: after a healthy stretch, an outage's first failures within that tolerance of the last
 * success are not counted, so it opens a few calls later; the failure-rate rule does not depend on
 * clocks and still counts them.
 */

/** How far any container's clock may be from true time (hosts keep NTP or Amazon Time Sync). */
export const MAX_CLOCK_SKEW_MS = 200;

/** How far apart two containers' clocks may be: the span within which their calls have no order. */
export const CLOCK_TOLERANCE_MS = 2 * MAX_CLOCK_SKEW_MS;

/**
 * How long a run at the threshold must stand unrefuted before it opens the breaker: a container that
 * holds an earlier success reads afresh at its first request after its view is `stateCacheMs` old,
 * and a serving container gets one within another `stateCacheMs` (one request a second); the clock
 * tolerance covers the difference between the clocks that stamped the run and that judge it.
 */
export function runConfirmMs(options: Pick<CircuitBreakerOptions, 'stateCacheMs'>): number {
  return 2 * options.stateCacheMs + CLOCK_TOLERANCE_MS;
}

/** The record with its run replaced, and the fields read from the run set to match. */
export function withRun(record: BreakerRecord, runFailures: readonly number[]): BreakerRecord {
  return {
    ...record,
    runFailures: [...runFailures],
    consecutiveFailures: runFailures.length,
    lastFailureAt: runFailures.length === 0 ? undefined : Math.max(...runFailures),
  };
}

/**
 * When a closed breaker's run became suspect: the time of the failure that brought it to the
 * threshold (the run is in the order the failures were applied); undefined below the threshold.
 */
export function suspectSince(
  record: BreakerRecord,
  options: Pick<CircuitBreakerOptions, 'failureThreshold'>,
): number | undefined {
  if (record.state !== 'CLOSED') return undefined;
  return record.runFailures[options.failureThreshold - 1];
}

/** When a run that became suspect at `failedAt` (`suspectSince`) has stood long enough to open the breaker. */
export function runStandsAt(failedAt: number, options: Pick<CircuitBreakerOptions, 'stateCacheMs'>): number {
  // Failure times carry a fraction of a millisecond only to tell them apart (see `CircuitBreaker`).
  return Math.floor(failedAt) + runConfirmMs(options);
}

/**
 * Whether a failure is one the deciding container recorded itself after its success: its own clock
 * orders those exactly, so no tolerance applies to them.
 */
export type KnownLater = (failedAt: number) => boolean;

/** Whether a success at `successAt` ended a failure at `failedAt`: see the clock rule above. */
export function endedBy(failedAt: number, successAt: number, knownLater: KnownLater): boolean {
  return !knownLater(failedAt) && failedAt <= successAt + CLOCK_TOLERANCE_MS;
}

/**
 * The shortest run a success writes to end. A lone failure is left standing: ending it would cost a
 * write per failure (from every container that sees it), and alone it is far from any threshold; the
 * next failure makes the run worth ending. A threshold below this lowers it.
 */
export const RUN_WORTH_ENDING = 2;

/** Whether a run is long enough that a success that ended part of it writes so. */
export function worthEnding(
  record: BreakerRecord,
  options: Pick<CircuitBreakerOptions, 'failureThreshold'>,
): boolean {
  return record.runFailures.length >= Math.min(RUN_WORTH_ENDING, options.failureThreshold);
}

/** A conditional replacement of the stored run: it applies only if the run is still `seen`. */
export interface RunReplacement {
  kind: 'replace';
  seen: number[];
  next: number[];
}

/**
 * What a success at `successAt` does to the run `record` shows: the failures it ended removed, and
 * `after` (its own permit's failures since the success) added; null when it ends none of them.
 */
export function replaceRun(
  record: BreakerRecord,
  successAt: number,
  after: readonly number[],
  knownLater: KnownLater,
): RunReplacement | null {
  const standing = record.runFailures.filter((failedAt) => !endedBy(failedAt, successAt, knownLater));
  if (standing.length === record.runFailures.length) return null;
  return { kind: 'replace', seen: record.runFailures, next: [...standing, ...after] };
}
