import { type DailySeries, type HistoryQuery, MAX_HISTORY_DAYS } from '../model/daily-bars.js';
import type { ProviderEndpoint } from '../providers/provider.js';
import type { CacheLookup } from './data-cache.js';

/** An inclusive range of ISO dates. */
export interface DateRange {
  from: string;
  to: string;
}

/**
 * A symbol's daily series as cached, whatever range a request asked: the bars a provider gave and
 * the dates it was asked for. A day inside `covers` without a bar had no trading (or none the
 * provider knows of), so any request within `covers` is answered by slicing.
 */
export interface CoveredSeries extends DailySeries {
  covers: DateRange;
}

/**
 * The shortest span a miss asks for, back from today: one provider call then serves every chart of
 * up to two years (the default request is 140 days), a deeper request extends the series once. Not
 * the API's whole 20 years: most requests are short, and every hit reads the whole cached series
 * (~12 KB compressed for two years, ~118 KB for twenty).
 */
export const MIN_SERIES_SPAN_DAYS = 2 * 366;

const DAY_MS = 86_400_000;

function daysBefore(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/** The earliest and latest of ISO dates, which sort as text. */
function earliest(first: string, ...rest: string[]): string {
  return [first, ...rest].sort()[0] ?? first;
}
function latest(first: string, ...rest: string[]): string {
  return [first, ...rest].sort().at(-1) ?? first;
}

/** A history endpoint whose answers record the range they were asked for. */
export function recordingCoverage(
  endpoint: ProviderEndpoint<HistoryQuery, DailySeries>,
): ProviderEndpoint<HistoryQuery, CoveredSeries> {
  return {
    ...endpoint,
    transform(body, query) {
      const result = endpoint.transform(body, query);
      if (!result.ok) return result;
      return { ok: true, value: { ...result.value, covers: { from: query.from, to: query.to } } };
    },
  };
}

/**
 * What to ask the providers for when the cache cannot answer `query`: up to today (UTC), back to the
 * earliest of the query's `from`, {@link MIN_SERIES_SPAN_DAYS} ago, and the cached series' own start
 * (kept up to the API's 20-year reach), so the new series holds everything the old one did and
 * replaces it whole. One answer rather than old and new bars merged: a split or dividend between the
 * two fetches re-adjusts past prices, and a merge would mix both scales in one series.
 */
export function seriesFetchQuery(
  query: HistoryQuery,
  cached: CacheLookup<CoveredSeries>,
  now: Date,
): HistoryQuery {
  const today = now.toISOString().slice(0, 10);
  const starts = [daysBefore(today, MIN_SERIES_SPAN_DAYS)];
  if (cached.kind === 'value') {
    starts.push(latest(cached.entry.value.covers.from, daysBefore(today, MAX_HISTORY_DAYS)));
  }
  return { symbol: query.symbol, from: earliest(query.from, ...starts), to: latest(query.to, today) };
}

/**
 * Whether a cached series reaches back to the query's start. Its end needs no check: a fresh series
 * lacks no bar (daily history is fresh until the next market close, the earliest a new bar can
 * appear), and a stale one lacks the bars since it was fetched, which is what stale means.
 */
export function reachesBack(series: CoveredSeries, query: DateRange): boolean {
  return series.covers !== undefined && series.covers.from <= query.from;
}

/**
 * The cache read as it stands for `query`: a series that does not reach back to the query's start can
 * serve it neither fresh nor stale, so it counts as nothing cached.
 */
export function seriesLookupFor(
  cached: CacheLookup<CoveredSeries>,
  query: DateRange,
): CacheLookup<CoveredSeries> {
  return cached.kind === 'value' && !reachesBack(cached.entry.value, query) ? { kind: 'none' } : cached;
}

/** The bars of `series` within `range`, as a series covering exactly that range. */
export function sliceSeries(series: CoveredSeries, range: DateRange): CoveredSeries {
  const bars = series.bars.filter((bar) => bar.date >= range.from && bar.date <= range.to);
  return { symbol: series.symbol, currency: series.currency, bars, covers: { ...range } };
}

/** The series as the API answers it, without the cache's bookkeeping. */
export function withoutCoverage({ symbol, currency, bars }: CoveredSeries): DailySeries {
  return { symbol, currency, bars };
}
