import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeText } from '../../validation/text.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { fromFmpSymbol, toFmpSymbol } from './symbols.js';

const optionalText = z.optional(z.nullable(z.string()));
const optionalNumber = z.optional(z.nullable(z.number()));

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

  classify(answer, now) {
    const byMeaning = classifyFmpAnswer(answer, now);
    if (byMeaning) return byMeaning;
    // FMP answers a symbol it does not list with HTTP 200 and an empty list.
    if (Array.isArray(answer.body) && answer.body.length === 0) {
      return { kind: 'unknown_symbol', detail: 'FMP returned an empty profile list' };
    }
    return null;
  },

  transform(body, { symbol }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP profile answer is not a list');
    const raw = z.safeParse(FmpProfileAnswerSchema, body);
    if (!raw.success) return failure('bad_data', `FMP profile answer is malformed: ${fieldsIn(raw.error)}`);
    const fmpSymbol = toFmpSymbol(symbol);
    const entry = raw.data.find((item) => item.symbol.toUpperCase() === fmpSymbol) ?? raw.data[0];
    if (!entry) return failure('bad_data', 'FMP profile answer is empty');
    const answered = entry.symbol.trim().toUpperCase();
    const candidate = {
      // The client's own spelling when FMP answered for what was asked, else FMP's symbol in the dot form.
      symbol: answered === fmpSymbol ? symbol : fromFmpSymbol(answered),
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
    const profile = z.safeParse(CompanyProfileSchema, candidate);
    if (!profile.success)
      return failure('bad_data', `FMP profile failed validation: ${fieldsIn(profile.error)}`);
    return { ok: true, value: profile.data };
  },
};

/** The fields named in a zod error, list indices dropped: `companyName, marketCap`. */
function fieldsIn(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string {
  const names = error.issues.map(
    (issue) =>
      issue.path
        .filter((key) => typeof key === 'string')
        .map(String)
        .join('.') || 'entry',
  );
  return [...new Set(names)].join(', ');
}
