/**
 * Helpers the provider adapters share on the way from a raw answer to the standard model: naming the
 * fields a zod check failed on, validating with `bad_data` as the failure, building a provider URL,
 * and the two shapes every provider's bars and statements are put into (in range, ordered, once a date).
 */
import * as z from 'zod/mini';
import {
  type DailyBar,
  type DailySeries,
  DailySeriesSchema,
  type HistoryQuery,
} from '../model/daily-bars.js';
import { FinancialStatementsSchema } from '../model/financial-statements.js';
import { sanitizeSymbol } from '../validation/text.js';
import { failure, type ProviderResult, type UpstreamRequest } from './provider.js';

/** What {@link fieldsIn} reads of a zod error: the path of each issue. */
export interface IssuePaths {
  readonly issues: readonly { readonly path: readonly PropertyKey[] }[];
}

/**
 * The fields named in a zod error, each once, in the order of the issues, list indices dropped:
 * `c, t`, `bars.date`, `income_statement.net_income`. An issue about the value as a whole (or about a
 * list item that is not an object: its path is only an index) is named `whole`: `answer` by default;
 * FMP's adapters say `entry`, as its answers are lists of entries.
 */
export function fieldsIn(error: IssuePaths, whole = 'answer'): string {
  const names = error.issues.map(
    (issue) =>
      issue.path
        .filter((key) => typeof key === 'string')
        .map(String)
        .join('.') || whole,
  );
  return [...new Set(names)].join(', ');
}

/**
 * `value` parsed by `schema`: the parsed value, or `bad_data` whose detail is `detail` and the fields
 * that failed (`Finnhub quote answer is malformed: c`). Used for a provider's raw answer; `whole` is
 * passed on to {@link fieldsIn}.
 */
export function validated<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
  detail: string,
  whole?: string,
): ProviderResult<z.infer<Schema>> {
  const result = z.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.data };
  return failure('bad_data', `${detail}: ${fieldsIn(result.error, whole)}`);
}

/**
 * `candidate` checked against a model schema: the value when it passes, else `bad_data` naming the
 * fields that failed (`FMP quote failed validation: price`), so the log says which of the provider's
 * values broke the model. `what` names the provider and the data (`Polygon aggregates`, `OVERVIEW`).
 */
export function checkedAgainst<Schema extends z.ZodMiniType>(
  schema: Schema,
  candidate: unknown,
  what: string,
): ProviderResult<z.infer<Schema>> {
  return validated(schema, candidate, `${what} failed validation`);
}

/**
 * A provider URL: `path` (starting with `/`) under `baseUrl`, with `params` as the query. A trailing
 * `/` on `baseUrl` is dropped so configuration may carry one. Where the key goes (a parameter, a
 * header) is each provider's own business.
 */
export function providerUrl(baseUrl: string, path: string, params: Record<string, string> = {}): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/**
 * A `GET` on `path` under `baseUrl` with `params` and the key as the `apikey` query parameter: the way
 * FMP and Twelve Data document it.
 */
export function apiKeyInQuery(
  baseUrl: string,
  apiKey: string,
  path: string,
  params: Record<string, string>,
): UpstreamRequest {
  const url = providerUrl(baseUrl, path, params);
  url.searchParams.set('apikey', apiKey);
  return { url };
}

/** Epoch seconds as the UTC calendar date, or `null` when it is not a plausible instant. */
export function utcDateOfEpochSeconds(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

/**
 * Bars in the query's range, ascending by date, one per date: the last bar sent for a date wins. A
 * bar whose date could not be read carries `''` and is kept (the last such), so that validation
 * names `bars.date`. For adapters that read every bar first (Finnhub, Polygon, Twelve Data).
 */
export function ascendingWithin(
  bars: DailyBar[],
  { from, to }: Pick<HistoryQuery, 'from' | 'to'>,
): DailyBar[] {
  const byDate = new Map<string, DailyBar>();
  for (const bar of bars)
    if (bar.date === '' || (bar.date >= from && bar.date <= to)) byDate.set(bar.date, bar);
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * The daily series for a history query from bars read one by one (Finnhub, Polygon, Twelve Data): the
 * client's symbol, the series' currency (`null` where the provider does not say it), the bars cut to
 * the query's range by {@link ascendingWithin}, all checked against the model as `what`.
 */
export function checkedSeries(
  query: HistoryQuery,
  currency: string | null,
  bars: DailyBar[],
  what: string,
): ProviderResult<DailySeries> {
  return checkedAgainst(
    DailySeriesSchema,
    { symbol: sanitizeSymbol(query.symbol) ?? query.symbol, currency, bars: ascendingWithin(bars, query) },
    what,
  );
}

/**
 * Bars in the query's range, ascending by date, one per date: the first bar given for a date wins
 * (unlike {@link ascendingWithin}). Each bar comes with the provider's date text; a bar whose date
 * could not be read (`date: null`, `2020-13-01`) is kept, one per distinct text, so that validation
 * names `bars.date`. For adapters that read the provider's date next to each bar (Alpha Vantage, FMP).
 */
export function firstPerDateAscending<Bar extends { readonly date: string | null }>(
  bars: Iterable<readonly [providerDate: string, bar: Bar]>,
  { from, to }: Pick<HistoryQuery, 'from' | 'to'>,
): Bar[] {
  const byDate = new Map<string, Bar>();
  for (const [providerDate, bar] of bars) {
    const { date } = bar;
    if (date !== null && (date < from || date > to || byDate.has(date))) continue;
    byDate.set(date ?? providerDate, bar);
  }
  return [...byDate.values()].sort((a, b) => ((a.date ?? '') < (b.date ?? '') ? -1 : 1));
}

/** A statement report as an adapter reads it into the model's field names, before validation. */
export type ReportCandidate = Record<string, unknown>;

/**
 * The financial statements schema with `reports` narrowed to one kind of report, so that a failure
 * names the report's field (`reports.totalRevenue`) rather than a failed union.
 */
export function reportsOf<Report extends z.ZodMiniType>(report: Report) {
  return z.extend(FinancialStatementsSchema, { reports: z.array(report) });
}

/**
 * Reports newest first, one per fiscal period end (the first one given wins). A report without a
 * date is kept for validation to name.
 */
export function newestFirst(reports: ReportCandidate[]): ReportCandidate[] {
  const seen = new Set<string>();
  const dateOf = (report: ReportCandidate) =>
    typeof report.fiscalDateEnding === 'string' ? report.fiscalDateEnding : '';
  const once = reports.filter((report) => {
    const date = dateOf(report);
    if (date === '') return true;
    if (seen.has(date)) return false;
    seen.add(date);
    return true;
  });
  return once.sort((a, b) => dateOf(b).localeCompare(dateOf(a)));
}

/** An outflow (capital expenditure, dividends) as a negative amount whatever sign it came with (and 0, not -0, for none). */
export function outflow(value: number | null): number | null {
  return value === null || value === 0 ? value : -Math.abs(value);
}

/** A raw number a provider may leave out, or send as `null`, for a listing it does not have it for. */
export const optionalNumber = z.optional(z.nullable(z.number()));

/** A raw text a provider may leave out, or send as `null`, for a listing it does not have it for. */
export const optionalText = z.optional(z.nullable(z.string()));
