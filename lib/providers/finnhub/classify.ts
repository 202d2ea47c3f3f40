import {
  classifyHttpStatus,
  classifyStatedRefusal,
  type ProviderFailure,
  parseRetryAfter,
  recordOf,
  type UpstreamAnswer,
} from '../provider.js';

/** Finnhub's free plan counts calls per minute; without a reset header, a minute is the longest wait. */
const THROTTLE_RETRY_AFTER_SECONDS = 60;

/**
 * Classifies a Finnhub answer by meaning. Finnhub states refusals as `{"error": "..."}` with a telling
 * status: 401 for a bad or missing key, 429 for its per-minute (and per-second) limit, 403 "You don't
 * have access to this resource." for data outside the plan. The message decides, the status is the
 * fallback. Finnhub has no daily quota on the free plan, so a limit is always a throttle. Endpoint
 * checks (an all-zero quote, an empty profile) stay with the endpoint.
 */
export function classifyFinnhubAnswer(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const message = errorMessageOf(answer.body);
  return classifyStatedRefusal(answer, now, message, (m) => classifyErrorMessage(m, answer, now), 'Finnhub');
}

function errorMessageOf(body: unknown): string | undefined {
  const message = recordOf(body)?.error;
  return typeof message === 'string' ? message : undefined;
}

function classifyErrorMessage(message: string, answer: UpstreamAnswer, now: Date): ProviderFailure {
  const text = message.toLowerCase();
  const status = `HTTP ${answer.status}`;
  if (/limit reached|too many|rate limit/.test(text)) {
    return {
      kind: 'throttled',
      detail: `Finnhub API limit reached (${status})`,
      retryAfterSeconds: retryAfterOf(answer, now) ?? THROTTLE_RETRY_AFTER_SECONDS,
    };
  }
  // "Invalid API key." and "Please use an API key."
  if (/api ?key|token/.test(text))
    return { kind: 'invalid_key', detail: `Finnhub rejected the API key (${status})` };
  if (/access|premium|subscri|upgrade|plan/.test(text)) {
    return { kind: 'plan_restricted', detail: `Finnhub data outside the plan (${status})` };
  }
  return (
    classifyHttpStatus(answer, now) ?? {
      kind: 'upstream_error',
      detail: `Finnhub answered with an unrecognized error (${status})`,
    }
  );
}

/**
 * `Retry-After` when Finnhub sends it, else `X-Ratelimit-Reset`, which Finnhub sends as the epoch
 * second its window reopens.
 */
function retryAfterOf(answer: UpstreamAnswer, now: Date): number | undefined {
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(answer.headers.get('x-ratelimit-reset') ?? Number.NaN);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(1, Math.ceil(reset - now.getTime() / 1000));
}
