import * as z from 'zod/mini';
import { type SearchResult, SearchResultSchema, type SymbolMatch } from '../../model/search-result.js';
import { sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyFinnhubAnswer } from './classify.js';
import { finnhubRequest } from './request.js';

/** One hit of Finnhub's `/api/v1/search`. */
const FinnhubMatchSchema = z.object({
  symbol: z.string(),
  description: z.optional(z.nullable(z.string())),
  type: z.optional(z.nullable(z.string())),
});

/** Finnhub's `/api/v1/search` answer: a count and the hits. */
const FinnhubSearchSchema = z.object({
  count: z.optional(z.number()),
  result: z.array(FinnhubMatchSchema),
});

/** Finnhub's `/api/v1/search?q=` (free plan): listings whose symbol or name match a text. */
export const finnhubSearch: ProviderEndpoint<{ query: string }, SearchResult> = {
  provider: 'finnhub',
  dataType: 'search',
  plan: 'free',

  buildRequest: ({ query }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/search', { q: query }),

  classify: classifyFinnhubAnswer,

  transform(body, { query }) {
    const raw = validated(FinnhubSearchSchema, body, 'Finnhub search answer is malformed');
    if (!raw.ok) return raw;
    // A hit the layer cannot name (a crypto pair such as `BINANCE:BTCUSDT`, an empty description) is
    // left out: one odd listing should not cost the client the other matches.
    const matches = raw.value.result.flatMap((hit): SymbolMatch[] => {
      const symbol = sanitizeSymbol(hit.symbol);
      const name = sanitizeText(hit.description, 200);
      if (symbol === null || name === null) return [];
      // Finnhub's search says neither the exchange, the region, the currency nor a score.
      const type = sanitizeText(hit.type, 40);
      return [{ symbol, name, type, exchange: null, region: null, currency: null, matchScore: null }];
    });
    return checkedAgainst(SearchResultSchema, { query, matches }, 'Finnhub search');
  },
};
