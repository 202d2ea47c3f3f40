import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalNumber, optionalText, validated } from '../normalize.js';
import { isEmptyObject, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyFinnhubAnswer } from './classify.js';
import { finnhubRequest } from './request.js';

/** Finnhub reports market capitalization and shares outstanding in millions. */
const MILLION = 1_000_000;

/** Finnhub's `/api/v1/stock/profile2` answer: the fields this layer reads, others ignored. */
const FinnhubProfileSchema = z.object({
  ticker: optionalText,
  name: z.string(),
  country: optionalText,
  currency: optionalText,
  exchange: optionalText,
  /** Finnhub's own industry classification ("Technology", "Banking", "Semiconductors"). */
  finnhubIndustry: optionalText,
  ipo: optionalText,
  /** In millions of `currency`. */
  marketCapitalization: optionalNumber,
  weburl: optionalText,
});

type FinnhubProfile = z.infer<typeof FinnhubProfileSchema>;

/** Finnhub's `/api/v1/stock/profile2` (free plan): a company's name, listing, industry and size. */
export const finnhubProfile: ProviderEndpoint<{ symbol: string }, CompanyProfile> = {
  provider: 'finnhub',
  dataType: 'company',
  plan: 'free',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/stock/profile2', { symbol }),

  // A symbol Finnhub does not list gets HTTP 200 and `{}`.
  classify: unknownSymbolWhen(classifyFinnhubAnswer, isEmptyObject, 'Finnhub returned an empty profile'),

  transform(body, { symbol }) {
    const raw = validated(FinnhubProfileSchema, body, 'Finnhub profile answer is malformed');
    if (!raw.ok) return raw;
    return checkedAgainst(CompanyProfileSchema, profileOf(raw.value, symbol), 'Finnhub profile');
  },
};

function profileOf(raw: FinnhubProfile, symbol: string): Record<string, unknown> {
  const ticker = sanitizeSymbol(raw.ticker);
  const asked = sanitizeSymbol(symbol) ?? symbol;
  const marketCapMillions = toNumber(raw.marketCapitalization);
  return {
    symbol: ticker === null || ticker === asked ? asked : ticker,
    name: sanitizeText(raw.name, 200),
    exchange: sanitizeText(raw.exchange, 64),
    currency: sanitizeCurrency(raw.currency),
    country: sanitizeText(raw.country, 64),
    // Finnhub has one classification, finer than a sector ("Banking", "Semiconductors"): an industry.
    sector: null,
    industry: sanitizeText(raw.finnhubIndustry, 150),
    // profile2 carries neither a description nor a head count.
    description: null,
    website: sanitizeText(raw.weburl, 300),
    // Full units, rounded to one unit; 0 is Finnhub's "unknown", never a real capitalization.
    marketCapitalization:
      marketCapMillions === null || marketCapMillions <= 0 ? null : Math.round(marketCapMillions * MILLION),
    employees: null,
    ipoDate: toIsoDate(raw.ipo),
  };
}
