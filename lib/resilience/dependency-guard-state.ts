/**
 * The dependency guard's state and the pure rules over it: no I/O, no timers, so every back-off and
 * probe rule is unit-tested on a fake clock. `dependency-guard.ts` holds one state per dependency
 * (DynamoDB, Secrets Manager) in a container and applies these rules around each SDK call.
 *
 * Unlike the circuit breaker this state is the container's own: a container that saw DynamoDB hang
 * needs no one's agreement to stop waiting for it, and a shared record would live in the very
 * dependency that hangs.
 */

/** How a guard bounds calls and backs off. Every duration is in milliseconds. */
export interface DependencyGuardOptions {
  /** `DEPENDENCY_CALL_TIMEOUT_SECONDS`: the longest one SDK call (all its attempts) may take. */
  callTimeoutMs: number;
  /** `DEPENDENCY_BACKOFF_SECONDS`: how long a container skips a dependency after a call timed out. */
  backoffMs: number;
  /** `DEPENDENCY_MAX_BACKOFF_SECONDS`: the cap on the back-off, which doubles after each failed probe. */
  maxBackoffMs: number;
}

/**
 * The defaults. One second per call is 100 times DynamoDB's usual single-digit milliseconds and
 * several times a cold container's first call (TLS handshake, credentials), so a healthy dependency
 * does not trip it, while a request that meets a hung one loses about a second, not its deadline.
 * One second of back-off, doubling to 4: while the container skips DynamoDB every request misses the
 * cache and spends a provider call (free quotas are 25 a day), so the back-off must end soon after
 * the dependency does: caching resumes at most 4 s and one probe after a thaw. The price is one probe
 * per container per 4 s while the dependency stays sick, each holding one request for the call's
 * 1 s budget. A throttled DynamoDB is answered, never a fault, so throttling starts no back-off.
 */
export const DEFAULT_DEPENDENCY_GUARD_OPTIONS: DependencyGuardOptions = {
  callTimeoutMs: 1_000,
  backoffMs: 1_000,
  maxBackoffMs: 4_000,
};

/**
 * A container's view of one dependency (times in epoch ms). `generation` grows on every transition,
 * so the outcome of a call admitted before one (a late answer, a second timeout of calls that were in
 * flight together) cannot move the state again.
 */
export type GuardState =
  | { kind: 'healthy'; generation: number }
  | { kind: 'backing_off'; generation: number; until: number; backoffMs: number }
  | { kind: 'probing'; generation: number; since: number; backoffMs: number };

export const initialGuardState: GuardState = { kind: 'healthy', generation: 0 };

/** A call let through, and the generation its outcome speaks for. */
export interface GuardTicket {
  kind: 'call' | 'probe';
  generation: number;
}

/** What to do with a call: send it (maybe as the one probe), or fail it at once until `retryAt`. */
export type GuardAdmission =
  | { kind: 'send'; ticket: GuardTicket; state: GuardState }
  | { kind: 'skip'; retryAt: number };

/**
 * How long a probe owns the dependency: past this the probe is taken for lost and another call may
 * probe. Its own timeout ends it long before, so this only guards against a promise that never settles.
 */
export function probeLeaseMs(options: DependencyGuardOptions): number {
  return 2 * options.callTimeoutMs;
}

/** Whether a call may go to the dependency now. Past a back-off, the first call probes; the rest wait. */
export function admitCall(state: GuardState, now: number, options: DependencyGuardOptions): GuardAdmission {
  switch (state.kind) {
    case 'healthy':
      return { kind: 'send', ticket: { kind: 'call', generation: state.generation }, state };
    case 'backing_off':
      if (now < state.until) return { kind: 'skip', retryAt: state.until };
      return startProbe(state.generation, state.backoffMs, now);
    case 'probing': {
      const leaseEnds = state.since + probeLeaseMs(options);
      if (now < leaseEnds) return { kind: 'skip', retryAt: leaseEnds };
      return startProbe(state.generation, state.backoffMs, now);
    }
  }
}

function startProbe(generation: number, backoffMs: number, now: number): GuardAdmission {
  const next = generation + 1;
  return {
    kind: 'send',
    ticket: { kind: 'probe', generation: next },
    state: { kind: 'probing', generation: next, since: now, backoffMs },
  };
}

/**
 * How long a call may take: its budget, or less when the request ends sooner. `cutShort` says the
 * request's end, not the budget, set the limit: such a timeout says nothing about the dependency.
 */
export function callTimeout(
  now: number,
  requestEndsAt: number | undefined,
  options: DependencyGuardOptions,
): { timeoutMs: number; cutShort: boolean } {
  const left = requestEndsAt === undefined ? Number.POSITIVE_INFINITY : requestEndsAt - now;
  if (left >= options.callTimeoutMs) return { timeoutMs: options.callTimeoutMs, cutShort: false };
  return { timeoutMs: Math.max(0, left), cutShort: true };
}

/** A transition and whether it is one to report (log and count). */
export interface GuardTransition {
  state: GuardState;
  /** `backoff`: a back-off began; `recovered`: a probe was answered. */
  event?: 'backoff' | 'recovered';
}

/**
 * The dependency hung or could not be reached. A call in the healthy state starts the first back-off;
 * a failed probe doubles the last one, up to the cap. Outcomes of calls from an earlier generation
 * change nothing: the first of several calls that timed out together already started the back-off.
 */
export function afterFault(
  state: GuardState,
  ticket: GuardTicket,
  now: number,
  options: DependencyGuardOptions,
): GuardTransition {
  if (ticket.generation !== state.generation || state.kind === 'backing_off') return { state };
  const backoffMs =
    state.kind === 'healthy' ? options.backoffMs : Math.min(2 * state.backoffMs, options.maxBackoffMs);
  return {
    state: { kind: 'backing_off', generation: state.generation + 1, until: now + backoffMs, backoffMs },
    event: 'backoff',
  };
}

/**
 * The dependency answered (a success, or an error it sent, like a failed condition): a probe so
 * answered ends the back-off; any other answer leaves the state as it is.
 */
export function afterAnswer(state: GuardState, ticket: GuardTicket): GuardTransition {
  if (ticket.kind !== 'probe' || ticket.generation !== state.generation || state.kind !== 'probing')
    return { state };
  return { state: { kind: 'healthy', generation: state.generation + 1 }, event: 'recovered' };
}

/**
 * A call that ended without an answer and without a fault (cut short by the request's end, or
 * cancelled by its caller): a probe so ended gives the probe back, so the next call probes at once.
 */
export function afterNoVerdict(state: GuardState, ticket: GuardTicket): GuardTransition {
  if (ticket.kind !== 'probe' || ticket.generation !== state.generation || state.kind !== 'probing')
    return { state };
  return {
    state: {
      kind: 'backing_off',
      generation: state.generation + 1,
      until: state.since,
      backoffMs: state.backoffMs,
    },
  };
}
