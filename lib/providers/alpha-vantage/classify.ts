import {
  classifyHttpStatus,
  type ProviderFailure,
  recordOf,
  secondsUntilUtcMidnight,
  type UpstreamAnswer,
} from '../provider.js';

/** Alpha Vantage's per-minute window: a throttled call may succeed again within a minute. */
const THROTTLE_RETRY_AFTER_SECONDS = 60;

/**
 * Classifies an Alpha Vantage answer by meaning. Alpha Vantage says everything with HTTP 200 and a
 * JSON body: `Note` or `Information` for throttling, a spent daily quota, premium-only functions and
 * demo-key misuse; `Error Message` for a bad key or an invalid call. Their wording changes over the
 * years, so this reads what a message is about, not one exact sentence.
 */
export function classifyAlphaVantageAnswer(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const byStatus = classifyHttpStatus(answer, now);
  if (byStatus) return byStatus;
  const record = recordOf(answer.body);
  if (record === undefined) return { kind: 'bad_data', detail: 'answer is not a JSON object' };
  const errorMessage = record['Error Message'];
  if (typeof errorMessage === 'string') return classifyErrorMessage(errorMessage);
  const notice = [record.Note, record.Information].find(
    (value): value is string => typeof value === 'string',
  );
  if (notice !== undefined) return classifyNotice(notice, now);
  return null;
}

function classifyErrorMessage(message: string): ProviderFailure {
  if (/api ?key/i.test(message)) return { kind: 'invalid_key', detail: 'Alpha Vantage rejected the API key' };
  // "Invalid API call" is what Alpha Vantage answers for a symbol it does not list.
  return { kind: 'unknown_symbol', detail: 'Alpha Vantage answered "invalid API call"' };
}

function classifyNotice(notice: string, now: Date): ProviderFailure {
  const text = notice.toLowerCase();
  if (/per (minute|second)|frequency|spread(ing)? out|sparingly|burst/.test(text)) {
    return {
      kind: 'throttled',
      detail: 'Alpha Vantage per-minute limit',
      retryAfterSeconds: THROTTLE_RETRY_AFTER_SECONDS,
    };
  }
  // Not "daily" alone: a premium notice naming `TIME_SERIES_DAILY` ("The outputsize=full parameter value
  // is a premium feature for the TIME_SERIES_DAILY endpoint") says nothing of the day's quota.
  if (/per day|daily (rate )?limit/.test(text)) {
    return {
      kind: 'quota_exhausted',
      detail: 'Alpha Vantage daily quota spent',
      retryAfterSeconds: secondsUntilUtcMidnight(now),
    };
  }
  if (/premium|subscri|plan/.test(text)) {
    return { kind: 'plan_restricted', detail: 'Alpha Vantage premium-only function' };
  }
  if (/demo|api ?key/.test(text))
    return { kind: 'invalid_key', detail: 'Alpha Vantage refused the key (demo key)' };
  return { kind: 'upstream_error', detail: 'Alpha Vantage answered with an unrecognized notice' };
}
