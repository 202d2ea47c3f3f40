import * as z from 'zod/mini';
import { type SearchResult, SearchResultSchema } from '../../model/search-result.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalText, validated } from '../normalize.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { fromFmpSymbol } from './symbols.js';

/** One match of `/stable/search-symbol`: symbol, name, currency and venue; no type, region or score. */
const FmpSearchMatchSchema = z.object({
  symbol: z.string(),
  name: optionalText,
  currency: optionalText,
  exchange: optionalText,
  exchangeFullName: optionalText,
});

/** A list of matches; `[]` when nothing matches, which is an answer, not a failure. */
const FmpSearchAnswerSchema = z.array(FmpSearchMatchSchema);

/** FMP's `/stable/search-symbol`: listings whose symbol matches free text. */
export const fmpSearch: ProviderEndpoint<{ query: string }, SearchResult> = {
  provider: 'fmp',
  dataType: 'search',

  buildRequest: ({ query }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/search-symbol', { query }),

  classify: classifyFmpAnswer,

  transform(body, { query }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP search answer is not a list');
    const raw = validated(FmpSearchAnswerSchema, body, 'FMP search answer is malformed', 'entry');
    if (!raw.ok) return raw;
    const matches = raw.value.flatMap((match) => {
      const symbol = sanitizeSymbol(fromFmpSymbol(match.symbol.trim().toUpperCase()));
      // A listing whose symbol is outside the layer's symbol form could not be asked for; it is left out.
      if (symbol === null) return [];
      return [
        {
          symbol,
          name: sanitizeText(match.name, 200),
          type: null,
          exchange: sanitizeText(match.exchange, 64),
          region: null,
          currency: sanitizeCurrency(match.currency),
          // FMP returns matches in its own order without a score.
          matchScore: null,
        },
      ];
    });
    return checkedAgainst(SearchResultSchema, { query, matches }, 'FMP search');
  },
};
