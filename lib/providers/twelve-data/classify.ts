import {
  classifyStatedRefusal,
  type ProviderFailure,
  parseRetryAfter,
  recordOf,
  secondsUntilUtcMidnight,
  type UpstreamAnswer,
} from '../provider.js';

/** A Twelve Data error as it appears in a body: `{"code": 429, "message": "...", "status": "error"}`. */
export interface TwelveDataError {
  code: number | undefined;
  message: string;
}

/**
 * The error a Twelve Data body states, or `undefined` for a data body. Twelve Data puts errors in the
 * body, often with HTTP 200, sometimes with the matching status; the body is what counts.
 */
export function twelveDataErrorOf(body: unknown): TwelveDataError | undefined {
  const record = recordOf(body);
  if (record?.status !== 'error') return undefined;
  return {
    code: typeof record.code === 'number' ? record.code : undefined,
    message: typeof record.message === 'string' ? record.message : '',
  };
}

/** True for Twelve Data's "symbol not found" and "no data on those dates" errors. */
export function isNotFound(error: TwelveDataError): boolean {
  return /not found|no data is available/i.test(error.message) || error.code === 404;
}

/**
 * Classifies a Twelve Data answer by meaning. Its refusals share one body shape, with a `code` that
 * mirrors an HTTP status (401 key, 403 plan, 404 or 400 symbol, 429 credits) whatever the HTTP status
 * was: the message decides first (a 429 says whether the minute's or the day's credits are spent),
 * the code next, the HTTP status last.
 */
export function classifyTwelveDataAnswer(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const error = twelveDataErrorOf(answer.body);
  return classifyStatedRefusal(answer, now, error, (e) => classifyError(e, answer, now), 'Twelve Data');
}

function classifyError(error: TwelveDataError, answer: UpstreamAnswer, now: Date): ProviderFailure {
  const text = error.message.toLowerCase();
  const code = error.code ?? (answer.status === 200 ? undefined : answer.status);
  const said = `code ${code ?? 'none'}, HTTP ${answer.status}`;
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), now);
  // "You have run out of API credits for the day." Daily credits reset at midnight UTC.
  if (/credits/.test(text) && /for the day|daily/.test(text)) {
    return {
      kind: 'quota_exhausted',
      detail: `Twelve Data daily credits spent (${said})`,
      retryAfterSeconds: retryAfter ?? secondsUntilUtcMidnight(now),
    };
  }
  // "...API credits for the current minute." Minute credits reset on the wall-clock minute.
  if (/credits|rate limit|too many/.test(text) || code === 429) {
    return {
      kind: 'throttled',
      detail: `Twelve Data per-minute credits spent (${said})`,
      retryAfterSeconds: retryAfter ?? secondsUntilNextMinute(now),
    };
  }
  // "/profile is available exclusively with grow or pro ... plans", "... is not available with your plan".
  if (/exclusively|your plan|upgrad/.test(text) || code === 403) {
    return { kind: 'plan_restricted', detail: `Twelve Data endpoint or symbol outside the plan (${said})` };
  }
  // Read after the plan check: plan refusals end with "Consider upgrading your API Key now".
  if (/api ?key/.test(text) || code === 401) {
    return { kind: 'invalid_key', detail: `Twelve Data rejected the API key (${said})` };
  }
  if (isNotFound(error)) {
    return { kind: 'unknown_symbol', detail: `Twelve Data found no such symbol or no data (${said})` };
  }
  if (code !== undefined && code >= 500) {
    return { kind: 'upstream_error', detail: `Twelve Data server error (${said})` };
  }
  // Anything else is a request Twelve Data could not use ("invalid parameter"): our side's mistake.
  return { kind: 'bad_data', detail: `Twelve Data refused the request (${said})` };
}

function secondsUntilNextMinute(now: Date): number {
  return Math.max(1, 60 - now.getUTCSeconds());
}
