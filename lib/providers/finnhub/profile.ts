import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyFinnhubAnswer } from './classify.js';
import { checkedAgainst, fieldsIn } from './fields.js';
import { finnhubRequest } from './request.js';

/** Finnhub reports market capitalization and shares outstanding in millions. */
const MILLION = 1_000_000;

const optionalText = z.optional(z.nullable(z.string()));
const optionalNumber = z.optional(z.nullable(z.number()));

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

  classify(answer, now) {
    const byMeaning = classifyFinnhubAnswer(answer, now);
    if (byMeaning) return byMeaning;
    // A symbol Finnhub does not list gets HTTP 200 and `{}`.
    const body = answer.body;
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0) {
      return { kind: 'unknown_symbol', detail: 'Finnhub returned an empty profile' };
    }
    return null;
  },

  transform(body, { symbol }) {
    const raw = z.safeParse(FinnhubProfileSchema, body);
    if (!raw.success)
      return failure('bad_data', `Finnhub profile answer is malformed: ${fieldsIn(raw.error)}`);
    return checkedAgainst(CompanyProfileSchema, profileOf(raw.data, symbol), 'Finnhub profile');
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
