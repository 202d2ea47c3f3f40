import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeText } from '../../validation/text.js';
import { checkedAgainst } from '../normalize.js';
import { failure, isEmptyObject, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** The raw `OVERVIEW` answer: a flat object of strings, `"None"` where Alpha Vantage has no value. */
const OverviewAnswerSchema = z.record(z.string(), z.unknown());

/** Alpha Vantage's `OVERVIEW`: the company profile and trailing ratios of one listing. */
export const alphaVantageOverview: ProviderEndpoint<{ symbol: string }, CompanyProfile> = {
  provider: 'alpha-vantage',
  dataType: 'company',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: 'OVERVIEW', symbol }),

  // OVERVIEW answers a symbol it does not cover with HTTP 200 and `{}`.
  classify: unknownSymbolWhen(
    classifyAlphaVantageAnswer,
    isEmptyObject,
    'Alpha Vantage returned an empty OVERVIEW',
  ),

  transform(body, { symbol }) {
    const raw = z.safeParse(OverviewAnswerSchema, body);
    if (!raw.success) return failure('bad_data', 'OVERVIEW answer is not an object');
    const fields = raw.data;
    const candidate = {
      symbol,
      name: sanitizeText(fields.Name, 200),
      exchange: sanitizeText(fields.Exchange, 64),
      currency: sanitizeCurrency(fields.Currency),
      // Alpha Vantage's own wording ("USA"), which the model allows where no ISO code is given.
      country: sanitizeText(fields.Country, 64),
      sector: sanitizeText(fields.Sector, 100),
      industry: sanitizeText(fields.Industry, 150),
      description: sanitizeText(fields.Description, 5000),
      // Recent answers carry `OfficialSite`; older ones (the recorded fixtures) have no website.
      website: sanitizeText(fields.OfficialSite, 300),
      // Already in full units of `Currency`.
      marketCapitalization: toNumber(fields.MarketCapitalization),
      // OVERVIEW has no head count or listing date.
      employees: null,
      ipoDate: null,
    };
    return checkedAgainst(CompanyProfileSchema, candidate, 'OVERVIEW');
  },
};
