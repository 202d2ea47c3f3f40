import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { checkedAgainst, optionalNumber, utcDateOfEpochSeconds, validated } from '../normalize.js';
import { type ProviderEndpoint, recordOf, unknownSymbolWhen } from '../provider.js';
import { classifyFinnhubAnswer } from './classify.js';
import { finnhubRequest } from './request.js';

/**
 * Finnhub's `/api/v1/quote` answer: single-letter keys, all numbers.
 * Finnhub sends JSON numbers; `d` and `dp` are `null` when it has no change to report.
 */
const FinnhubQuoteSchema = z.object({
  /** Current (last) price. */
  c: z.number(),
  /** Change over the previous close. */
  d: optionalNumber,
  /** Change in percent: 1.2558 is 1.2558 %. */
  dp: optionalNumber,
  h: optionalNumber,
  l: optionalNumber,
  o: optionalNumber,
  pc: optionalNumber,
  /** Epoch seconds of the last trade. */
  t: z.number(),
});

type FinnhubQuote = z.infer<typeof FinnhubQuoteSchema>;

/** Finnhub's `/api/v1/quote` (free plan): the latest price and the day's range for one symbol. */
export const finnhubQuote: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'finnhub',
  dataType: 'quote',
  plan: 'free',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/quote', { symbol }),

  classify: unknownSymbolWhen(classifyFinnhubAnswer, isAllZeroQuote, 'Finnhub returned an all-zero quote'),

  transform(body, { symbol }) {
    const raw = validated(FinnhubQuoteSchema, body, 'Finnhub quote answer is malformed');
    if (!raw.ok) return raw;
    return checkedAgainst(QuoteSchema, quoteOf(raw.value, symbol), 'Finnhub quote');
  },
};

/**
 * Finnhub answers a symbol it does not list with HTTP 200 and a quote of zeros (`t: 0`, `d` and `dp`
 * null), not with an error.
 */
function isAllZeroQuote(body: unknown): boolean {
  const record = recordOf(body);
  if (record === undefined) return false;
  const { c, h, l, o, pc, t } = record;
  return t === 0 && [c, h, l, o, pc].every((value) => value === 0 || value === undefined || value === null);
}

function quoteOf(raw: FinnhubQuote, symbol: string): Record<string, unknown> {
  return {
    // The quote does not echo the symbol: the client's own spelling, checked like any symbol.
    symbol: sanitizeSymbol(symbol) ?? symbol,
    price: raw.c,
    open: priceOrNull(raw.o),
    high: priceOrNull(raw.h),
    low: priceOrNull(raw.l),
    previousClose: priceOrNull(raw.pc),
    change: raw.d ?? null,
    changePercent: raw.dp ?? null,
    // The quote carries no volume.
    volume: null,
    // The UTC date of the last trade, as for FMP: right for the regular sessions of the US, Europe
    // and most of Asia; a day off only for trades near midnight UTC.
    tradingDay: utcDateOfEpochSeconds(raw.t),
    // Not in the quote (the profile says it); `null` rather than a guess.
    currency: null,
  };
}

/** Finnhub writes 0 where it has no price; no listed price is 0, so 0 is "missing". */
function priceOrNull(value: number | null | undefined): number | null {
  return value === undefined || value === null || value === 0 ? null : value;
}
