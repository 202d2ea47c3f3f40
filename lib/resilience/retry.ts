import type { FailureKind, ProviderFailure, ProviderResult } from '../providers/provider.js';

/**
 * Retry with exponential backoff and jitter, bounded by the request's deadline.
 *
 * Hand-written on purpose: cockatiel and p-retry retry on thrown errors (or a predicate over
 * resolved values), but none of them combines result-valued failures, a provider's `Retry-After`
 * as a lower bound on the delay, and a hard request deadline that neither an attempt nor a sleep
 * may run past. Those three together are the whole point here, so a small loop is clearer than
 * bending a library into it.
 *
 * @packageDocumentation
 */

/** How to retry one provider call. */
export interface RetryOptions {
  /** Total attempts, the first included (`RETRY_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** The backoff ceiling before the first retry (`RETRY_BASE_DELAY`). */
  baseDelayMs: number;
  /** The cap on any backoff ceiling (`RETRY_MAX_DELAY`); a longer `Retry-After` still wins. */
  maxDelayMs: number;
  /**
   * How the delay is drawn under the ceiling `min(cap, base·2^n)` (n = 0 before the first retry), after
   * AWS's "Exponential Backoff And Jitter": `full` = random(0, ceiling), `equal` = ceiling/2 +
   * random(0, ceiling/2), `none` = the ceiling. Full jitter spreads retrying containers apart best.
   */
  jitter: 'full' | 'equal' | 'none';
  /** Each attempt's own timeout; its `AbortSignal` aborts when it passes. */
  attemptTimeoutMs: number;
  /** The request's deadline in epoch ms: no attempt or sleep starts that cannot finish before it. */
  deadline: number;
  /** The least time an attempt is worth starting with (default 250 ms). */
  minAttemptMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** A random source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Waits `ms` (default a `setTimeout`); `retry` never passes a signal, the parameter is for reuse. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Asked before every attempt after the first, once its wait is over: `false` stops here with the
   * last failure (a circuit breaker that opened meanwhile). Default: always go on.
   */
  mayRetry?: () => boolean | Promise<boolean>;
  /** Called after every attempt, awaited before the next: the circuit breaker learns of each one here. */
  onAttempt?: (outcome: {
    attempt: number;
    result: ProviderResult<unknown>;
    ms: number;
  }) => void | Promise<void>;
}

/** One attempt's context: its number (from 1), a signal that aborts at its timeout, and that timeout. */
export interface RetryAttempt {
  attempt: number;
  signal: AbortSignal;
  timeoutMs: number;
}

/** The defaults behind `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_DELAY` and `RETRY_MAX_DELAY`. */
export const DEFAULT_RETRY: Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'jitter'> = {
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  jitter: 'full',
};

const DEFAULT_MIN_ATTEMPT_MS = 250;

/**
 * Which failures another attempt may cure. A record over every kind, so a new `FailureKind` does not
 * compile until someone decides. Key, plan, symbol and data problems answer the same way again;
 * a spent quota waits for hours (the key pool parks the key instead); `no_key` has nothing to retry with.
 */
const RETRYABLE: Record<FailureKind, boolean> = {
  network: true,
  timeout: true,
  upstream_error: true,
  throttled: true,
  quota_exhausted: false,
  plan_restricted: false,
  invalid_key: false,
  unknown_symbol: false,
  bad_data: false,
  no_key: false,
};

/** Whether another attempt may succeed: network faults, timeouts, 5xx/408 and 429 throttling. */
export function isRetryable(failure: ProviderFailure): boolean {
  return RETRYABLE[failure.kind];
}

/**
 * Runs `operation` until it succeeds, fails for good, runs out of attempts or would pass the deadline.
 * Sync and async operations alike. Failures are values; an operation that throws has a bug, so the
 * error is rethrown unchanged (no further attempts, no `onAttempt`). When it stops on a failure,
 * the last failure is returned: the caller learns why the provider failed, not that retrying gave up.
 */
export async function retry<T>(
  operation: (attempt: RetryAttempt) => ProviderResult<T> | Promise<ProviderResult<T>>,
  options: RetryOptions,
): Promise<ProviderResult<T> & { attempts: number }> {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
  }
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepFor;
  const minAttemptMs = options.minAttemptMs ?? DEFAULT_MIN_ATTEMPT_MS;

  let last: ProviderFailure | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const timeoutMs = Math.min(options.attemptTimeoutMs, options.deadline - now());
    // An attempt cut this short would mostly time out, and still spend a call of the key's quota.
    if (timeoutMs < minAttemptMs) break;

    const started = now();
    const result = await runAttempt(operation, attempt, timeoutMs);
    attempts = attempt;
    await options.onAttempt?.({ attempt, result, ms: now() - started });
    if (result.ok) return { ...result, attempts };

    last = result.failure;
    if (!isRetryable(last) || attempt === options.maxAttempts) break;
    const delayMs = delayBeforeRetry(attempt - 1, last, options, random);
    // Sleeping only to find too little time left would waste the wait: stop now with what we know.
    if (now() + delayMs + minAttemptMs > options.deadline) break;
    await sleep(delayMs);
    if (options.mayRetry && !(await options.mayRetry())) break;
  }
  if (last === undefined) {
    return {
      ok: false,
      failure: { kind: 'timeout', detail: 'deadline reached before the first attempt' },
      attempts,
    };
  }
  return { ok: false, failure: last, attempts };
}

/** Runs one attempt under its own timeout signal; the timer is cleared as soon as the attempt settles. */
async function runAttempt<T>(
  operation: (attempt: RetryAttempt) => ProviderResult<T> | Promise<ProviderResult<T>>,
  attempt: number,
  timeoutMs: number,
): Promise<ProviderResult<T>> {
  // A controller and setTimeout rather than AbortSignal.timeout: the timer can be cleared (no stray
  // timers after the call) and vitest's fake timers control it.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`attempt timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  try {
    return await operation({ attempt, signal: controller.signal, timeoutMs });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The wait before retry number `retryIndex` (0 for the first retry): backoff with jitter, but never
 * less than what the provider asked for in `Retry-After`, which wins even over `maxDelayMs`.
 */
function delayBeforeRetry(
  retryIndex: number,
  failure: ProviderFailure,
  options: RetryOptions,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  const backoff =
    options.jitter === 'full'
      ? random() * ceiling
      : options.jitter === 'equal'
        ? ceiling / 2 + (random() * ceiling) / 2
        : ceiling;
  const asked = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
  return Math.max(backoff, asked);
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
