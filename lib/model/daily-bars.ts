import * as z from 'zod/mini';
import { amount, currency, finite, isoDate, symbol } from './fields.js';

/** One trading day. `adjustedClose` is split- and dividend-adjusted where the provider gives it. */
export const DailyBarSchema = z.object({
  date: isoDate,
  open: finite,
  high: finite,
  low: finite,
  close: finite,
  adjustedClose: amount,
  volume: z.nullable(finite.check(z.nonnegative())),
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
