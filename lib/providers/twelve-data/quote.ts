import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { checkedAgainst, validated } from '../normalize.js';
import type { ProviderEndpoint, ProviderResult } from '../provider.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { currencyOf } from './fields.js';
import { twelveDataRequest } from './request.js';
import { fromTwelveDataSymbol, toTwelveDataSymbol } from './symbols.js';

/** Twelve Data sends figures as decimal strings (`"229.87000"`); a missing one is absent or `null`. */
const figure = z.optional(z.nullable(z.union([z.string(), z.number()])));

/** One quote of Twelve Data's `/quote`: the fields this layer reads, others ignored. */
export const TwelveDataQuoteSchema = z.object({
  symbol: z.string().check(z.minLength(1)),
  mic_code: z.optional(z.nullable(z.string())),
  currency: z.optional(z.nullable(z.string())),
  /** The trading day, `YYYY-MM-DD` for daily quotes. */
  datetime: z.string(),
  open: figure,
  high: figure,
  low: figure,
  close: z.union([z.string(), z.number()]),
  volume: figure,
  previous_close: figure,
  change: figure,
  /** In percent: `"0.59074"` is 0.59074 %. */
  percent_change: figure,
});

type TwelveDataQuote = z.infer<typeof TwelveDataQuoteSchema>;

/** Twelve Data's `/quote` for one symbol (free plan): the latest daily bar and its change. */
export const twelveDataQuote: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'twelve-data',
  dataType: 'quote',
  plan: 'free',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/quote', { symbol: toTwelveDataSymbol(symbol) }),

  classify: classifyTwelveDataAnswer,

  transform: (body, { symbol }) => quoteFromTwelveData(body, symbol),
};

/**
 * One Twelve Data quote object as a standard quote, for the client's `symbol`; shared by `/quote`
 * and its batch form, whose entries have the same shape.
 */
export function quoteFromTwelveData(entry: unknown, symbol: string): ProviderResult<Quote> {
  const raw = validated(TwelveDataQuoteSchema, entry, 'Twelve Data quote answer is malformed');
  if (!raw.ok) return raw;
  return checkedAgainst(QuoteSchema, quoteOf(raw.value, symbol), 'Twelve Data quote');
}

function quoteOf(raw: TwelveDataQuote, symbol: string): Record<string, unknown> {
  const asked = toTwelveDataSymbol(symbol).split(':')[0];
  const answered = raw.symbol.trim().toUpperCase();
  return {
    // The client's own spelling when Twelve Data answered for what was asked (it echoes the ticker
    // without the venue); otherwise its listing in the clients' form.
    symbol:
      answered === asked
        ? (sanitizeSymbol(symbol) ?? symbol)
        : (sanitizeSymbol(fromTwelveDataSymbol(answered, raw.mic_code)) ?? answered),
    price: toNumber(raw.close),
    open: toNumber(raw.open),
    high: toNumber(raw.high),
    low: toNumber(raw.low),
    previousClose: toNumber(raw.previous_close),
    change: toNumber(raw.change),
    changePercent: toNumber(raw.percent_change),
    volume: toNumber(raw.volume),
    tradingDay: toIsoDate(raw.datetime),
    currency: currencyOf(raw.currency),
  };
}
