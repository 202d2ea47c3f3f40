import * as z from 'zod/mini';
import type { DailyBar } from '../../model/daily-bars.js';
import { checkedSeries, validated } from '../normalize.js';
import { type HistoryEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyPolygonAnswer, hasNoResults } from './classify.js';
import { newYorkDateOfEpochMs, polygonBarFields } from './fields.js';
import { polygonRequest, tickerSegment } from './request.js';

/** Polygon's most bars in one answer; the default (5000) would cut a long range without saying so. */
const MAX_BARS = '50000';

const PolygonAggregatesSchema = z.object({ results: z.array(z.object(polygonBarFields)) });

/**
 * Polygon's daily aggregates, `/v2/aggs/ticker/{T}/range/1/day/{from}/{to}?adjusted=true&sort=asc`.
 * Bars are dated in America/New_York (see `newYorkDateOfEpochMs`). With `adjusted=true` Polygon
 * adjusts prices for splits but not for dividends, so `close` is split-adjusted and `adjustedClose`
 * (split- and dividend-adjusted) is not given. No bars (`resultsCount: 0`) reads as an unknown symbol,
 * as for Finnhub and Twelve Data: Polygon says the same for a ticker it does not list. The free
 * (Basic) plan holds 2 years of daily history, Starter (the least paid plan) 5; older ranges are
 * refused with 403 `NOT_AUTHORIZED` (docs/providers.md).
 */
export const polygonDailyBars: HistoryEndpoint = {
  provider: 'polygon',
  dataType: 'daily_history',
  plan: 'free',
  reachDays: { free: 2 * 365, paid: 5 * 365 },
  // `adjusted=true` (also Polygon's default): adjusted for splits, not for dividends.
  basis: 'splits',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, `/v2/aggs/ticker/${tickerSegment(symbol)}/range/1/day/${from}/${to}`, {
      adjusted: 'true',
      sort: 'asc',
      limit: MAX_BARS,
    }),

  classify: unknownSymbolWhen(classifyPolygonAnswer, hasNoResults, 'Polygon returned no bars in the range'),

  transform(body, query) {
    const raw = validated(PolygonAggregatesSchema, body, 'Polygon aggregates are malformed');
    if (!raw.ok) return raw;
    const bars = raw.value.results.map(
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
    return checkedSeries(query, null, bars, 'Polygon aggregates');
  },
};
