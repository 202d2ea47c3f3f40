import * as z from 'zod/mini';
import { type SearchResult, SearchResultSchema } from '../../model/search-result.js';
import { toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst } from '../normalize.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** The raw `SYMBOL_SEARCH` answer: matches best first, keys numbered, every value a string. */
const SymbolSearchAnswerSchema = z.object({
  bestMatches: z.array(z.record(z.string(), z.unknown())),
});

/** Alpha Vantage's `SYMBOL_SEARCH`: listings whose symbol or name match free text, scored 0..1. */
export const alphaVantageSymbolSearch: ProviderEndpoint<{ query: string }, SearchResult> = {
  provider: 'alpha-vantage',
  dataType: 'search',

  buildRequest: ({ query }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: 'SYMBOL_SEARCH', keywords: query }),

  classify: classifyAlphaVantageAnswer,

  transform(body, { query }) {
    const raw = z.safeParse(SymbolSearchAnswerSchema, body);
    if (!raw.success) return failure('bad_data', 'SYMBOL_SEARCH answer has no "bestMatches" list');
    const matches = raw.data.bestMatches.flatMap((match) => {
      const symbol = sanitizeSymbol(match['1. symbol']);
      // A listing whose symbol is outside the layer's symbol form could not be asked for; it is left out.
      if (symbol === null) return [];
      return [
        {
          symbol,
          name: sanitizeText(match['2. name'], 200),
          type: sanitizeText(match['3. type'], 40),
          // The search names the region and its currency, not the venue.
          exchange: null,
          region: sanitizeText(match['4. region'], 64),
          // Alpha Vantage gives London prices in pence as "GBX", kept so prices are read in the right unit.
          currency: sanitizeCurrency(match['8. currency']),
          matchScore: toNumber(match['9. matchScore']),
        },
      ];
    });
    return checkedAgainst(SearchResultSchema, { query, matches }, 'SYMBOL_SEARCH');
  },
};
