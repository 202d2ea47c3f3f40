import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toNumber } from '../../validation/sanitize.js';
import { sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalText, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { twelveDataRequest } from './request.js';
import { fromTwelveDataSymbol, toTwelveDataSymbol } from './symbols.js';

/** Twelve Data's `/profile` answer: the fields this layer reads, others (CEO, address) ignored. */
const TwelveDataProfileSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  exchange: optionalText,
  mic_code: optionalText,
  sector: optionalText,
  industry: optionalText,
  employees: z.optional(z.nullable(z.union([z.number(), z.string()]))),
  website: optionalText,
  description: optionalText,
  /** A country name ("United States"), not a code. */
  country: optionalText,
});

type TwelveDataProfile = z.infer<typeof TwelveDataProfileSchema>;

/**
 * Twelve Data's `/profile`: sector, industry, head count and description. It needs the Grow plan or
 * higher (a Basic key gets code 403 "/profile is available exclusively with grow ... plans").
 */
export const twelveDataProfile: ProviderEndpoint<{ symbol: string }, CompanyProfile> = {
  provider: 'twelve-data',
  dataType: 'company',
  plan: 'paid',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/profile', { symbol: toTwelveDataSymbol(symbol) }),

  classify: classifyTwelveDataAnswer,

  transform(body, { symbol }) {
    const raw = validated(TwelveDataProfileSchema, body, 'Twelve Data profile is malformed');
    if (!raw.ok) return raw;
    return checkedAgainst(CompanyProfileSchema, profileOf(raw.value, symbol), 'Twelve Data profile');
  },
};

function profileOf(raw: TwelveDataProfile, symbol: string): Record<string, unknown> {
  const answered = raw.symbol.trim().toUpperCase();
  const asked = toTwelveDataSymbol(symbol).split(':')[0];
  const employees = toNumber(raw.employees);
  return {
    symbol:
      answered === asked
        ? (sanitizeSymbol(symbol) ?? symbol)
        : (sanitizeSymbol(fromTwelveDataSymbol(answered, raw.mic_code)) ?? answered),
    name: sanitizeText(raw.name, 200),
    exchange: sanitizeText(raw.exchange, 64),
    // The profile says neither the trading currency nor the capitalization (see /quote, /statistics).
    currency: null,
    country: sanitizeText(raw.country, 64),
    sector: sanitizeText(raw.sector, 100),
    industry: sanitizeText(raw.industry, 150),
    description: sanitizeText(raw.description, 5000),
    website: sanitizeText(raw.website, 300),
    marketCapitalization: null,
    // 0 is how a missing head count shows, never a listed company's.
    employees: employees === null || employees <= 0 ? null : employees,
    ipoDate: null,
  };
}
