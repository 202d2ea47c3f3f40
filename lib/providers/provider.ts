import type { DailySeries, HistoryQuery } from '../model/daily-bars.js';
import type { DataType } from '../model/data-types.js';
import type { Adjustment } from '../model/price-basis.js';
import type { ProviderId } from '../model/provider-ids.js';

/**
 * Why a provider could not answer. Each kind says what the layer does next: `throttled` and
 * `quota_exhausted` park a key, `invalid_key` quarantines it, `unknown_symbol` may end the search,
 * the rest fall through to the next provider.
 */
export const FAILURE_KINDS = [
  'throttled',
  'quota_exhausted',
  'plan_restricted',
  'invalid_key',
  'unknown_symbol',
  'bad_data',
  'upstream_error',
  'timeout',
  'network',
  'no_key',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

/** A provider's failure as a value. `detail` is safe to log: it never carries a key or a URL. */
export interface ProviderFailure {
  kind: FailureKind;
  detail: string;
  /** When the provider says (or its rules imply) it may answer again. */
  retryAfterSeconds?: number;
  /**
   * What this failure says of the provider's health where its kind alone would mislead the breaker:
   * `up` (it answered, we refused the data: a quality-floor miss). There is no "unknown": a timeout
   * counts against the provider whatever shortened it, as a hanging provider must open its breaker.
   */
  health?: 'up';
}

export type ProviderResult<T> = { ok: true; value: T } | { ok: false; failure: ProviderFailure };

/** What came back over the wire: the status, the headers, and the body parsed as JSON when it is JSON. */
export interface UpstreamAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** An HTTP request to a provider. The URL may carry the key, so it is never logged or shown. */
export interface UpstreamRequest {
  url: URL;
  headers?: Record<string, string>;
}

/** The plan an operator holds with a provider: `paid` unlocks the endpoints marked paid. */
export type ProviderPlan = 'free' | 'paid';

/**
 * One provider's endpoint for one data type, in three steps: build the request, classify the answer,
 * transform it into the standard model (validating the raw shape with zod on the way).
 */
export interface ProviderEndpoint<Query, Value> {
  readonly provider: ProviderId;
  readonly dataType: DataType;
  /** The provider plan this endpoint needs; `paid` endpoints are used only when the operator says the plan has them. */
  readonly plan?: ProviderPlan;
  /** Whether this endpoint can answer this query at all (an income-only statements endpoint); default yes. */
  readonly supports?: (query: Query) => boolean;
  buildRequest(query: Query, access: { baseUrl: string; apiKey: string }): UpstreamRequest;
  /** A failure, or `null` when the answer carries data worth transforming. */
  classify(answer: UpstreamAnswer, now: Date): ProviderFailure | null;
  transform(body: unknown, query: Query): ProviderResult<Value>;
}

/**
 * A daily-history endpoint and how deep each plan serves it: `reachDays[plan]` is how many days back
 * from a range's end (today, for the series fetch) one call on that plan can start. The layer asks an
 * endpoint only for ranges its configured plan reaches (Alpha Vantage free: `compact`, the latest 100
 * trading days), so no call is spent on an answer the plan refuses or silently cuts.
 */
export interface HistoryEndpoint extends ProviderEndpoint<HistoryQuery, DailySeries> {
  readonly reachDays: Readonly<Record<ProviderPlan, number>>;
  /**
   * The basis the provider presents daily bars on, as its documentation says: `raw` (as traded),
   * `splits` (earlier prices divided by later splits' ratios) or `all`. The layer brings every answer
   * to as traded with it (`lib/prices/as-traded.ts`), so no answer depends on which provider gave it.
   */
  readonly basis: Adjustment;
}

/** A provider's multi-symbol quote endpoint: one call for up to `maxSymbols` symbols. */
export interface BatchQuoteEndpoint<Value>
  extends ProviderEndpoint<{ symbols: string[] }, BatchQuoteValue<Value>> {
  readonly maxSymbols: number;
}

/** A batch answer: the values found, by the client's symbol, and the symbols the provider did not know. */
export interface BatchQuoteValue<Value> {
  found: Record<string, Value>;
  unknown: string[];
}

export function failure(
  kind: FailureKind,
  detail: string,
  retryAfterSeconds?: number,
): ProviderResult<never> {
  return {
    ok: false,
    failure: retryAfterSeconds === undefined ? { kind, detail } : { kind, detail, retryAfterSeconds },
  };
}

/** Seconds from `now` to the next midnight UTC, when daily quotas such as Alpha Vantage's reset. */
export function secondsUntilUtcMidnight(now: Date): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
}

/** Classifies a non-2xx HTTP status the same way for every provider. */
export function classifyHttpStatus(answer: UpstreamAnswer, now: Date): ProviderFailure | null {
  const { status } = answer;
  if (status >= 200 && status < 300) return null;
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), now);
  const withRetry = (kind: FailureKind, detail: string): ProviderFailure =>
    retryAfter === undefined ? { kind, detail } : { kind, detail, retryAfterSeconds: retryAfter };
  if (status === 429) return withRetry('throttled', 'HTTP 429');
  if (status === 401) return { kind: 'invalid_key', detail: 'HTTP 401' };
  if (status === 402 || status === 403) return { kind: 'plan_restricted', detail: `HTTP ${status}` };
  if (status === 404) return { kind: 'unknown_symbol', detail: 'HTTP 404' };
  if (status === 408 || status >= 500) return withRetry('upstream_error', `HTTP ${status}`);
  return { kind: 'bad_data', detail: `HTTP ${status}` };
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * An endpoint's classifier: the provider's own `classify` first; when that finds no failure,
 * `isUnknown` decides whether the body is the provider's way of saying it does not know the symbol
 * (an empty list, `{}`, a quote of zeros), which is then an `unknown_symbol` failure with `detail`.
 */
export function unknownSymbolWhen(
  classify: (answer: UpstreamAnswer, now: Date) => ProviderFailure | null,
  isUnknown: (body: unknown) => boolean,
  detail: string,
): (answer: UpstreamAnswer, now: Date) => ProviderFailure | null {
  return (answer, now) =>
    classify(answer, now) ?? (isUnknown(answer.body) ? { kind: 'unknown_symbol', detail } : null);
}

/** True for a JSON list with nothing in it. */
export function isEmptyList(body: unknown): boolean {
  return Array.isArray(body) && body.length === 0;
}

/** A JSON object body as a record of its keys, or `undefined` for a list, `null`, text or a number. */
export function recordOf(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/** True for a JSON object (not a list) with no key. */
export function isEmptyObject(body: unknown): boolean {
  const record = recordOf(body);
  return record !== undefined && Object.keys(record).length === 0;
}

/**
 * How Finnhub, FMP and Twelve Data answers are read. These providers state a refusal in the body
 * (with HTTP 200 at times), so a `refusal` the body states decides, read by `classifyRefusal`; else
 * the HTTP status; else a body that is not JSON is `bad_data` (`${provider} answer is not JSON`).
 * `null` when the answer carries data.
 */
export function classifyStatedRefusal<Refusal>(
  answer: UpstreamAnswer,
  now: Date,
  refusal: Refusal | undefined,
  classifyRefusal: (refusal: Refusal) => ProviderFailure,
  provider: string,
): ProviderFailure | null {
  if (refusal !== undefined) return classifyRefusal(refusal);
  const byStatus = classifyHttpStatus(answer, now);
  if (byStatus) return byStatus;
  if (answer.body === undefined) return { kind: 'bad_data', detail: `${provider} answer is not JSON` };
  return null;
}
