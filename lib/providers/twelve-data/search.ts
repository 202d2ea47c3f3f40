import * as z from 'zod/mini';
import { type SearchResult, SearchResultSchema, type SymbolMatch } from '../../model/search-result.js';
import { sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalText, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { currencyOf } from './fields.js';
import { twelveDataRequest } from './request.js';
import { fromTwelveDataSymbol } from './symbols.js';

/** One hit of `/symbol_search`. */
const TwelveDataMatchSchema = z.object({
  symbol: z.string(),
  instrument_name: optionalText,
  exchange: optionalText,
  mic_code: optionalText,
  instrument_type: optionalText,
  /** A country name ("United States"). */
  country: optionalText,
  currency: optionalText,
});

const TwelveDataSearchSchema = z.object({ data: z.array(TwelveDataMatchSchema) });

/** How many hits to ask for: Twelve Data's default is 30, its maximum 120. */
const OUTPUT_SIZE = '30';

/** Twelve Data's `/symbol_search` (free plan): listings whose ticker or name match a text, across venues. */
export const twelveDataSearch: ProviderEndpoint<{ query: string }, SearchResult> = {
  provider: 'twelve-data',
  dataType: 'search',
  plan: 'free',

  buildRequest: ({ query }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/symbol_search', { symbol: query, outputsize: OUTPUT_SIZE }),

  classify: classifyTwelveDataAnswer,

  transform(body, { query }) {
    const raw = validated(TwelveDataSearchSchema, body, 'Twelve Data search answer is malformed');
    if (!raw.ok) return raw;
    // Each listing in the clients' form (`VOD` on XLON → `VOD.L`), so a hit can be asked for as it is.
    // A hit the layer cannot name (no name, a forex pair `EUR/USD`, a venue without a suffix here) is
    // left out rather than failing the rest.
    const matches = raw.value.data.flatMap((hit): SymbolMatch[] => {
      const symbol = sanitizeSymbol(
        fromTwelveDataSymbol(hit.symbol.trim().toUpperCase(), hit.mic_code, hit.country),
      );
      const name = sanitizeText(hit.instrument_name, 200);
      if (symbol === null || name === null) return [];
      return [
        {
          symbol,
          name,
          type: sanitizeText(hit.instrument_type, 40),
          exchange: sanitizeText(hit.exchange, 64),
          region: sanitizeText(hit.country, 64),
          currency: currencyOf(hit.currency),
          // Twelve Data ranks its hits but does not score them.
          matchScore: null,
        },
      ];
    });
    return checkedAgainst(SearchResultSchema, { query, matches }, 'Twelve Data search');
  },
};
