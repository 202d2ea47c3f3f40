import * as z from 'zod/mini';
import { amount, currency, finite, isoDate, money, symbol } from './fields.js';

/**
 * The standard quote, whichever provider answered. Numbers are numbers, percentages in percent (as
 * every provider sends them), missing values `null`, dates ISO `YYYY-MM-DD`. Each field's description
 * (in the OpenAPI document) states its unit.
 */
export const QuoteSchema = z.object({
  symbol,
  price: finite.check(z.positive(), z.describe('The last price, in `currency`.')),
  open: money("The trading day's opening price"),
  high: money("The trading day's highest price"),
  low: money("The trading day's lowest price"),
  previousClose: money('The close of the trading day before'),
  change: money('`price` minus `previousClose`'),
  changePercent: amount.check(
    z.describe(
      'The change over the previous close in percent (`change / previousClose × 100`): -1.8 is a 1.8 % fall; ' +
        'null when the provider did not say.',
    ),
  ),
  volume: z
    .nullable(finite.check(z.nonnegative()))
    .check(
      z.describe(
        'Shares traded on the trading day (a count of shares, not an amount of money); null when not given.',
      ),
    ),
  tradingDay: isoDate.check(
    z.describe("The trading day the quote belongs to (the exchange's date), `YYYY-MM-DD`."),
  ),
  currency: currency.check(
    z.describe(
      'The ISO 4217 code the prices are in (`GBX`: London prices in pence); null when the provider does not say.',
    ),
  ),
});

export type Quote = z.infer<typeof QuoteSchema>;
