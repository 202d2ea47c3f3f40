import * as z from 'zod/mini';
import { amount, currency, FULL_UNITS, isoDate, money, symbol, text } from './fields.js';

/** A company as the platform shows it. Market capitalization is in full units of `currency`. */
export const CompanyProfileSchema = z.object({
  symbol,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  exchange: text(64),
  currency: currency.check(
    z.describe("The ISO 4217 code of the listing's prices and market capitalization; null when not given."),
  ),
  /** ISO 3166-1 alpha-2 where the provider gives it, else its own wording. */
  country: text(64),
  sector: text(100),
  industry: text(150),
  description: text(5000),
  website: text(300),
  marketCapitalization: money('Market value of the shares outstanding', FULL_UNITS),
  employees: amount.check(z.describe('Full-time employees, a head count; null when not given.')),
  ipoDate: z
    .nullable(isoDate)
    .check(z.describe('The first day of trading, `YYYY-MM-DD`; null when not given.')),
});

export type CompanyProfile = z.infer<typeof CompanyProfileSchema>;
