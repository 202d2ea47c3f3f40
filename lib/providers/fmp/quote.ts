import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { checkedAgainst, optionalNumber, utcDateOfEpochSeconds, validated } from '../normalize.js';
import { failure, isEmptyList, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { fmpEntryFor, toFmpSymbol } from './symbols.js';

/**
 * One entry of FMP's `/stable/quote` answer: the fields this layer reads, others ignored.
 * FMP sends JSON numbers; a field it does not have for a listing is absent or `null`.
 */
const FmpQuoteSchema = z.object({
  symbol: z.string().check(z.minLength(1)),
  price: z.number(),
  /** In percent: -0.47641 is -0.47641 %. */
  changePercentage: optionalNumber,
  change: optionalNumber,
  volume: optionalNumber,
  dayLow: optionalNumber,
  dayHigh: optionalNumber,
  open: optionalNumber,
  previousClose: optionalNumber,
  /** Epoch seconds of the last trade. */
  timestamp: z.number(),
  /** Not in today's answer; read if FMP ever adds it. */
  currency: z.optional(z.nullable(z.string())),
});

/** `/stable/quote` answers a list, one entry per symbol asked for. */
const FmpQuoteAnswerSchema = z.array(FmpQuoteSchema).check(z.minLength(1));

/** FMP's `/stable/quote`: the latest price and the day's bar for one symbol. */
export const fmpQuote: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'fmp',
  dataType: 'quote',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/quote', { symbol: toFmpSymbol(symbol) }),

  // FMP answers a symbol it does not list with HTTP 200 and an empty list.
  classify: unknownSymbolWhen(classifyFmpAnswer, isEmptyList, 'FMP returned an empty quote list'),

  transform(body, { symbol }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP quote answer is not a list');
    const raw = validated(FmpQuoteAnswerSchema, body, 'FMP quote answer is malformed', 'entry');
    if (!raw.ok) return raw;
    const found = fmpEntryFor(raw.value, symbol);
    if (!found) return failure('bad_data', 'FMP quote answer is empty');
    const { entry } = found;
    const candidate = {
      symbol: found.symbol,
      price: entry.price,
      open: entry.open ?? null,
      high: entry.dayHigh ?? null,
      low: entry.dayLow ?? null,
      previousClose: entry.previousClose ?? null,
      change: entry.change ?? null,
      changePercent: entry.changePercentage ?? null,
      volume: entry.volume ?? null,
      // The trading day as the UTC date of the last trade. FMP's quote carries no exchange time zone, and
      // the UTC date is the exchange's own date for the regular sessions of the US, Europe and most of
      // Asia. It can be a day off for trades near midnight UTC: US after-hours past 20:00 EDT, or an
      // Australian or New Zealand open in their summer. An implausible timestamp gives `null`, which
      // fails validation as `tradingDay`.
      tradingDay: utcDateOfEpochSeconds(entry.timestamp),
      // The quote does not say its currency (the profile endpoint does); `null` rather than a guess.
      currency: entry.currency ? entry.currency.trim().toUpperCase() : null,
    };
    return checkedAgainst(QuoteSchema, candidate, 'FMP quote');
  },
};
