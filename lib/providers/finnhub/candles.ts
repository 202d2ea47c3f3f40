import * as z from 'zod/mini';
import { type DailyBar, MAX_HISTORY_DAYS } from '../../model/daily-bars.js';
import { checkedSeries, utcDateOfEpochSeconds, validated } from '../normalize.js';
import { failure, type HistoryEndpoint, recordOf, unknownSymbolWhen } from '../provider.js';
import { classifyFinnhubAnswer } from './classify.js';
import { finnhubRequest } from './request.js';

const SECONDS_PER_DAY = 86_400;

/** Finnhub's `/api/v1/stock/candle` answer: one array per field, `s` saying `ok` or `no_data`. */
const FinnhubCandlesSchema = z.object({
  s: z.literal('ok'),
  /** Epoch seconds of each bar. */
  t: z.array(z.number()),
  o: z.array(z.number()),
  h: z.array(z.number()),
  l: z.array(z.number()),
  c: z.array(z.number()),
  v: z.optional(z.array(z.number())),
});

type FinnhubCandles = z.infer<typeof FinnhubCandlesSchema>;

/**
 * Finnhub's daily candles, `/api/v1/stock/candle?resolution=D`. Finnhub moved candles off the free
 * plan, so the endpoint is `paid`: used only when the operator says the key's plan has them (a free
 * key gets 403 "You don't have access to this resource.", read as `plan_restricted`).
 */
export const finnhubCandles: HistoryEndpoint = {
  provider: 'finnhub',
  dataType: 'daily_history',
  plan: 'paid',
  // No depth at all on the free plan; premium plans have the full history.
  reachDays: { free: 0, paid: MAX_HISTORY_DAYS },
  // Candles are unadjusted unless `adjusted=true` is asked (Finnhub's default is false).
  basis: 'raw',

  buildRequest: ({ symbol, from, to }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/stock/candle', {
      symbol,
      resolution: 'D',
      from: String(epochSecondsOf(from)),
      // The whole of the last day: `to` is an instant, the query's `to` a date.
      to: String(epochSecondsOf(to) + SECONDS_PER_DAY - 1),
    }),

  // `{"s":"no_data"}` is Finnhub's answer both for a symbol it does not list and for a range without
  // trading. Reading it as an unknown symbol lets the next provider try; reading it as an empty
  // series would stop at Finnhub and cache nothing for a symbol others may have.
  classify: unknownSymbolWhen(
    classifyFinnhubAnswer,
    (body) => recordOf(body)?.s === 'no_data',
    'Finnhub had no candles for the symbol in the range',
  ),

  transform(body, query) {
    const raw = validated(FinnhubCandlesSchema, body, 'Finnhub candles answer is malformed');
    if (!raw.ok) return raw;
    const bars = barsOf(raw.value);
    if (bars === null) return failure('bad_data', 'Finnhub candles answer has arrays of different lengths');
    // The candles do not say their currency.
    return checkedSeries(query, null, bars, 'Finnhub candles');
  },
};

function epochSecondsOf(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / 1000);
}

/**
 * The bars of Finnhub's parallel arrays, or `null` when they do not line up. Finnhub stamps a daily
 * candle at 00:00 UTC of its session, so the UTC date is the session date. Candles are unadjusted
 * (Finnhub's `adjusted` defaults to false), hence no `adjustedClose`.
 */
function barsOf(raw: FinnhubCandles): DailyBar[] | null {
  const count = raw.t.length;
  const columns = [raw.o, raw.h, raw.l, raw.c, ...(raw.v ? [raw.v] : [])];
  if (columns.some((column) => column.length !== count)) return null;
  return raw.t.map((t, i) => ({
    // An implausible stamp becomes an empty date, which fails validation as `bars.date`.
    date: utcDateOfEpochSeconds(t) ?? '',
    open: raw.o[i] ?? Number.NaN,
    high: raw.h[i] ?? Number.NaN,
    low: raw.l[i] ?? Number.NaN,
    close: raw.c[i] ?? Number.NaN,
    adjustedClose: null,
    volume: raw.v?.[i] ?? null,
  }));
}
