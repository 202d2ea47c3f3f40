import { runStandsAt, suspectSince } from './breaker-run.js';

/**
 * The circuit breaker's shared state and the pure rules over it: no I/O, so every threshold and
 * timeout rule is unit-tested without DynamoDB. `breaker-store.ts` persists a `BreakerRecord`;
 * `circuit-breaker.ts` applies these rules to decide which conditional write to attempt.
 */

/** The three states of a circuit breaker, as stored and as the state-change metric names them. */
export const BREAKER_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;

export type BreakerState = (typeof BREAKER_STATES)[number];

/** How a breaker behaves. Every duration is in milliseconds. */
export interface CircuitBreakerOptions {
  /** `CIRCUIT_BREAKER_ENABLED`: false = always allow, never read or write DynamoDB. */
  enabled: boolean;
  /** `CIRCUIT_BREAKER_FAILURE_THRESHOLD`: consecutive failures, counted fleet-wide, that open the breaker. */
  failureThreshold: number;
  /** Opens when `windowFailures / windowCalls` reaches this share... */
  failureRateThreshold: number;
  /**
   * `CIRCUIT_BREAKER_SLOW_CALL_SECONDS`: a call that takes at least this long is slow, even when it
   * succeeds (resilience4j's `slowCallDurationThreshold`). See `DEFAULT_SLOW_CALL_MS` for the default.
   */
  slowCallMs: number;
  /** `CIRCUIT_BREAKER_SLOW_CALL_RATE`: ...or when `windowSlowCalls / windowCalls` reaches this share... */
  slowCallRateThreshold: number;
  /** ...and the window has seen at least this many calls. */
  minimumCalls: number;
  /** The rate window, opened by its first failure or slow call. */
  windowMs: number;
  /** `CIRCUIT_BREAKER_RECOVERY_TIMEOUT`: how long OPEN lasts before one probe is let through. */
  recoveryTimeoutMs: number;
  /** The cap on the escalated timeout: each re-open after a failed probe doubles it. */
  maxRecoveryTimeoutMs: number;
  /** Probe successes in HALF_OPEN that close the breaker. */
  successThreshold: number;
  /** How long a probe owns HALF_OPEN: a probe whose container died loses it, so the breaker cannot wedge. */
  probeLeaseMs: number;
  /** How long one read of every breaker serves a container's decisions; 0 = read on every decision. */
  stateCacheMs: number;
}

/**
 * The default slow-call threshold: 3 s. It must sit below the smallest share of a request's deadline
 * that one provider gets, or a provider that answers just inside its share would never count as slow:
 * the deadline is 19 s (a route function's 20 s timeout less the 1 s answer margin, under API
 * Gateway's 29 s) and the longest default provider chain has five providers (quotes, daily history,
 * company, search), so the first provider's attempts get 19 s ÷ 5 = 3.8 s at most, under the 5 s
 * `PROVIDER_TIMEOUT_SECONDS`. 3 s leaves room for the cache read and key lease before the first call
 * and is still several times a healthy provider's answer time, so a healthy provider is never slow.
 */
export const DEFAULT_SLOW_CALL_MS = 3_000;

/** The defaults behind the platform's `CIRCUIT_BREAKER_*` settings. */
export const DEFAULT_BREAKER_OPTIONS: CircuitBreakerOptions = {
  enabled: true,
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  slowCallMs: DEFAULT_SLOW_CALL_MS,
  // resilience4j defaults to 100 %: a provider slow on nine calls in ten would keep costing most
  // requests 3 s of their deadline. Half, as for failures: a provider slow on half its calls is sick.
  slowCallRateThreshold: 0.5,
  minimumCalls: 10,
  windowMs: 60_000,
  recoveryTimeoutMs: 60_000,
  maxRecoveryTimeoutMs: 600_000,
  successThreshold: 2,
  probeLeaseMs: 15_000,
  stateCacheMs: 1_000,
};

