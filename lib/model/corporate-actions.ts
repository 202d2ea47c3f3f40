import * as z from 'zod/mini';
import { finite, isoDate, symbol } from './fields.js';

const positive = finite.check(z.positive());

/**
 * A share split, effective at the open of `exDate`. `ratio` is shares after per share before: 10 for
 * a 10-for-1 forward split, 0.1 for a 1-for-10 reverse split; prices before `exDate` divide by it.
 */
export const SplitSchema = z.object({
  exDate: isoDate.check(z.describe('The first trading day on the split basis, `YYYY-MM-DD`.')),
  ratio: positive.check(
    z.describe(
      'Shares after per share before, a ratio: 10 for a 10-for-1 split, 0.1 for a 1-for-10 reverse split.',
    ),
  ),
});

/**
 * A cash dividend per share, AS DECLARED for its ex-date: not adjusted for splits that came later
 * (adapters convert providers that serve adjusted amounts), in the currency it was declared in.
 * `payDate` is `null` when the provider does not say.
 */
export const CashDividendSchema = z.object({
  exDate: isoDate.check(z.describe('The first trading day without the dividend, `YYYY-MM-DD`.')),
  amount: positive.check(
    z.describe('Cash per share as declared for the ex-date (not adjusted for later splits), in `currency`.'),
  ),
  /** ISO 4217. FMP and Alpha Vantage state none: their adapters write USD, their documented listings' currency. */
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  payDate: z
    .nullable(isoDate)
    .check(z.describe('The day it is paid, `YYYY-MM-DD`; null when the provider does not say.')),
});

/** A symbol's splits and cash dividends, each list ascending by `exDate`, no date twice. */
export const CorporateActionsSchema = z.object({
  symbol,
  splits: z.array(SplitSchema),
  dividends: z.array(CashDividendSchema),
});

export type Split = z.infer<typeof SplitSchema>;
export type CashDividend = z.infer<typeof CashDividendSchema>;
export type CorporateActions = z.infer<typeof CorporateActionsSchema>;

/**
 * The query a provider endpoint answers: providers serve splits and dividends on separate endpoints,
 * so each call asks for one kind and its answer carries that list (the other one empty).
 */
export interface CorporateActionsQuery {
  symbol: string;
  kind: 'splits' | 'dividends';
}
