import type { DataType } from '../model/data-types.js';
import type { RetryPolicy } from '../resilience/retry.js';
import type { FailureKind, ProviderFailure, ProviderResult } from './provider.js';

/**
 * Which outcomes speak of a provider's health, for its circuit breaker. An answer that shows the
 * provider up and answering (even "unknown symbol" or "bad key") is a success for the breaker; a
 * key's own troubles are the key pool's business, not the breaker's. A timeout is a failure whatever
 * shortened the attempt (its own timeout or the request's deadline); how long each call took is
 * judged separately by the breaker's slow-call rule.
 */
const COUNTS_AGAINST_PROVIDER: Record<FailureKind, boolean> = {
  network: true,
  timeout: true,
  upstream_error: true,
  throttled: true,
  bad_data: true,
  quota_exhausted: false,
  plan_restricted: false,
  invalid_key: false,
  unknown_symbol: false,
  no_key: false,
};

/** What an attempt's outcome tells the provider's breaker: a success, a failure, or nothing (no call was made). */
export function breakerVerdict(failure: ProviderFailure | undefined): 'success' | 'failure' | 'none' {
  if (!failure) return 'success';
  if (failure.kind === 'no_key') return 'none';
  if (failure.health === 'up') return 'success';
  return COUNTS_AGAINST_PROVIDER[failure.kind] ? 'failure' : 'success';
}

/**
 * Whether "unknown symbol" from one provider is worth asking the next one. Listing coverage differs
 * between providers (exchanges, share classes, delisted tickers), so for data about one symbol it
 * is; a search that found nothing is an answer, not a gap in coverage.
 */
export const UNKNOWN_SYMBOL_ASKS_NEXT: Record<DataType, boolean> = {
  quote: true,
  daily_history: true,
  financials: true,
  company: true,
  search: false,
  corporate_actions: true,
};

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
 * How a provider call is retried: a retryable failure is tried again, no sooner than the provider's
 * `Retry-After`; a deadline that leaves no time for a first call is a timeout.
 */
export const PROVIDER_RETRY_POLICY = {
  retryable: (result: ProviderResult<unknown>) => !result.ok && isRetryable(result.failure),
  retryAfterMs: (result: ProviderResult<unknown>) =>
    result.ok || result.failure.retryAfterSeconds === undefined
      ? undefined
      : result.failure.retryAfterSeconds * 1000,
  outOfTime: (): ProviderResult<never> => ({
    ok: false,
    failure: { kind: 'timeout', detail: 'deadline reached before the first attempt' },
  }),
} satisfies RetryPolicy<ProviderResult<unknown>>;
