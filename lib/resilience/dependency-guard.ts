import * as z from 'zod/mini';
import { DataLayerError } from '../errors.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import {
  admitCall,
  afterAnswer,
  afterFault,
  afterNoVerdict,
  callTimeout,
  type DependencyGuardOptions,
  type GuardState,
  type GuardTransition,
  initialGuardState,
} from './dependency-guard-state.js';
import { requestEnd } from './request-end.js';

export { DEFAULT_DEPENDENCY_GUARD_OPTIONS, type DependencyGuardOptions } from './dependency-guard-state.js';

/** The layer's own dependencies, as the metric's `dependency` dimension names them. */
export type DependencyName = 'dynamodb' | 'secrets_manager';

/**
 * A call to a dependency that did not reach it, or got no answer in time. Every fail-open path of the
 * layer (cache, breaker, key budgets) treats it as the fault it is; its message names no endpoint.
 */
export class DependencyUnavailableError extends DataLayerError {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: DependencyName,
    /** `backing_off`: not sent, the container skips the dependency; `timed_out`: no answer within the
     * call's budget; `no_time_left`: the request's end came first. */
    readonly reason: 'backing_off' | 'timed_out' | 'no_time_left',
    /** When `backing_off`: when the container tries the dependency again (epoch ms). */
    readonly retryAt?: number,
    options?: ErrorOptions,
  ) {
    super(`${dependency} unavailable: ${reason.replace(/_/g, ' ')}`, options);
  }
}

/** One dependency's guard as operators see it (health). */
export const DependencyGuardStatusSchema = z.object({
  /**
   * `healthy`; `backing_off`: calls fail at once until `until`; `probe_due`: the back-off is over and
   * the next call tests the dependency; `probing`: one call is testing it, the others still skip it.
   */
  state: z.enum(['healthy', 'backing_off', 'probe_due', 'probing']),
  /** When `backing_off`: the end of the back-off (ISO 8601); else `null`. */
  until: z.nullable(z.iso.datetime()),
  /** The current back-off's length; `null` when healthy. */
  backoffSeconds: z.nullable(z.number().check(z.nonnegative())),
});

export type DependencyGuardStatus = z.infer<typeof DependencyGuardStatusSchema>;

/** What a guard needs; `now` is epoch ms, injected so tests drive the back-off. */
export interface DependencyGuardDeps {
  dependency: DependencyName;
  options: DependencyGuardOptions;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  now: () => number;
}

/**
 * Errors of a connection that could not be made or went silent: the dependency is unreachable. Not a
 * connection the far end reset (`ECONNRESET`, `EPIPE`): a reset is sent by a live peer, the way a
 * DynamoDB front end drops a connection whose request it already took (a write applied, its reply
 * lost, which the SDK retries). Backing off from that would strand the caller's next writes: a fill
 * lease it could no longer release, left for every waiter to sit out.
 */
const PEER_RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/**
 * Whether an SDK error says the dependency could not be reached or did not answer (a connect or
 * socket timeout, a refused connection), as opposed to an answer it sent (or a reset): a failed
 * condition, a validation error, throttling or a 5xx all come with an HTTP status and prove it alive.
 */
export function isUnreachable(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const { $metadata, code } = error as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  if ($metadata?.httpStatusCode !== undefined) return false;
  // The SDK names a reset "socket hang up" a TimeoutError; its code tells the reset apart.
  if (typeof code === 'string' && PEER_RESET_CODES.has(code)) return false;
  return error.name === 'TimeoutError' || (typeof code === 'string' && NETWORK_ERROR_CODES.has(code));
}

/**
 * Keeps a hung dependency from eating a request's deadline, one container at a time.
 *
 * Each call is bounded by `callTimeoutMs` and by the current request's end (see `runUntil`),
 * whichever comes first, through the SDK's abort signal (which also stops its retries). A call that
 * got no answer at all (it timed out on its full budget, or could not connect) starts a back-off:
 * until it ends every call fails at once with `DependencyUnavailableError`, which the layer's
 * fail-open paths already absorb (cache miss, breaker allows, in-memory key budget). Then one call
 * probes; an answer ends the back-off, another timeout doubles it, up to `maxBackoffMs`. Each
 * back-off is logged once and counted (`dependency_backoffs_total`). A call cut short by the
 * request's end says nothing of the dependency and moves no state.
 *
 * "Answer" means any HTTP response to any of the call's attempts: a call that DynamoDB throttled and
 * the SDK was still retrying when the budget ran out fails, but the dependency answered it, so it is
 * alive and no back-off starts (`guardClient` notes each response through the command's middleware).
 */
export class DependencyGuard {
  #state: GuardState = initialGuardState;

  constructor(private readonly deps: DependencyGuardDeps) {}

