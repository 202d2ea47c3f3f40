import * as z from 'zod/mini';
import {
  type DailyBar,
  type DailySeries,
  DailySeriesSchema,
  type HistoryQuery,
} from '../../model/daily-bars.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyPolygonAnswer, hasNoResults } from './classify.js';
import { checkedAgainst, fieldsIn, newYorkDateOfEpochMs } from './fields.js';
import { polygonRequest, tickerSegment } from './request.js';

/** Polygon's most bars in one answer; the default (5000) would cut a long range without saying so. */
const MAX_BARS = '50000';

const PolygonBarSchema = z.object({
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.optional(z.nullable(z.number())),
  /** Epoch milliseconds of the start of the session day (Eastern time). */
  t: z.number(),
});

const PolygonAggregatesSchema = z.object({ results: z.array(PolygonBarSchema) });

/**
 * Polygon's daily aggregates, `/v2/aggs/ticker/{T}/range/1/day/{from}/{to}?adjusted=true&sort=asc`.
 * Bars are dated in America/New_York (see `newYorkDateOfEpochMs`). With `adjusted=true` Polygon
 * adjusts prices for splits but not for dividends, so `close` is split-adjusted and `adjustedClose`
 * (split- and dividend-adjusted) is not given. No bars (`resultsCount: 0`) reads as an unknown symbol,
 * as for Finnhub and Twelve Data: Polygon says the same for a ticker it does not list.
 */
export const polygonDailyBars: ProviderEndpoint<HistoryQuery, DailySeries> = {
  provider: 'polygon',
  dataType: 'daily_history',
  plan: 'free',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, `/v2/aggs/ticker/${tickerSegment(symbol)}/range/1/day/${from}/${to}`, {
      adjusted: 'true',
      sort: 'asc',
      limit: MAX_BARS,
    }),

  classify(answer, now) {
    const byMeaning = classifyPolygonAnswer(answer, now);
    if (byMeaning) return byMeaning;
    if (hasNoResults(answer.body))
      return { kind: 'unknown_symbol', detail: 'Polygon returned no bars in the range' };
    return null;
  },

  transform(body, query) {
    const raw = z.safeParse(PolygonAggregatesSchema, body);
    if (!raw.success) return failure('bad_data', `Polygon aggregates are malformed: ${fieldsIn(raw.error)}`);
    const bars = raw.data.results.map(
      (bar): DailyBar => ({
        // An implausible stamp stays empty and fails validation as `bars.date`.
        date: newYorkDateOfEpochMs(bar.t) ?? '',
        open: bar.o,
        high: bar.h,
        low: bar.l,
        close: bar.c,
        adjustedClose: null,
        volume: bar.v ?? null,
      }),
    );
    return checkedAgainst(
      DailySeriesSchema,
      {
        symbol: sanitizeSymbol(query.symbol) ?? query.symbol,
        currency: null,
        bars: ascendingWithin(bars, query),
      },
      'Polygon aggregates',
    );
  },
};

/** Bars in the query's range, ascending by date, one per date (the last one sent wins). */
function ascendingWithin(bars: DailyBar[], { from, to }: HistoryQuery): DailyBar[] {
  const byDate = new Map<string, DailyBar>();
  for (const bar of bars)
    if (bar.date === '' || (bar.date >= from && bar.date <= to)) byDate.set(bar.date, bar);
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
