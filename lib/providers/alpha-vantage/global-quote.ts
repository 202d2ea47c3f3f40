import { type Quote, QuoteSchema } from '../../model/quote.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { checkedAgainst } from '../normalize.js';
import { failure, type ProviderEndpoint, recordOf, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import type { AlphaVantageEntitlement } from './entitlement.js';
import { alphaVantageRequest } from './request.js';

/**
 * The top-level key of a `GLOBAL_QUOTE` answer. Alpha Vantage names the entitlement in it: `Global
 * Quote` for its default data, `Global Quote - DATA DELAYED BY 15 MINUTES` for `entitlement=delayed`.
 * The whole family is read, not a list of known suffixes, so that a new wording is not taken for bad
 * data (which would count against Alpha Vantage's breaker and send every quote to the next provider).
 */
const GLOBAL_QUOTE_KEY = /^Global Quote\b/i;

/**
 * The quote object of a `GLOBAL_QUOTE` answer, under whichever key of the `Global Quote` family it
 * came; `undefined` when the answer has none.
 */
function globalQuoteFieldsOf(body: unknown): Record<string, unknown> | undefined {
  const answer = recordOf(body) ?? {};
  for (const [key, value] of Object.entries(answer)) {
    const fields = GLOBAL_QUOTE_KEY.test(key) ? recordOf(value) : undefined;
    if (fields) return fields;
  }
  return undefined;
}

/**
 * Alpha Vantage's `GLOBAL_QUOTE`: the latest price and the day's bar for one symbol. With an
 * `entitlement` (a premium plan's `delayed` or `realtime` US data) the request asks for it; with
 * `null` it asks for the default data, which every key may have.
 */
export function alphaVantageGlobalQuoteWith(
  entitlement: AlphaVantageEntitlement | null,
): ProviderEndpoint<{ symbol: string }, Quote> {
  return {
    provider: 'alpha-vantage',
    dataType: 'quote',

    buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
      alphaVantageRequest(baseUrl, apiKey, {
        function: 'GLOBAL_QUOTE',
        symbol,
        ...(entitlement === null ? {} : { entitlement }),
      }),

    // A symbol Alpha Vantage does not list gets an empty quote object, under the key of the asked form.
    classify: unknownSymbolWhen(
      classifyAlphaVantageAnswer,
      (body) => {
        const fields = globalQuoteFieldsOf(body);
        return fields !== undefined && Object.keys(fields).length === 0;
      },
      'Alpha Vantage returned an empty Global Quote',
    ),

    transform(body, { symbol }) {
      const fields = globalQuoteFieldsOf(body);
      if (!fields) return failure('bad_data', 'GLOBAL_QUOTE answer has no "Global Quote" object');
      const candidate = {
        symbol: typeof fields['01. symbol'] === 'string' ? fields['01. symbol'].trim().toUpperCase() : symbol,
        price: toNumber(fields['05. price']),
        open: toNumber(fields['02. open']),
        high: toNumber(fields['03. high']),
        low: toNumber(fields['04. low']),
        previousClose: toNumber(fields['08. previous close']),
        change: toNumber(fields['09. change']),
        // `"0.4207%"`: the number is the percent, as the model keeps it.
        changePercent: toNumber(fields['10. change percent']),
        volume: toNumber(fields['06. volume']),
        tradingDay: toIsoDate(fields['07. latest trading day']),
        // GLOBAL_QUOTE does not say the currency; a listing's currency comes from OVERVIEW or search.
        currency: null,
      };
      return checkedAgainst(QuoteSchema, candidate, 'GLOBAL_QUOTE');
    },
  };
}

/** `GLOBAL_QUOTE` without an entitlement: Alpha Vantage's default data, for any key. */
export const alphaVantageGlobalQuote = alphaVantageGlobalQuoteWith(null);