export const OVERRIDE_ACTIONS = ['reset', 'force-open'] as const;

/** An operator's manual override, kept on the breaker for audit. */
export interface BreakerOverride {
  action: (typeof OVERRIDE_ACTIONS)[number];
  actor: string;
  /** Epoch ms. */
  at: number;
}

/**
 * One circuit's state as shared by every container (times in epoch ms).
 *
 * Calls are counted in the rate window only from the window's first failure or slow call on: the
 * window opens at such a call and lapses `windowMs` later. Counting every call would cost a DynamoDB
 * write per healthy request; the rates are judged over the calls that followed the first bad one,
 * which is where they matter. Even inside a window, successes are written only when they change a
 * decision (see `planCount`).
 */
export interface BreakerRecord {
  circuit: string;
  state: BreakerState;
  /** +1 on every transition; every transition is a write conditional on the version read. */
  version: number;
  /**
   * The run of failures no success is known to have ended: each failure's time on its container's
   * clock, in the order DynamoDB applied them (see `breaker-run.ts`). The stored list; the two
   * fields after it are read from it.
   */
  runFailures: number[];
  /** `runFailures.length`. */
  consecutiveFailures: number;
  windowStart?: number;
  windowCalls: number;
  windowFailures: number;
  /** Calls of the window at least `slowCallMs` long, failed or not. */
  windowSlowCalls: number;
  /** The latest time in `runFailures`; absent when the run is 0. */
  lastFailureAt?: number;
  openedAt?: number;
  /** When OPEN: the earliest time a probe may be let through. */
  openUntil?: number;
  /** Opens since the breaker last closed; drives the escalation of the recovery timeout. */
  openCount: number;
  /** When HALF_OPEN: the permit id of the call probing the provider, and until when it may. */
  probeOwner?: string;
  probeLeaseUntil?: number;
  halfOpenSuccesses: number;
  /** Opened by an operator: no automatic probe until an operator resets it. */
  forcedOpen: boolean;
  lastOverride?: BreakerOverride;
  updatedAt?: number;
}

/** What a breaker with no stored item is: closed, with nothing counted. */
export function closedRecord(circuit: string): BreakerRecord {
  return {
    circuit,
    state: 'CLOSED',
    version: 0,
    runFailures: [],
    consecutiveFailures: 0,
    windowCalls: 0,
    windowFailures: 0,
    windowSlowCalls: 0,
    openCount: 0,
    halfOpenSuccesses: 0,
    forcedOpen: false,
  };
}

/** Whether the failure-rate window started within the last `windowMs`. */
export function isWindowCurrent(record: BreakerRecord, now: number, windowMs: number): boolean {
  return record.windowStart !== undefined && record.windowStart > now - windowMs;
}

/** Whether a call that took `ms` is slow. */
export function isSlow(ms: number, options: Pick<CircuitBreakerOptions, 'slowCallMs'>): boolean {
  return ms >= options.slowCallMs;
}

type TripOptions = Pick<
  CircuitBreakerOptions,
  'failureThreshold' | 'failureRateThreshold' | 'slowCallRateThreshold' | 'minimumCalls'
>;

/**
 * Which threshold counts just written (read back atomically) cross, if any. A run at the threshold
 * is only suspect until it stands (see `breaker-run.ts`); the rates open the breaker at once.
 */
export function tripReason(
  record: BreakerRecord,
  options: TripOptions,
): 'consecutive failures' | 'failure rate' | 'slow-call rate' | undefined {
  if (record.consecutiveFailures >= options.failureThreshold) return 'consecutive failures';
  return rateTripReason(record, options);
}

/** Which rate the window's counts cross, if any. */
export function rateTripReason(
  record: BreakerRecord,
  options: Omit<TripOptions, 'failureThreshold'>,
): 'failure rate' | 'slow-call rate' | undefined {
  if (record.windowCalls < options.minimumCalls) return undefined;
  if (record.windowFailures / record.windowCalls >= options.failureRateThreshold) return 'failure rate';
  if (record.windowSlowCalls / record.windowCalls >= options.slowCallRateThreshold) return 'slow-call rate';
  return undefined;
}

