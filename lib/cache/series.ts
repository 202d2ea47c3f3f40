import { type DailySeries, type HistoryQuery, MAX_HISTORY_DAYS } from '../model/daily-bars.js';
import type { PriceActions } from '../prices/adjust.js';
import { type AsTradedConversion, toAsTraded } from '../prices/as-traded.js';
import type { HistoryEndpoint, ProviderEndpoint, ProviderPlan } from '../providers/provider.js';
import type { CacheLookup } from './data-cache.js';

/** An inclusive range of ISO dates. */
export interface DateRange {
  from: string;
  to: string;
}

/**
 * A symbol's daily series as cached, whatever range a request asked: the bars a provider gave and
 * the dates they cover (see {@link coverageOf}). A day inside `covers` without a bar had no trading,
 * so any request within `covers` is answered by slicing.
 */
export interface CoveredSeries extends DailySeries {
  covers: DateRange;
  /**
   * How the provider's bars were brought to as traded (its basis, the day it answered, the actions
   * known then): the bars are cached as traded and adjusted on the way out. Absent on a series cached
   * before the layer converted, which is read as traded with no action known.
   */
  asTraded?: AsTradedConversion;
}

/**
 * What a series fetch asks the providers, and what its conversion to as traded needs: the corporate
 * actions the layer knows and the day the providers are asked. Carried in the query, so the endpoint
 * wrapper converts an answer the moment it is read, with no call back into the service.
 */
export interface SeriesFetchQuery extends HistoryQuery {
  /** The symbol's splits and dividends as the layer knows them; none when absent. */
  actions?: PriceActions;
  /** The day (UTC) the providers answer on: the latest ex-date their adjustment reflects; `to` when absent. */
  answeredOn?: string;
}

const NO_ACTIONS: PriceActions = { splits: [], dividends: [] };

/**
 * How far back a miss asks an endpoint whose plan reaches further than the request: one provider
 * call then serves every chart of up to two years (the default request is 135 days), a deeper request
 * extends the series once. Not the API's whole 20 years: most requests are short, and every hit reads
 * the whole cached series (~12 KB compressed for two years, ~118 KB for twenty). An endpoint whose plan
 * reaches less (Alpha Vantage free: `compact`) is asked only for what it reaches.
 */
export const MIN_SERIES_SPAN_DAYS = 2 * 366;

/**
 * Days after a range's start within which its first bar still shows the range covered from its start:
 * the days between are a weekend or an exchange holiday (the longest regular closure, a Friday holiday
 * and its weekend, puts the first session 3 days after a Friday start; one more for a rare extra
 * closure). A first bar later than that means the provider had nothing earlier for us: its plan cut the
 * range, or the symbol was listed later (the two look alike in one answer).
 */
export const START_SLACK_DAYS = 4;

const DAY_MS = 86_400_000;

function daysBefore(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/** The earliest and latest of ISO dates, which compare as text (`Math.min` would read them as NaN). */
function earliest(first: string, ...rest: string[]): string {
  // biome-ignore lint/complexity/useMathMinMax: dates as text, see above
  return rest.reduce((min, date) => (date < min ? date : min), first);
}
function latest(first: string, ...rest: string[]): string {
  // biome-ignore lint/complexity/useMathMinMax: dates as text, see above
  return rest.reduce((max, date) => (date > max ? date : max), first);
}

/**
 * The dates a provider's answer to `asked` covers: to the asked end (daily history holds no bar past
 * the last session), and from the asked start when the first bar falls within {@link START_SLACK_DAYS}
 * of it, else only from the first bar. So a provider that returns less history than asked is cached as
 * covering what it returned, and a later request reaching earlier asks again instead of being served
 * a hit with years missing. A symbol listed inside the range is cached from its listing too: each
 * request reaching before the listing asks the providers again (the price of never trusting a short
 * answer as complete); the service then answers what they gave. No bar at all covers the asked range.
 */
export function coverageOf(bars: readonly { date: string }[], asked: DateRange): DateRange {
  const first = bars[0]?.date;
  if (first === undefined || first <= daysBefore(asked.from, -START_SLACK_DAYS)) return { ...asked };
  return { from: first, to: asked.to };
}

/**
 * A history endpoint as the configured plan has it: it takes only queries whose start its plan reaches
 * (`supports`, so the provider manager skips it without a call), asks for the deeper of the query and
 * what one call on the plan gives cheaply (up to {@link MIN_SERIES_SPAN_DAYS}), records the range
 * its bars actually cover, and brings the bars from the provider's basis to as traded with the
 * query's corporate actions (recording how, so a later answer can set a missed split right).
 */
export function withinPlanReach(
  endpoint: HistoryEndpoint,
  plan: ProviderPlan,
): ProviderEndpoint<SeriesFetchQuery, CoveredSeries> {
  const reach = endpoint.reachDays[plan];
  const reachable = (query: HistoryQuery) => query.from >= daysBefore(query.to, reach);
  const asked = (query: SeriesFetchQuery): SeriesFetchQuery => ({
    ...query,
    from: earliest(
      query.from,
      latest(daysBefore(query.to, reach), daysBefore(query.to, MIN_SERIES_SPAN_DAYS)),
    ),
  });
  const { reachDays: _, basis, ...rest } = endpoint;
  return {
    ...rest,
    supports: (query) => reachable(query) && (endpoint.supports?.(query) ?? true),
    buildRequest: (query, access) => endpoint.buildRequest(asked(query), access),
    transform(body, query) {
      const range = asked(query);
      const result = endpoint.transform(body, range);
      if (!result.ok) return result;
      const { splits, dividends } = query.actions ?? NO_ACTIONS;
      const on = query.answeredOn ?? query.to;
      const { currency } = result.value;
      return {
        ok: true,
        value: {
          ...result.value,
          bars: toAsTraded(result.value.bars, basis, { splits, dividends }, on, currency),
          covers: coverageOf(result.value.bars, range),
          asTraded: { from: basis, on, splits: [...splits], dividends: [...dividends] },
        },
      };
    },
  };
}

/**
 * What to ask the providers for when the cache cannot answer `query`: up to today (UTC), back to the
 * earlier of the query's `from` and the cached series' own start (kept up to the API's 20-year reach),
 * so the new series holds everything the old one did and replaces it whole. One answer rather than old
 * and new bars merged: a split or dividend between the two fetches re-adjusts past prices, and a merge
 * would mix both scales in one series. Each endpoint then asks as deep as its plan gives cheaply
 * ({@link withinPlanReach}). `actions` (the symbol's corporate actions as the layer knows them) and
 * today ride along for the conversion of the answer to as traded.
 */
export function seriesFetchQuery(
  query: HistoryQuery,
  cached: CacheLookup<CoveredSeries>,
  now: Date,
  actions: PriceActions = NO_ACTIONS,
): SeriesFetchQuery {
  const today = now.toISOString().slice(0, 10);
  const starts: string[] = [];
  if (cached.kind === 'value') {
    starts.push(latest(cached.entry.value.covers.from, daysBefore(today, MAX_HISTORY_DAYS)));
  }
  const from = earliest(query.from, ...starts);
  return { symbol: query.symbol, from, to: latest(query.to, today), actions, answeredOn: today };
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
