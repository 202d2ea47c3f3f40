import {
  classifyHttpStatus,
  classifyStatedRefusal,
  type ProviderFailure,
  parseRetryAfter,
  recordOf,
  secondsUntilUtcMidnight,
  type UpstreamAnswer,
} from '../provider.js';

/** When FMP says "too many requests" without a `Retry-After`, its per-minute windows reopen within a minute. */
const THROTTLE_RETRY_AFTER_SECONDS = 60;

/**
 * Classifies an FMP answer by meaning. FMP states its refusals as `{"Error Message": "..."}`, mostly
 * with a telling status (401 key, 402 premium, 403 legacy, 429 limit) but in some cases with HTTP 200,
 * so the message decides and the status is the fallback: a 429 that says "Limit Reach" is a spent
 * quota, not a per-minute throttle. Wording changes, so this reads what a message is about.
 * Endpoint-specific checks (an empty list for an unknown symbol) stay with the endpoint.
 */
export function classifyFmpAnswer(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const message = errorMessageOf(answer.body);
  return classifyStatedRefusal(answer, now, message, (m) => classifyErrorMessage(m, answer, now), 'FMP');
}

function errorMessageOf(body: unknown): string | undefined {
  const message = recordOf(body)?.['Error Message'];
  return typeof message === 'string' ? message : undefined;
}

function classifyErrorMessage(message: string, answer: UpstreamAnswer, now: Date): ProviderFailure {
  const text = message.toLowerCase();
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), now);
  const status = `HTTP ${answer.status}`;
  if (/per minute|too many requests/.test(text)) {
    return {
      kind: 'throttled',
      detail: `FMP per-minute limit (${status})`,
      retryAfterSeconds: retryAfter ?? THROTTLE_RETRY_AFTER_SECONDS,
    };
  }
  // "Limit Reach": the free plan's 250 calls a day or a plan's bandwidth allowance, not a per-minute
  // window, so the key is parked as spent. FMP does not state its reset time; we assume midnight UTC
  // like Alpha Vantage, unless FMP sends a Retry-After. An early probe costs one call; a late one, none.
  if (/limit reach/.test(text)) {
    return {
      kind: 'quota_exhausted',
      detail: `FMP call or bandwidth limit reached (${status})`,
      retryAfterSeconds: retryAfter ?? secondsUntilUtcMidnight(now),
    };
  }
  if (/api ?key/.test(text)) return { kind: 'invalid_key', detail: `FMP rejected the API key (${status})` };
  if (/legacy/.test(text)) {
    return { kind: 'plan_restricted', detail: `FMP legacy endpoint, closed to this key (${status})` };
  }
  // "Premium Query Parameter", "Special Endpoint", "Exclusive Endpoint": the plan does not cover it.
  if (/premium|exclusive|special endpoint|subscription|upgrade/.test(text)) {
    return { kind: 'plan_restricted', detail: `FMP endpoint or symbol outside the plan (${status})` };
  }
  return (
    classifyHttpStatus(answer, now) ?? {
      kind: 'upstream_error',
      detail: `FMP answered with an unrecognized error message (${status})`,
    }
  );
}
