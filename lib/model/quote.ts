import * as z from 'zod/mini';

const finite = z.number().check(z.refine(Number.isFinite, 'must be finite'));
const nullableFinite = z.nullable(finite);

/**
 * The standard quote, whichever provider answered. Numbers are numbers, percentages fractions,
 * missing values `null`, dates ISO `YYYY-MM-DD`.
 */
export const QuoteSchema = z.object({
  symbol: z.string().check(z.minLength(1)),
  price: finite.check(z.positive()),
  open: nullableFinite,
  high: nullableFinite,
  low: nullableFinite,
  previousClose: nullableFinite,
  change: nullableFinite,
  /** Change over the previous close as a fraction: 0.0042 is 0.42 %. */
  changePercent: nullableFinite,
  volume: z.nullable(finite.check(z.nonnegative())),
  /** The trading day the quote belongs to. */
  tradingDay: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  /** ISO 4217 code, or `null` when the provider does not say. */
  currency: z.nullable(z.string().check(z.regex(/^[A-Z]{3}$/))),
});

export type Quote = z.infer<typeof QuoteSchema>;
