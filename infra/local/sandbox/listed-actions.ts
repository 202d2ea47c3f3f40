import { isoDay, parseIsoDay, previousTradingDay, tradingDayOnOrBefore } from './calendar.js';
import { round } from './market-generator.js';
import type { MarketView } from './price-bases.js';

/**
 * What the providers' corporate-actions endpoints list for a symbol: its actions from `reachDays`
 * before today (20 years, the depth of the sandbox's daily history, unless a plan reaches less) up to
 * today, New York's date, with the derived figures their wire formats carry beside the model's.
 */

/** A listed split: the model's ratio, and the whole share counts providers write it as. */
export interface ListedSplit {
  readonly exDate: string;
  readonly ratio: number;
  /** Shares before and after: 1 and 10 for a 10-for-1, 10 and 1 for a 1-for-10. */
  readonly from: number;
  readonly to: number;
  /** What prices before the ex-date multiply by to be in today's shares: 1 / the ratios since. */
  readonly adjustmentFactor: number;
}

/** A listed cash dividend, with the dates and derived amounts providers add. */
export interface ListedDividend {
  readonly exDate: string;
  readonly amount: number;
  readonly currency: string;
  readonly payDate: string | null;
  /** Declared two to three weeks before the ex-date (derived: the model does not keep it). */
  readonly declarationDate: string;
  /** Since T+1 settlement (May 2024) the record date is the ex-date. */
  readonly recordDate: string;
  /** The amount in today's shares: ÷ the ratios of the splits after its ex-date. */
  readonly splitAdjustedAmount: number;
  /** The amount as a share of the as-traded close of the session before the ex-date. */
  readonly shareOfPrice: number;
}

/** The depth of the sandbox's daily history, which its corporate-actions endpoints match. */
export const HISTORY_DAYS = Math.round(20 * 365.25);

/** Whole share counts of a ratio: the smallest denominator up to 1000 that makes both whole. */
function shareCounts(ratio: number): { from: number; to: number } {
  const [from, to] = ratio >= 1 ? [1, ratio] : [1 / ratio, 1];
  for (let d = 1; d <= 1000; d++) {
    if (Math.abs(from * d - Math.round(from * d)) < 1e-9 && Math.abs(to * d - Math.round(to * d)) < 1e-9) {
      return { from: Math.round(from * d), to: Math.round(to * d) };
    }
  }
  return { from: 1, to: ratio };
}

/** The actions `market` lists for `symbol` (ascending), within `reachDays` of today. */
export function listedActions(
  market: MarketView,
  symbol: string,
  reachDays = HISTORY_DAYS,
): { splits: ListedSplit[]; dividends: ListedDividend[] } {
  const { actions } = market.prices(symbol);
  const today = market.asOfDay;
  const from = today - reachDays;
  const current = actions.splitFactor(today);
  const splits = actions.splits(from, today).map((split) => {
    const day = parseIsoDay(split.exDate) ?? today;
    return {
      ...split,
      ...shareCounts(split.ratio),
      adjustmentFactor: round(actions.splitFactor(previousTradingDay(day)) / current, 6),
    };
  });
  const dividends = actions.dividends(from, today).map((dividend) => {
    const day = parseIsoDay(dividend.exDate) ?? today;
    return {
      ...dividend,
      declarationDate: isoDay(tradingDayOnOrBefore(day - 14 - (day % 8))),
      recordDate: dividend.exDate,
      splitAdjustedAmount: round((dividend.amount * actions.splitFactor(day)) / current, 6),
      shareOfPrice: dividend.amount / actions.tradedClose(previousTradingDay(day)),
    };
  });
  return { splits, dividends };
}
