import {
  classifyHttpStatus,
  type ProviderFailure,
  parseRetryAfter,
  recordOf,
  type UpstreamAnswer,
} from '../provider.js';

/** Polygon's free plan allows 5 calls a minute; without `Retry-After`, a minute is the longest wait. */
const THROTTLE_RETRY_AFTER_SECONDS = 60;

/** Statuses of an answer that carries data; `DELAYED` is what the free plan's aggregates say. */
const DATA_STATUSES = new Set(['OK', 'DELAYED']);

/**
 * Classifies a Polygon (Massive) answer by meaning. Polygon puts a `status` in every body: `OK` or
 * `DELAYED` with data; `ERROR` with an `error` text for a bad key (401 "Unknown API Key") or the
 * per-minute limit (429); `NOT_AUTHORIZED` with a `message` for data outside the plan (403);
 * `NOT_FOUND` (404) for a ticker it does not list. The text decides, then `status`, then the HTTP
 * status. Empty results (`resultsCount: 0`) are the endpoints' business.
 */
export function classifyPolygonAnswer(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const body = recordOf(answer.body);
  if (body === undefined) {
    return (
      classifyHttpStatus(answer, now) ?? { kind: 'bad_data', detail: 'Polygon answer is not a JSON object' }
    );
  }
  const status = typeof body.status === 'string' ? body.status.toUpperCase() : undefined;
  const ok = answer.status >= 200 && answer.status < 300;
  if (ok && (status === undefined || DATA_STATUSES.has(status))) return null;
  const said = `${status ?? 'no status'}, HTTP ${answer.status}`;
  const text = [body.error, body.message]
    .filter((part) => typeof part === 'string')
    .join(' ')
    .toLowerCase();
  if (/api ?key/.test(text)) return { kind: 'invalid_key', detail: `Polygon rejected the API key (${said})` };
  // Read before the plan check: the limit message ends with "upgrade your subscription".
  if (/maximum requests|too many|rate limit/.test(text) || answer.status === 429) {
    return {
      kind: 'throttled',
      detail: `Polygon per-minute limit (${said})`,
      retryAfterSeconds:
        parseRetryAfter(answer.headers.get('retry-after'), now) ?? THROTTLE_RETRY_AFTER_SECONDS,
    };
  }
  // "You are not entitled to this data", "Your plan doesn't include this data timeframe",
  // "Attempted to request today's data before end of day".
  if (status === 'NOT_AUTHORIZED' || /entitled|your plan|upgrade/.test(text)) {
    return { kind: 'plan_restricted', detail: `Polygon data outside the plan (${said})` };
  }
  if (status === 'NOT_FOUND')
    return { kind: 'unknown_symbol', detail: `Polygon does not list the ticker (${said})` };
  return (
    classifyHttpStatus(answer, now) ?? {
      kind: 'upstream_error',
      detail: `Polygon answered with an error status (${said})`,
    }
  );
}

/** True when an aggregates answer has no bar: Polygon's answer for a ticker it does not list. */
export function hasNoResults(body: unknown): boolean {
  const record = recordOf(body);
  if (record === undefined) return false;
  const results = record.results;
  return (
    record.resultsCount === 0 || results === undefined || (Array.isArray(results) && results.length === 0)
  );
}
