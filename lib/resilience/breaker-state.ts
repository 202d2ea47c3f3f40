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
  /** ...and the window has seen at least this many calls. */
  minimumCalls: number;
  /** The failure-rate window, opened by its first failure. */
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

/** The defaults behind the platform's `CIRCUIT_BREAKER_*` settings. */
export const DEFAULT_BREAKER_OPTIONS: CircuitBreakerOptions = {
  enabled: true,
  failureThreshold: 5,
  failureRateThreshold: 0.5,
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
 * Calls are counted in the failure-rate window only from the window's first failure on: the window
 * opens at a failure and lapses `windowMs` later. Counting every call would cost a DynamoDB write per
 * healthy request; this way a success writes only while failures are on record, and the rate is
 * judged over the calls that followed the first failure, which is where it matters.
 */
export interface BreakerRecord {
  circuit: string;
  state: BreakerState;
  /** +1 on every transition; every transition is a write conditional on the version read. */
  version: number;
  consecutiveFailures: number;
  windowStart?: number;
  windowCalls: number;
  windowFailures: number;
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
    consecutiveFailures: 0,
    windowCalls: 0,
    windowFailures: 0,
    openCount: 0,
    halfOpenSuccesses: 0,
    forcedOpen: false,
  };
}

/** Whether the failure-rate window started within the last `windowMs`. */
export function isWindowCurrent(record: BreakerRecord, now: number, windowMs: number): boolean {
  return record.windowStart !== undefined && record.windowStart > now - windowMs;
}

/**
 * Whether a success has anything to write: a closed breaker with no consecutive failures and no
 * failure in a current window is healthy, and its successes cost no write.
 */
export function hasFailuresOnRecord(record: BreakerRecord, now: number, windowMs: number): boolean {
  if (record.state !== 'CLOSED') return false;
  return (
    record.consecutiveFailures > 0 || (record.windowFailures > 0 && isWindowCurrent(record, now, windowMs))
  );
}

/** Whether counts just written (read back atomically) cross either threshold. */
export function shouldTrip(
  record: BreakerRecord,
  options: Pick<CircuitBreakerOptions, 'failureThreshold' | 'failureRateThreshold' | 'minimumCalls'>,
): boolean {
  if (record.consecutiveFailures >= options.failureThreshold) return true;
  return (
    record.windowCalls >= options.minimumCalls &&
    record.windowFailures / record.windowCalls >= options.failureRateThreshold
  );
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

/** What a caller may do, judged from the state it read. The two `try-` kinds race a conditional write. */
export type Admission =
  | { kind: 'allow' }
  | { kind: 'reject'; state: 'OPEN' | 'HALF_OPEN'; retryAfterMs: number }
  /** OPEN past `openUntil`: whoever wins OPEN→HALF_OPEN probes. */
  | { kind: 'try-half-open' }
  /** HALF_OPEN with no live lease (released after a probe succeeded, or expired): whoever wins it probes. */
  | { kind: 'try-probe-lease' };

/** The admission rule for one call against a breaker's state at `now`. */
export function admit(
  record: BreakerRecord,
  now: number,
  options: Pick<CircuitBreakerOptions, 'recoveryTimeoutMs'>,
): Admission {
  switch (record.state) {
    case 'CLOSED':
      return { kind: 'allow' };
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
