import * as z from 'zod/mini';
import { amount, currency, finite, isoDate, symbol } from './fields.js';

/**
 * The standard quote, whichever provider answered. Numbers are numbers, percentages fractions,
 * missing values `null`, dates ISO `YYYY-MM-DD`.
 */
export const QuoteSchema = z.object({
  symbol,
  price: finite.check(z.positive()),
  open: amount,
  high: amount,
  low: amount,
  previousClose: amount,
  change: amount,
  /** Change over the previous close as a fraction: 0.0042 is 0.42 %. */
  changePercent: amount,
  volume: z.nullable(finite.check(z.nonnegative())),
  /** The trading day the quote belongs to. */
  tradingDay: isoDate,
  currency,
});

export type Quote = z.infer<typeof QuoteSchema>;
