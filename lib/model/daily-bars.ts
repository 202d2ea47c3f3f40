import * as z from 'zod/mini';
import { currency, finite, isoDate, money, symbol } from './fields.js';
import type { Adjustment } from './price-basis.js';

/** A price of a bar, its unit in its description (the OpenAPI document carries it). */
const barPrice = (what: string) => finite.check(z.describe(`${what}, in the series' \`currency\`.`));

/**
 * One trading day, its prices on the basis the answer states (`meta.adjustment`). `adjustedClose` is
 * the close adjusted for splits and dividends (the layer's total-return close, the same whatever the
 * basis); `null` where none could be computed.
 */
export const DailyBarSchema = z.object({
  date: isoDate,
  open: barPrice("The day's opening price"),
  high: barPrice("The day's highest price"),
  low: barPrice("The day's lowest price"),
  close: barPrice("The day's closing price"),
  adjustedClose: money(
    "The close adjusted for splits and dividends: the layer's backward total-return close from the corporate actions, the same whatever `meta.adjustment.basis`",
    "in the series' `currency`",
  ),
  volume: z
    .nullable(finite.check(z.nonnegative()))
    .check(
      z.describe(
        "Shares traded that day (a count of shares, not an amount of money), on the answer's basis: in today's shares once adjusted for splits; null when not given.",
      ),
    ),
});

/** Daily bars of one symbol, ascending by date, no date twice. */
export const DailySeriesSchema = z.object({
  symbol,
  currency,
  bars: z.array(DailyBarSchema),
});

export type DailyBar = z.infer<typeof DailyBarSchema>;
export type DailySeries = z.infer<typeof DailySeriesSchema>;

/** The longest range a history query may span, in days (20 years). */
export const MAX_HISTORY_DAYS = 20 * 366;

/** The query for daily history: an inclusive ISO date range. */
export interface HistoryQuery {
  symbol: string;
  from: string;
  to: string;
}

/** A client's request for daily history: the range, and the price basis to answer it on. */
export interface HistoryRequest extends HistoryQuery {
  adjustment: Adjustment;
}
