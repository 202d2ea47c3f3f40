import { newYorkTime, parseIsoDay, previousTradingDay, tradingDaysBack } from './calendar.js';
import { type AddedActionsBySymbol, SymbolActions } from './corporate-actions.js';
import {
  barOn,
  type Company,
  companyFor,
  type DailyBar,
  type QuoteSnapshot,
  round,
} from './market-generator.js';

/**
 * The sandbox's prices on each basis a provider presents them on, from the economic bars
 * (market-generator.ts) and the corporate actions (corporate-actions.ts):
 * - `raw` (as traded): each price of day d is the economic one ÷ M(d), rounded to the cent, the volume
 *   × M(d), where M(d) is the product of the ratios of the splits with exDate ≤ d;
 * - `splits` (split-adjusted as of day A): each as-traded price × M(d) / M(A), rounded to 4 decimals,
 *   the volume ÷ it: the bars restated in day A's shares, continuous across every split;
 * - total return (`totalReturnCloses`): the split-adjusted close × the product, over every ex-date e
 *   with d < e ≤ A, of (1 − dividend(e) / as-traded close of the session before e): the standard
 *   backward method, where each dividend scales every earlier close by the share of the price it paid out.
 * A bar's `previousClose` is the session before's close in the bar's own shares, as an exchange restates
 * it on a split's ex-date, so a quote's change never shows a split as a crash.
 */

/**
 * The bases the providers' daily bars come on: as traded, split-adjusted, dividend-adjusted alone
 * (Twelve Data's `adjust=dividends`) or both (total return).
 */
export type PriceBasis = 'raw' | 'splits' | 'dividends' | 'all';

/** Rounds a price and keeps it a positive tick. */
const price = (value: number, digits: number): number => Math.max(10 ** -digits, round(value, digits));

/** Prices of a bar scaled by `factor` (volume divided by it), rounded to `digits` decimals. */
function scaled(bar: DailyBar, factor: number, digits: number): DailyBar {
  return {
    date: bar.date,
    open: price(bar.open * factor, digits),
    high: price(bar.high * factor, digits),
    low: price(bar.low * factor, digits),
    close: price(bar.close * factor, digits),
    volume: Math.round(bar.volume / factor),
    previousClose: price(bar.previousClose * factor, digits),
  };
}

/** The prices of one symbol as the market traded them, and restated, with the knob's actions. */
export class SymbolPrices {
  readonly company: Company;
  readonly actions: SymbolActions;
  private readonly bias: number;

  /** `bias` multiplies every as-traded price by (1 + bias): one provider's disagreement (`priceBias`). */
  constructor(symbol: string, added: AddedActionsBySymbol = {}, bias = 0) {
    this.company = companyFor(symbol);
    this.actions = new SymbolActions(symbol, added);
    this.bias = bias;
  }

  /** The as-traded bar of a trading day; its `previousClose` in the day's own shares. */
  traded(day: number): DailyBar {
    const economic = barOn(this.company, day);
    const factor = this.actions.splitFactor(day);
    const prior = this.actions.splitFactor(previousTradingDay(day));
    // The session before's as-traded close, restated in this day's shares when a split came between.
    const priorClose = price((economic.previousClose * (1 + this.bias)) / prior, 2);
    return {
      ...scaled(economic, (1 + this.bias) / factor, 2),
      volume: Math.round(economic.volume * factor),
      previousClose: price((priorClose * prior) / factor, 2),
    };
  }

  /**
   * Per day of `days`, the product of (1 − dividend / as-traded close of the session before) over the
   * ex-dates after it up to `asOfDay`: what the dividends since scale its prices by.
   */
  private dividendFactors(days: readonly number[], asOfDay: number): (day: number) => number {
    const steps = this.actions.dividends(Math.min(...days) + 1, asOfDay).map((dividend) => {
      const exDay = parseIsoDay(dividend.exDate) ?? 0;
      return { exDay, keep: 1 - dividend.amount / this.traded(previousTradingDay(exDay)).close };
    });
    return (day) => steps.reduce((factor, step) => (step.exDay > day ? factor * step.keep : factor), 1);
  }

  /**
   * Bars of `days` (in the order given) on `basis`, adjusted as of `asOfDay`: `splits` in its shares,
   * `dividends` for the dividends since alone, `all` for both. Volume follows the splits alone.
   */
  bars(days: readonly number[], basis: PriceBasis, asOfDay: number): DailyBar[] {
    const target = this.actions.splitFactor(asOfDay);
    const forDividends =
      basis === 'all' || basis === 'dividends' ? this.dividendFactors(days, asOfDay) : () => 1;
    return days.map((day) => {
      const bar = this.traded(day);
      if (basis === 'raw') return bar;
      const forSplits = basis === 'dividends' ? 1 : this.actions.splitFactor(day) / target;
      return { ...scaled(bar, forSplits * forDividends(day), 4), volume: Math.round(bar.volume / forSplits) };
    });
  }

  /** Total-return closes of `days` as of `asOfDay`, unrounded (the `all` basis; formula above). */
  totalReturnCloses(days: readonly number[], asOfDay: number): number[] {
    const target = this.actions.splitFactor(asOfDay);
    const forDividends = this.dividendFactors(days, asOfDay);
    return days.map(
      (day) => ((this.traded(day).close * this.actions.splitFactor(day)) / target) * forDividends(day),
    );
  }

  /**
   * The quote as of the close of `day`: the as-traded bar, and the year's figures in that day's shares
   * (as quote endpoints restate them after a split).
   */
  quote(day: number): QuoteSnapshot {
    const year = this.bars(tradingDaysBack(day, 252), 'splits', day);
    const bar = this.traded(day);
    const average = (count: number): number =>
      year.slice(0, count).reduce((sum, b) => sum + b.close, 0) / Math.min(count, year.length);
    const change = round(bar.close - bar.previousClose, 2);
    return {
      bar,
      change,
      changePercent: (change / bar.previousClose) * 100,
      yearHigh: Math.max(...year.map((b) => b.high)),
      yearLow: Math.min(...year.map((b) => b.low)),
      priceAvg50: average(50),
      priceAvg200: average(200),
      marketCap: Math.round(bar.close * this.company.sharesOutstanding * this.actions.splitFactor(day)),
    };
  }
}

/**
 * What a provider module reads the market through: its prices (with its `priceBias`), on the basis it
 * asks, split-adjusted in the shares of the day it answers (New York's date at `now`).
 */
export class MarketView {
  readonly asOfDay: number;

  constructor(
    now: Date,
    private readonly added: AddedActionsBySymbol = {},
    private readonly bias = 0,
  ) {
    this.asOfDay = newYorkTime(now).day;
  }

  prices(symbol: string): SymbolPrices {
    return new SymbolPrices(symbol, this.added, this.bias);
  }

  /** Daily bars of `days` (in the order given) on `basis`. */
  bars(symbol: string, days: readonly number[], basis: PriceBasis): DailyBar[] {
    return this.prices(symbol).bars(days, basis, this.asOfDay);
  }

  /** The quote as of the close of `day`, as traded. */
  quote(symbol: string, day: number): QuoteSnapshot {
    return this.prices(symbol).quote(day);
  }
}
