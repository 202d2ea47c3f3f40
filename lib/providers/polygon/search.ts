import * as z from 'zod/mini';
import { type SearchResult, SearchResultSchema, type SymbolMatch } from '../../model/search-result.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalText, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyPolygonAnswer } from './classify.js';
import { polygonRequest } from './request.js';

/** One hit of Polygon's `/v3/reference/tickers?search=`. */
const PolygonMatchSchema = z.object({
  ticker: z.string(),
  name: optionalText,
  locale: optionalText,
  primary_exchange: optionalText,
  /** Polygon's type code: `CS` common stock, `ETF`, `ADRC`... */
  type: optionalText,
  currency_name: optionalText,
});

/** Polygon leaves `results` out when nothing matched. */
const PolygonSearchSchema = z.object({ results: z.optional(z.array(PolygonMatchSchema)) });

/** How many hits to ask for (Polygon's default is 100). */
const LIMIT = '30';

/**
 * Polygon's ticker search, `/v3/reference/tickers?search=` (free plan), over active stock listings:
 * the `stocks` market, so crypto and forex pairs (`X:BTCUSD`), which the layer cannot name, are not
 * asked for. Nothing found is an answer (an empty list), not a failure.
 */
export const polygonSearch: ProviderEndpoint<{ query: string }, SearchResult> = {
  provider: 'polygon',
  dataType: 'search',
  plan: 'free',

  buildRequest: ({ query }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, '/v3/reference/tickers', {
      search: query,
      market: 'stocks',
      active: 'true',
      limit: LIMIT,
    }),

  classify: classifyPolygonAnswer,

  transform(body, { query }) {
    const raw = validated(PolygonSearchSchema, body, 'Polygon search answer is malformed');
    if (!raw.ok) return raw;
    // A hit the layer cannot name (no name, a ticker outside its symbol form) is left out rather than
    // failing the other matches.
    const matches = (raw.value.results ?? []).flatMap((hit): SymbolMatch[] => {
      const symbol = sanitizeSymbol(hit.ticker);
      const name = sanitizeText(hit.name, 200);
      if (symbol === null || name === null) return [];
      return [
        {
          symbol,
          name,
          type: sanitizeText(hit.type, 40),
          exchange: sanitizeText(hit.primary_exchange, 64),
          region: hit.locale?.trim().toLowerCase() === 'us' ? 'US' : null,
          currency: sanitizeCurrency(hit.currency_name),
          // Polygon orders its hits but does not score them.
          matchScore: null,
        },
      ];
    });
    return checkedAgainst(SearchResultSchema, { query, matches }, 'Polygon search');
  },
};
