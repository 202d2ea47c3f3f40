import * as z from 'zod/mini';
import { type DailySeries, DailySeriesSchema, type HistoryQuery } from '../../model/daily-bars.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { checkedAgainst, firstPerDateAscending } from '../normalize.js';
import { failure, isEmptyObject, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** The raw `TIME_SERIES_DAILY` answer: bars keyed by date, newest first, every figure a string. */
const DailyAnswerSchema = z.object({
  'Time Series (Daily)': z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * `compact` holds the latest 100 trading days, which span at least 139 calendar days back from Alpha
 * Vantage's last refresh. That refresh may lag today by a long weekend, so a `from` up to 135 days
 * back is safely inside `compact`; anything older needs `full` (20 years, a far bigger answer).
 */
const COMPACT_REACH_DAYS = 135;
const DAY_MS = 24 * 3600 * 1000;

/** `compact` when the range starts within the latest ~100 trading days of `now`, else `full`. */
export function alphaVantageOutputSize(from: string, now: Date): 'compact' | 'full' {
  const cutoff = new Date(now.getTime() - COMPACT_REACH_DAYS * DAY_MS).toISOString().slice(0, 10);
  return from >= cutoff ? 'compact' : 'full';
}

/** Alpha Vantage's `TIME_SERIES_DAILY`: unadjusted daily bars, cut to the asked range, ascending. */
export const alphaVantageDailySeries: ProviderEndpoint<HistoryQuery, DailySeries> = {
  provider: 'alpha-vantage',
  dataType: 'daily_history',

  // The endpoint contract gives no clock here; the wall clock only picks the answer size, and a
  // wrong pick near the cutoff costs a bigger answer, never missing bars.
  buildRequest: ({ symbol, from }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, {
      function: 'TIME_SERIES_DAILY',
      symbol,
      outputsize: alphaVantageOutputSize(from, new Date()),
    }),

  classify: unknownSymbolWhen(
    classifyAlphaVantageAnswer,
    isEmptyObject,
    'Alpha Vantage returned an empty TIME_SERIES_DAILY answer',
  ),

  transform(body, { symbol, from, to }) {
    const raw = z.safeParse(DailyAnswerSchema, body);
    if (!raw.success)
      return failure('bad_data', 'TIME_SERIES_DAILY answer has no "Time Series (Daily)" object');
    // A key that is not a date (`2020-13-01`, `yesterday`) is read as `null`, so that validation names it.
    const bars = Object.entries(raw.data['Time Series (Daily)']).map(
      ([key, fields]) => [key, barOf(toIsoDate(key), fields)] as const,
    );
    const candidate = {
      symbol,
      // Alpha Vantage's series does not say its currency; OVERVIEW and search do.
      currency: null,
      bars: firstPerDateAscending(bars, { from, to }),
    };
    return checkedAgainst(DailySeriesSchema, candidate, 'TIME_SERIES_DAILY');
  },
};

/** One bar as read, before validation: a figure Alpha Vantage did not give is `null`. */
function barOf(date: string | null, fields: Record<string, unknown>) {
  return {
    date,
    open: toNumber(fields['1. open']),
    high: toNumber(fields['2. high']),
    low: toNumber(fields['3. low']),
    close: toNumber(fields['4. close']),
    // TIME_SERIES_DAILY is as traded; the adjusted series is a premium function.
    adjustedClose: null,
    volume: toNumber(fields['5. volume']),
  };
}
