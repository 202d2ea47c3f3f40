import * as z from 'zod/mini';
import { amount, currency, isoDate, symbol, text } from './fields.js';

/** A company as the platform shows it. Market capitalization is in full units of `currency`. */
export const CompanyProfileSchema = z.object({
  symbol,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  exchange: text(64),
  currency,
  /** ISO 3166-1 alpha-2 where the provider gives it, else its own wording. */
  country: text(64),
  sector: text(100),
  industry: text(150),
  description: text(5000),
  website: text(300),
  marketCapitalization: amount,
  employees: amount,
  ipoDate: z.nullable(isoDate),
});

export type CompanyProfile = z.infer<typeof CompanyProfileSchema>;