/** Whether counts just written cross a threshold: the run, the failure rate or the slow-call rate. */
export function shouldTrip(record: BreakerRecord, options: TripOptions): boolean {
  return tripReason(record, options) !== undefined;
}

/**
 * How long the breaker stays OPEN when it opens for the `openCount`-th time since it last closed
 * (counting from 0): `min(recoveryTimeout · 2^openCount, maxRecoveryTimeout)`. A provider that keeps
 * failing its probes is probed less and less often.
 */
export function openTimeoutMs(
  openCount: number,
  options: Pick<CircuitBreakerOptions, 'recoveryTimeoutMs' | 'maxRecoveryTimeoutMs'>,
): number {
  return Math.min(options.recoveryTimeoutMs * 2 ** openCount, options.maxRecoveryTimeoutMs);
}

/** What a caller may do, judged from the state it read. The `try-` kinds race a conditional write. */
export type Admission =
  | { kind: 'allow' }
  /** `CLOSED`: calls are held while a suspect run awaits confirmation (see `breaker-run.ts`). */
  | { kind: 'reject'; state: BreakerState; retryAfterMs: number }
  /**
   * CLOSED with a run that has stood unrefuted: whoever wins CLOSED→OPEN reports it. `failedAt` is
   * the failure that brought the run to the threshold: the write is conditional on it still standing.
   */
  | { kind: 'try-open'; failedAt: number }
  /** OPEN past `openUntil`: whoever wins OPEN→HALF_OPEN probes. */
  | { kind: 'try-half-open' }
  /** HALF_OPEN with no live lease (released after a probe succeeded, or expired): whoever wins it probes. */
  | { kind: 'try-probe-lease' };

/** The admission rule for one call against a breaker's state at `now`. */
export function admit(
  record: BreakerRecord,
  now: number,
  options: Pick<CircuitBreakerOptions, 'recoveryTimeoutMs' | 'failureThreshold' | 'stateCacheMs'>,
): Admission {
  switch (record.state) {
    case 'CLOSED': {
      const failedAt = suspectSince(record, options);
      if (failedAt === undefined) return { kind: 'allow' };
      const standsAt = runStandsAt(failedAt, options);
      if (now >= standsAt) return { kind: 'try-open', failedAt };
      return { kind: 'reject', state: 'CLOSED', retryAfterMs: standsAt - now };
    }
    case 'OPEN':
      // A forced-open breaker has no probe time: suggest the usual recovery timeout as the retry hint.
      if (record.forcedOpen)
        return { kind: 'reject', state: 'OPEN', retryAfterMs: options.recoveryTimeoutMs };
      if (record.openUntil !== undefined && now < record.openUntil) {
        return { kind: 'reject', state: 'OPEN', retryAfterMs: record.openUntil - now };
      }
      return { kind: 'try-half-open' };
    case 'HALF_OPEN':
      if (record.probeLeaseUntil !== undefined && now < record.probeLeaseUntil) {
        return { kind: 'reject', state: 'HALF_OPEN', retryAfterMs: record.probeLeaseUntil - now };
      }
      return { kind: 'try-probe-lease' };
  }
}

/**
 * When a rejected call is worth retrying (ms from `now`), or undefined when nothing is scheduled:
 * an OPEN breaker's probe time, or a HALF_OPEN breaker's lease end. A forced-open breaker has none.
 */
export function nextChanceInMs(record: BreakerRecord, now: number): number | undefined {
  if (record.state === 'OPEN' && !record.forcedOpen && record.openUntil !== undefined) {
    return Math.max(0, record.openUntil - now);
  }
  if (record.state === 'HALF_OPEN' && record.probeLeaseUntil !== undefined) {
    return Math.max(0, record.probeLeaseUntil - now);
  }
  return undefined;
}
