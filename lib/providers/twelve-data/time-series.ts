import * as z from 'zod/mini';
import { type DailyBar, MAX_HISTORY_DAYS } from '../../model/daily-bars.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { checkedSeries, validated } from '../normalize.js';
import type { HistoryEndpoint } from '../provider.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { currencyOf } from './fields.js';
import { twelveDataRequest } from './request.js';
import { toTwelveDataSymbol } from './symbols.js';

const figure = z.optional(z.nullable(z.union([z.string(), z.number()])));

/** One bar of `/time_series`: every figure a decimal string. */
const TwelveDataBarSchema = z.object({
  datetime: z.string(),
  open: figure,
  high: figure,
  low: figure,
  close: figure,
  volume: figure,
});

/** Twelve Data's `/time_series` answer: the listing's details and its bars. */
const TwelveDataSeriesSchema = z.object({
  meta: z.object({ currency: z.optional(z.nullable(z.string())) }),
  values: z.array(TwelveDataBarSchema),
});

/**
 * Twelve Data's daily `/time_series` (free plan) over the query's dates. Twelve Data counts
 * `end_date` as exclusive for some intervals, so the request asks one day past `to` and the bars are
 * cut back to the range; the answer's order (newest first by default) is not relied on either: bars
 * are sorted ascending here. The bars are not adjusted for dividends, hence no `adjustedClose`.
 */
export const twelveDataTimeSeries: HistoryEndpoint = {
  provider: 'twelve-data',
  dataType: 'daily_history',
  plan: 'free',
  // Every plan: up to 5000 bars an answer (about 19.8 years of sessions), so a 20-year range comes
  // back without its oldest weeks and is cached as covering what came (lib/cache/series.ts).
  reachDays: { free: MAX_HISTORY_DAYS, paid: MAX_HISTORY_DAYS },
  // Twelve Data adjusts `time_series` for splits, not for dividends (its support article 5179064).
  basis: 'splits',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/time_series', {
      symbol: toTwelveDataSymbol(symbol),
      interval: '1day',
      start_date: from,
      end_date: dayAfter(to),
      order: 'asc',
      // Twelve Data's maximum; with dates set it is the default, said here so nothing is cut silently.
      outputsize: '5000',
    }),

  // "No data is available on the specified dates" reads as an unknown symbol, as for Finnhub and
  // Polygon: the next provider may have the bars.
  classify: classifyTwelveDataAnswer,

  transform(body, query) {
    const raw = validated(TwelveDataSeriesSchema, body, 'Twelve Data time series is malformed');
    if (!raw.ok) return raw;
    const bars = raw.value.values.map(
      (value): DailyBar => ({
        // An unreadable date stays empty and fails validation as `bars.date`.
        date: toIsoDate(value.datetime) ?? '',
        open: toNumber(value.open) ?? Number.NaN,
        high: toNumber(value.high) ?? Number.NaN,
        low: toNumber(value.low) ?? Number.NaN,
        close: toNumber(value.close) ?? Number.NaN,
        adjustedClose: null,
        volume: toNumber(value.volume),
      }),
    );
    return checkedSeries(query, currencyOf(raw.value.meta.currency), bars, 'Twelve Data time series');
  },
};

function dayAfter(isoDate: string): string {
  const next = new Date(Date.parse(`${isoDate}T00:00:00Z`) + 86_400_000);
  return Number.isNaN(next.getTime()) ? isoDate : next.toISOString().slice(0, 10);
}