  /**
   * Runs `call` under the guard; `call` must give `signal` to the SDK, and call `answered` when the
   * dependency answers any attempt (an error it sent included). `callerSignal` is the caller's own.
   */
  async run<T>(
    call: (signal: AbortSignal, answered: () => void) => Promise<T>,
    callerSignal?: AbortSignal,
  ): Promise<T> {
    const { dependency, options } = this.deps;
    const now = this.deps.now();
    const admission = admitCall(this.#state, now, options);
    if (admission.kind === 'skip')
      throw new DependencyUnavailableError(dependency, 'backing_off', admission.retryAt);
    this.#state = admission.state;
    const { ticket } = admission;

    const { timeoutMs, cutShort } = callTimeout(now, requestEnd(), options);
    if (timeoutMs <= 0) {
      this.#apply(afterNoVerdict(this.#state, ticket));
      throw new DependencyUnavailableError(dependency, 'no_time_left');
    }
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, budget.signal]) : budget.signal;
    let heard = false;
    try {
      const result = await call(signal, () => {
        heard = true;
      });
      this.#apply(afterAnswer(this.#state, ticket));
      return result;
    } catch (error) {
      if (budget.signal.aborted) {
        const reason = cutShort ? 'no_time_left' : 'timed_out';
        if (heard) this.#apply(afterAnswer(this.#state, ticket));
        else if (cutShort) this.#apply(afterNoVerdict(this.#state, ticket));
        else this.#apply(afterFault(this.#state, ticket, this.deps.now(), options), reason);
        throw new DependencyUnavailableError(dependency, reason, undefined, { cause: error });
      }
      if (isUnreachable(error) && !heard)
        this.#apply(afterFault(this.#state, ticket, this.deps.now(), options), describe(error));
      else if (callerSignal?.aborted) this.#apply(afterNoVerdict(this.#state, ticket));
      else this.#apply(afterAnswer(this.#state, ticket));
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The guard's state now, for health. */
  status(): DependencyGuardStatus {
    const state = this.#state;
    const now = this.deps.now();
    switch (state.kind) {
      case 'healthy':
        return { state: 'healthy', until: null, backoffSeconds: null };
      case 'probing':
        return { state: 'probing', until: null, backoffSeconds: state.backoffMs / 1000 };
      case 'backing_off':
        return now < state.until
          ? {
              state: 'backing_off',
              until: new Date(state.until).toISOString(),
              backoffSeconds: state.backoffMs / 1000,
            }
          : { state: 'probe_due', until: null, backoffSeconds: state.backoffMs / 1000 };
    }
  }

  #apply(transition: GuardTransition, fault?: string): void {
    this.#state = transition.state;
    const { dependency, metrics, logger } = this.deps;
    if (transition.event === 'backoff' && transition.state.kind === 'backing_off') {
      metrics.dependencyBackoff(dependency);
      logger.warn('dependency did not answer; skipping it for a back-off', {
        dependency,
        fault,
        backoffSeconds: transition.state.backoffMs / 1000,
        until: new Date(transition.state.until).toISOString(),
      });
    } else if (transition.event === 'recovered') {
      logger.info('dependency answered again; back-off over', { dependency });
    }
  }
}

/** The fault's name and code only: messages can carry endpoints, never useful in a log line here. */
function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}

/** An SDK client: what the guard needs of one. */
interface SdkClient {
  send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** An SDK command: its own middleware stack, which the client runs after its own. */
interface SdkCommand {
  middlewareStack: {
    add(middleware: never, options: { step: 'deserialize'; priority: 'low' }): void;
    remove(middleware: never): boolean;
  };
}

type Next = (args: unknown) => Promise<unknown>;

/**
 * Sends `command`, calling `answered` on every HTTP response to one of its attempts. The middleware
 * sits last in the `deserialize` step, under the retry middleware (`finalizeRequest`) and right above
 * the HTTP handler, which resolves on any response (an error status included) and rejects only when
 * none came (refused, reset, aborted). It is the command's own for this send only: the client and
 * every other call stay as they were.
 */
async function sendNotingAnswers(
  client: SdkClient,
  command: SdkCommand,
  answered: () => void,
  options: { abortSignal: AbortSignal },
): Promise<unknown> {
  const noteAnswer = (next: Next) => async (args: unknown) => {
    const response = await next(args);
    answered();
    return response;
  };
  command.middlewareStack.add(noteAnswer as never, { step: 'deserialize', priority: 'low' });
  try {
    return await client.send(command as never, options);
  } finally {
    command.middlewareStack.remove(noteAnswer as never);
  }
}

/**
 * The same client with every `send` under `guard`. A proxy, not a patched instance: the client
 * handed in stays as it was (tests count the calls that really reach it through its own middleware),
 * and everything else (config, middleware stack, `destroy`) is the client's own.
 */
export function guardClient<C extends SdkClient>(client: C, guard: DependencyGuard): C {
  const send = (command: never, options?: { abortSignal?: AbortSignal }) =>
    guard.run(
      (abortSignal, answered) =>
        sendNotingAnswers(client, command as SdkCommand, answered, { ...options, abortSignal }),
      options?.abortSignal,
    );
  return new Proxy(client, {
    get: (target, property) => (property === 'send' ? send : Reflect.get(target, property)),
  });
}
