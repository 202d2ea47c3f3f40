import * as z from 'zod/mini';
import { currency, symbol, text } from './fields.js';

/** One listing a search found. `matchScore` is 0..1 where the provider scores matches, else null. */
export const SymbolMatchSchema = z.object({
  symbol,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  type: text(40),
  exchange: text(64),
  region: text(64),
  currency: currency.check(
    z.describe('The ISO 4217 code the listing trades in; null when the provider does not say.'),
  ),
  matchScore: z
    .nullable(z.number().check(z.gte(0), z.lte(1)))
    .check(
      z.describe(
        'How well the listing matches, a fraction from 0 to 1 (not percent); null where the provider does not score.',
      ),
    ),
});

export const SearchResultSchema = z.object({
  query: z.string(),
  matches: z.array(SymbolMatchSchema),
});

export type SymbolMatch = z.infer<typeof SymbolMatchSchema>;
export type SearchResult = z.infer<typeof SearchResultSchema>;
