/**
 * Retry with exponential backoff and jitter, bounded by the current request's provider work end
 * (`providerWorkEnd`, `request-end.ts`).
 *
 * Generic over the result: the caller's `RetryPolicy` says which results are retryable and where a
 * retry-after comes from (cockatiel's `handleWhenResult` is the model), so the mechanism holds no
 * provider policy (that lives in `providers/provider-health.ts`, next to the breaker's).
 *
 * Hand-written on purpose: cockatiel and p-retry retry on thrown errors (or a predicate over
 * resolved values), but none of them combines result-valued failures, a result's retry-after
 * as a lower bound on the delay, and a hard request deadline that neither an attempt nor a sleep
 * may run past. Those three together are the whole point here, so a small loop is clearer than
 * bending a library into it.
 *
 * @packageDocumentation
 */

import { providerWorkEnd } from './request-end.js';

/** What the caller decides about its results: which to retry, and how long one asks to wait. */
export interface RetryPolicy<R> {
  /** Whether another attempt may cure this result; a result it says no to is returned as it is. */
  retryable: (result: R) => boolean;
  /** The least wait in ms a result asks for before the next attempt (a `Retry-After`), if any. */
  retryAfterMs?: (result: R) => number | undefined;
  /** The result when the deadline leaves no time for even the first attempt. */
  outOfTime: () => R;
}

/** How to retry one operation: the caller's policy, the backoff and the deadline. */
export interface RetryOptions<R> extends RetryPolicy<R> {
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
  /**
   * Epoch ms: the end of this operation's share of the request's time (a provider's share of its
   * chain's), when sooner than the request's provider work end. No attempt or sleep runs past either.
   */
  shareEnd?: number;
  /** The least time an attempt is worth starting with (default 250 ms). */
  minAttemptMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** A random source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Waits `ms` (default a `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Asked before every attempt after the first, once its wait is over: `false` stops here with the
   * last failure (a circuit breaker that opened meanwhile). Default: always go on.
   */
  mayRetry?: () => boolean | Promise<boolean>;
  /** Called after every attempt, awaited before the next: the circuit breaker learns of each one here. */
  onAttempt?: (outcome: { attempt: number; result: R; ms: number }) => void | Promise<void>;
}

/** One attempt's context: its number (from 1), a signal that aborts at its timeout, and that timeout. */
export interface RetryAttempt {
  attempt: number;
  signal: AbortSignal;
  timeoutMs: number;
}

/** The defaults behind `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_DELAY` and `RETRY_MAX_DELAY`. */
export const DEFAULT_RETRY: Pick<
  RetryOptions<unknown>,
  'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'jitter'
> = {
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  jitter: 'full',
};

const DEFAULT_MIN_ATTEMPT_MS = 250;

/**
 * Runs `operation` until a result is not `retryable` (a success, or a failure for good), attempts run
 * out or the next would pass the deadline. Sync and async operations alike. Failures are values; an
 * operation that throws has a bug, so the error is rethrown unchanged (no further attempts, no
 * `onAttempt`). When it stops on a failure, the last result is returned: the caller learns why the
 * operation failed, not that retrying gave up.
 */
export async function retry<R extends object>(
  operation: (attempt: RetryAttempt) => R | Promise<R>,
  options: RetryOptions<R>,
): Promise<R & { attempts: number }> {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
  }
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? sleepFor;
  const minAttemptMs = options.minAttemptMs ?? DEFAULT_MIN_ATTEMPT_MS;
  // The current request's provider work end (`runUntil`), or this operation's share of it: no
  // attempt or sleep starts that cannot finish before it.
  const deadline = Math.min(providerWorkEnd(), options.shareEnd ?? Number.POSITIVE_INFINITY);

  let last: R | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const timeoutMs = Math.min(options.attemptTimeoutMs, deadline - now());
    // An attempt cut this short would mostly time out, and still spend a call of the key's quota.
    if (timeoutMs < minAttemptMs) break;

    const started = now();
    const result = await runAttempt(operation, attempt, timeoutMs);
    attempts = attempt;
    await options.onAttempt?.({ attempt, result, ms: now() - started });
    last = result;
    if (!options.retryable(result) || attempt === options.maxAttempts) break;
    const delayMs = delayBeforeRetry(attempt - 1, options.retryAfterMs?.(result), options, random);
    // Sleeping only to find too little time left would waste the wait: stop now with what we know.
    if (now() + delayMs + minAttemptMs > deadline) break;
    await sleep(delayMs);
    if (options.mayRetry && !(await options.mayRetry())) break;
  }
  return { ...(last ?? options.outOfTime()), attempts };
}

/** Runs one attempt under its own timeout signal; the timer is cleared as soon as the attempt settles. */
async function runAttempt<R>(
  operation: (attempt: RetryAttempt) => R | Promise<R>,
  attempt: number,
  timeoutMs: number,
): Promise<R> {
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
 * less than what the result asked for (`retryAfterMs`), which wins even over `maxDelayMs`.
 */
function delayBeforeRetry(
  retryIndex: number,
  askedMs: number | undefined,
  options: Pick<RetryOptions<unknown>, 'baseDelayMs' | 'maxDelayMs' | 'jitter'>,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  const backoff =
    options.jitter === 'full'
      ? random() * ceiling
      : options.jitter === 'equal'
        ? ceiling / 2 + (random() * ceiling) / 2
        : ceiling;
  return Math.max(backoff, askedMs ?? 0);
}

function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
