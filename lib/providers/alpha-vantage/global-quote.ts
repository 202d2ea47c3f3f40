import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { percentToFraction, toIsoDate, toNumber } from '../../validation/sanitize.js';
import { checkedAgainst } from '../normalize.js';
import { failure, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** The raw `GLOBAL_QUOTE` answer: every value a string, keys numbered as Alpha Vantage sends them. */
const GlobalQuoteAnswerSchema = z.object({
  'Global Quote': z.record(z.string(), z.unknown()),
});

/** Alpha Vantage's `GLOBAL_QUOTE`: the latest price and the day's bar for one symbol. */
export const alphaVantageGlobalQuote: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'alpha-vantage',
  dataType: 'quote',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: 'GLOBAL_QUOTE', symbol }),

  classify: unknownSymbolWhen(
    classifyAlphaVantageAnswer,
    (body) => {
      const quote = (body as Record<string, unknown>)['Global Quote'];
      return typeof quote === 'object' && quote !== null && Object.keys(quote).length === 0;
    },
    'Alpha Vantage returned an empty Global Quote',
  ),

  transform(body, { symbol }) {
    const raw = z.safeParse(GlobalQuoteAnswerSchema, body);
    if (!raw.success) return failure('bad_data', 'GLOBAL_QUOTE answer has no "Global Quote" object');
    const fields = raw.data['Global Quote'];
    const candidate = {
      symbol: typeof fields['01. symbol'] === 'string' ? fields['01. symbol'].trim().toUpperCase() : symbol,
      price: toNumber(fields['05. price']),
      open: toNumber(fields['02. open']),
      high: toNumber(fields['03. high']),
      low: toNumber(fields['04. low']),
      previousClose: toNumber(fields['08. previous close']),
      change: toNumber(fields['09. change']),
      changePercent: percentToFraction(fields['10. change percent']),
      volume: toNumber(fields['06. volume']),
      tradingDay: toIsoDate(fields['07. latest trading day']),
      // GLOBAL_QUOTE does not say the currency; a listing's currency comes from OVERVIEW or search.
      currency: null,
    };
    return checkedAgainst(QuoteSchema, candidate, 'GLOBAL_QUOTE');
  },
};
