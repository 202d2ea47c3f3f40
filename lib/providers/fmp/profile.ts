import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalNumber, optionalText, validated } from '../normalize.js';
import { failure, isEmptyList, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { fmpEntryFor, toFmpSymbol } from './symbols.js';

/**
 * One entry of FMP's profile answer, the fields this layer reads. The stable endpoint names market
 * capitalization `marketCap` and the venue's short name `exchange`; the legacy `/api/v3/profile` (the
 * recorded fixture) says `mktCap`, `exchangeShortName`, and puts the venue's full name in `exchange`.
 */
const FmpProfileSchema = z.object({
  symbol: z.string().check(z.minLength(1)),
  companyName: optionalText,
  currency: optionalText,
  exchange: optionalText,
  exchangeShortName: optionalText,
  country: optionalText,
  sector: optionalText,
  industry: optionalText,
  description: optionalText,
  website: optionalText,
  marketCap: optionalNumber,
  mktCap: optionalNumber,
  /** A string of digits ("161000") in every recorded answer. */
  fullTimeEmployees: z.optional(z.nullable(z.union([z.string(), z.number()]))),
  /** `""` when FMP does not know it. */
  ipoDate: optionalText,
});

const FmpProfileAnswerSchema = z.array(FmpProfileSchema).check(z.minLength(1));

/** FMP's `/stable/profile`: the company profile of one listing. */
export const fmpProfile: ProviderEndpoint<{ symbol: string }, CompanyProfile> = {
  provider: 'fmp',
  dataType: 'company',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/profile', { symbol: toFmpSymbol(symbol) }),

  // FMP answers a symbol it does not list with HTTP 200 and an empty list.
  classify: unknownSymbolWhen(classifyFmpAnswer, isEmptyList, 'FMP returned an empty profile list'),

  transform(body, { symbol }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP profile answer is not a list');
    const raw = validated(FmpProfileAnswerSchema, body, 'FMP profile answer is malformed', 'entry');
    if (!raw.ok) return raw;
    const found = fmpEntryFor(raw.value, symbol);
    if (!found) return failure('bad_data', 'FMP profile answer is empty');
    const { entry } = found;
    const candidate = {
      symbol: found.symbol,
      name: sanitizeText(entry.companyName, 200),
      exchange: sanitizeText(entry.exchangeShortName ?? entry.exchange, 64),
      currency: sanitizeCurrency(entry.currency),
      country: sanitizeText(entry.country, 64),
      sector: sanitizeText(entry.sector, 100),
      industry: sanitizeText(entry.industry, 150),
      description: sanitizeText(entry.description, 5000),
      website: sanitizeText(entry.website, 300),
      // Already in full units of `currency`.
      marketCapitalization: entry.marketCap ?? entry.mktCap ?? null,
      employees: toNumber(entry.fullTimeEmployees),
      ipoDate: toIsoDate(entry.ipoDate),
    };
    return checkedAgainst(CompanyProfileSchema, candidate, 'FMP profile');
  },
};
