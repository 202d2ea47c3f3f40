import * as z from 'zod/mini';
import { DailySeriesSchema, MAX_HISTORY_DAYS } from '../../model/daily-bars.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { checkedAgainst, firstPerDateAscending } from '../normalize.js';
import { failure, type HistoryEndpoint, isEmptyObject, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** The raw `TIME_SERIES_DAILY` answer: bars keyed by date, newest first, every figure a string. */
const DailyAnswerSchema = z.object({
  'Time Series (Daily)': z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * `compact` holds the latest 100 trading days, which span at least 137 calendar days back from Alpha
 * Vantage's last refresh (100 weekdays with no holiday among them; every such window of the NYSE
 * calendar holds one or more). A `from` up to 135 days before the range's end is therefore inside
 * `compact`; anything older needs `full` (20 years), which is premium: free keys get an `Information`
 * notice instead (docs/providers.md).
 */
export const COMPACT_REACH_DAYS = 135;
const DAY_MS = 24 * 3600 * 1000;

/** `compact` when the range starts within {@link COMPACT_REACH_DAYS} of its end (today, for the series fetch), else `full`. */
export function alphaVantageOutputSize(from: string, to: string): 'compact' | 'full' {
  const cutoff = new Date(Date.parse(`${to}T00:00:00Z`) - COMPACT_REACH_DAYS * DAY_MS)
    .toISOString()
    .slice(0, 10);
  return from >= cutoff ? 'compact' : 'full';
}

/**
 * Alpha Vantage's `TIME_SERIES_DAILY`: unadjusted daily bars, cut to the asked range, ascending. The
 * free plan reaches what `compact` holds, so it is never asked for `full`; a paid plan reaches 20 years.
 */
export const alphaVantageDailySeries: HistoryEndpoint = {
  provider: 'alpha-vantage',
  dataType: 'daily_history',
  reachDays: { free: COMPACT_REACH_DAYS, paid: MAX_HISTORY_DAYS },
  // TIME_SERIES_DAILY is "raw (as-traded)"; the adjusted series is TIME_SERIES_DAILY_ADJUSTED, premium.
  basis: 'raw',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, {
      function: 'TIME_SERIES_DAILY',
      symbol,
      outputsize: alphaVantageOutputSize(from, to),
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
