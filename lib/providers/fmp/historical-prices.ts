import * as z from 'zod/mini';
import { DailySeriesSchema, MAX_HISTORY_DAYS } from '../../model/daily-bars.js';
import { toIsoDate } from '../../validation/sanitize.js';
import { checkedAgainst, firstPerDateAscending, optionalNumber, validated } from '../normalize.js';
import { failure, type HistoryEndpoint } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { toFmpSymbol } from './symbols.js';

/**
 * One day of `/stable/historical-price-eod/full`: the fields this layer reads, others ignored.
 * FMP sends JSON numbers; a figure it does not have is absent or `null`.
 */
const FmpEodBarSchema = z.object({
  date: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: optionalNumber,
  /** Not in the stable answer (its adjusted prices are another endpoint); read if present. */
  adjClose: optionalNumber,
});

/** The stable endpoint answers a flat list of days, newest first. */
const FmpEodAnswerSchema = z.array(FmpEodBarSchema);

/**
 * FMP answers an unknown symbol and a range without trading days alike, with `[]`. Any 7 calendar days
 * hold trading days, so an empty answer over a week or more means FMP does not know the symbol; over a
 * shorter range (a weekend, a holiday) it is an empty series.
 */
const RANGE_THAT_HOLDS_TRADING_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

/**
 * FMP's `/stable/historical-price-eod/full`: split-adjusted daily bars in the asked range, ascending. The
 * free (Basic) plan holds 5 years of history, the paid plans 30 and more (docs/providers.md).
 */
export const fmpHistoricalPrices: HistoryEndpoint = {
  provider: 'fmp',
  dataType: 'daily_history',
  reachDays: { free: 5 * 365, paid: MAX_HISTORY_DAYS },
  // `historical-price-eod/full` is split-adjusted (not for dividends); FMP serves the unadjusted
  // prices on `historical-price-eod/non-split-adjusted` and the dividend-adjusted on `.../dividend-adjusted`.
  basis: 'splits',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/historical-price-eod/full', {
      symbol: toFmpSymbol(symbol),
      from,
      to,
    }),

  classify: classifyFmpAnswer,

  transform(body, { symbol, from, to }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP historical answer is not a list');
    if (body.length === 0 && daysBetween(from, to) >= RANGE_THAT_HOLDS_TRADING_DAYS) {
      return failure('unknown_symbol', 'FMP returned no bars over a range that holds trading days');
    }
    const raw = validated(FmpEodAnswerSchema, body, 'FMP historical answer is malformed', 'entry');
    if (!raw.ok) return raw;
    // A date that is not one (`2020-13-01`) is read as `null`, so that validation names it.
    const bars = raw.value.map(
      (bar) =>
        [
          bar.date,
          {
            date: toIsoDate(bar.date),
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            adjustedClose: bar.adjClose ?? null,
            volume: bar.volume ?? null,
          },
        ] as const,
    );
    const candidate = {
      symbol,
      // The EOD answer does not say its currency; the profile does.
      currency: null,
      // FMP honours from/to, but a bar outside them is not what was asked for; a date twice is kept once.
      bars: firstPerDateAscending(bars, { from, to }),
    };
    return checkedAgainst(DailySeriesSchema, candidate, 'FMP historical prices');
  },
};

/** Calendar days from `from` to `to`, both included; 0 when the range is not two valid dates in order. */
function daysBetween(from: string, to: string): number {
  const span = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return Number.isFinite(span) && span >= 0 ? span / DAY_MS + 1 : 0;
}
