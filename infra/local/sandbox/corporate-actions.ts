import type { CashDividend, CorporateActions, Split } from '../../../lib/model/corporate-actions.js';
import { isoDay, newYorkTime, parseIsoDay, previousTradingDay, tradingDayOnOrBefore } from './calendar.js';
import { closeOn, companyFor, round } from './market-generator.js';
import { hashSeed, pick, randomFor } from './random.js';

/**
 * The sandbox's corporate actions: deterministic splits and cash dividends per symbol, on any date past
 * or future, plus the ones a test adds at run time (the `corporateActions` knob).
 *
 * The price model: `closeOn` is the economic price, the price in the shares of a time before every
 * split. As traded, a day's prices are the economic ones divided by M(d), the product of the ratios of
 * every split with exDate ≤ d (volume multiplied by it), so raw prices jump only at splits, and prices
 * restated in the shares of a later day (split-adjusted) are continuous. Splits alternate a forward
 * split and its reverse, so M(d) is 1 or one forward ratio and raw prices stay as bounded as economic ones.
 */

/** Actions a test adds to one symbol, on top of the generated ones (the `corporateActions` knob). */
export interface AddedActions {
  readonly splits?: readonly { readonly exDate: string; readonly ratio: number }[];
  readonly dividends?: readonly {
    readonly exDate: string;
    readonly amount: number;
    readonly currency?: string;
    readonly payDate?: string | null;
  }[];
}

/** Added actions per symbol (upper case). */
export type AddedActionsBySymbol = Readonly<Record<string, AddedActions>>;

/** Forward ratios; 10 twice as likely as the others, so that a 10-for-1 is easy to find (`findSymbolWithSplit`). */
const FORWARD_RATIOS: readonly [number, ...number[]] = [2, 3, 4, 10, 10];
/** Dividends come every 91 days, a quarter. */
const DIVIDEND_PERIOD_DAYS = 91;

interface SplitSchedule {
  readonly period: number;
  readonly phase: number;
}

/** A third of symbols split, every 600–1400 days from a per-symbol phase. */
function splitScheduleOf(symbol: string): SplitSchedule | undefined {
  if (hashSeed('splits', symbol) % 3 !== 0) return undefined;
  const random = randomFor('split-schedule', symbol);
  const period = 600 + Math.floor(random() * 801);
  return { period, phase: Math.floor(random() * period) };
}

/** Ex-date of the k-th scheduled split (k any integer): the trading day on or before its nominal day. */
function scheduledSplitDay(schedule: SplitSchedule, k: number): number {
  return tradingDayOnOrBefore(schedule.phase + k * schedule.period);
}

/** Even events are forward splits, each odd one the reverse of the forward split before it. */
function scheduledRatio(symbol: string, k: number): number {
  const pair = Math.floor(k / 2);
  const forward = pick(randomFor('split-ratio', symbol, pair), FORWARD_RATIOS);
  return k % 2 === 0 ? forward : 1 / forward;
}

/** Index of the last scheduled split on or before `day`. */
function lastScheduledEvent(schedule: SplitSchedule, day: number): number {
  const k = Math.floor((day - schedule.phase) / schedule.period);
  // An ex-date moves back to a trading day, so the next event may already have happened.
  return scheduledSplitDay(schedule, k + 1) <= day ? k + 1 : k;
}

function addedOf(added: AddedActionsBySymbol, symbol: string): AddedActions {
  return added[symbol] ?? {};
}

/** The sandbox's corporate actions of one symbol, with the knob's additions. */
export class SymbolActions {
  readonly symbol: string;
  private readonly schedule: SplitSchedule | undefined;
  private readonly added: AddedActions;
  private readonly addedSplitDays: readonly { day: number; ratio: number }[];
  private readonly factors = new Map<number, number>();

  constructor(rawSymbol: string, added: AddedActionsBySymbol = {}) {
    this.symbol = rawSymbol.trim().toUpperCase();
    this.schedule = splitScheduleOf(this.symbol);
    this.added = addedOf(added, this.symbol);
    this.addedSplitDays = (this.added.splits ?? []).flatMap((split) => {
      const day = parseIsoDay(split.exDate);
      return day === undefined ? [] : [{ day, ratio: split.ratio }];
    });
  }

  /** M(d): the product of the ratios of every split with exDate ≤ `day`. */
  splitFactor(day: number): number {
    // A year of bars asks each day's factor three times (its own, its neighbours' previous close).
    const known = this.factors.get(day);
    if (known !== undefined) return known;
    let factor = 1;
    if (this.schedule !== undefined) {
      const k = lastScheduledEvent(this.schedule, day);
      // Pairs before the last event cancel out: only an unreversed forward split remains.
      if (k % 2 === 0) factor = scheduledRatio(this.symbol, k);
    }
    for (const split of this.addedSplitDays) if (split.day <= day) factor *= split.ratio;
    this.factors.set(day, factor);
    return factor;
  }

  /** The as-traded close of a trading day: the economic close in that day's shares, 2 decimals. */
  tradedClose(day: number): number {
    return Math.max(0.01, round(closeOn(companyFor(this.symbol), day) / this.splitFactor(day), 2));
  }

  /** Splits with ex-dates in [fromDay, toDay], ascending; an added split on a scheduled date multiplies it. */
  splits(fromDay: number, toDay: number): Split[] {
    const byDay = new Map<number, number>();
    if (this.schedule !== undefined) {
      const first = lastScheduledEvent(this.schedule, fromDay - 1) + 1;
      for (let k = first; scheduledSplitDay(this.schedule, k) <= toDay; k++) {
        byDay.set(scheduledSplitDay(this.schedule, k), scheduledRatio(this.symbol, k));
      }
    }
    for (const { day, ratio } of this.addedSplitDays) {
      if (day >= fromDay && day <= toDay) byDay.set(day, (byDay.get(day) ?? 1) * ratio);
    }
    return [...byDay.entries()]
      .sort(([a], [b]) => a - b)
      .map(([day, ratio]) => ({ exDate: isoDay(day), ratio }));
  }

  /** True when a split takes effect at the open of `day`. */
  private splitsOn(day: number): boolean {
    return this.splits(day, day).length > 0;
  }

  /**
   * Cash dividends with ex-dates in [fromDay, toDay], ascending. A company with a dividend yield pays
   * quarterly: a quarter of its yield on the as-traded close of the session before the ex-date, in
   * USD, paid 14–28 days later. An ex-date never falls on a split's (it moves a session earlier), so
   * every generated amount is in the shares of the close it was computed from. An added dividend on a
   * generated one's date replaces it.
   */
  dividends(fromDay: number, toDay: number): CashDividend[] {
    const byDay = new Map<number, CashDividend>();
    const { dividendYield } = companyFor(this.symbol);
    if (dividendYield > 0) {
      const phase = hashSeed('dividend-phase', this.symbol) % DIVIDEND_PERIOD_DAYS;
      const firstK = Math.floor((fromDay - phase) / DIVIDEND_PERIOD_DAYS);
      for (let k = firstK; phase + k * DIVIDEND_PERIOD_DAYS <= toDay + 7; k++) {
        let day = tradingDayOnOrBefore(phase + k * DIVIDEND_PERIOD_DAYS);
        if (this.splitsOn(day)) day = previousTradingDay(day);
        if (day < fromDay || day > toDay) continue;
        const amount = Math.max(
          0.01,
          round((dividendYield / 4) * this.tradedClose(previousTradingDay(day)), 2),
        );
        const payDay = tradingDayOnOrBefore(day + 14 + (hashSeed('pay-date', this.symbol, k) % 15));
        byDay.set(day, { exDate: isoDay(day), amount, currency: 'USD', payDate: isoDay(payDay) });
      }
    }
    for (const dividend of this.added.dividends ?? []) {
      const day = parseIsoDay(dividend.exDate);
      if (day === undefined || day < fromDay || day > toDay) continue;
      byDay.set(day, {
        exDate: dividend.exDate,
        amount: dividend.amount,
        currency: dividend.currency ?? 'USD',
        payDate: dividend.payDate ?? null,
      });
    }
    return [...byDay.entries()].sort(([a], [b]) => a - b).map(([, dividend]) => dividend);
  }
}

/** A date range, `YYYY-MM-DD` both ends inclusive. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

function dayOfRange(text: string, name: string): number {
  const day = parseIsoDay(text);
  if (day === undefined) throw new TypeError(`${name} must be YYYY-MM-DD, got ${text}`);
  return day;
}

/**
 * The sandbox's true corporate actions of `symbol` in `range`, in the model's shape: what every
 * provider's corporate-actions endpoints serve and what tests compare the layer's answers with. With
 * `now`, only actions whose ex-date has come by then (New York's date), as the providers list them;
 * `added` are the `corporateActions` knob's additions.
 */
export function corporateActionsFor(
  symbol: string,
  range: DateRange,
  now?: Date,
  added: AddedActionsBySymbol = {},
): CorporateActions {
  const actions = new SymbolActions(symbol, added);
  const from = dayOfRange(range.from, 'from');
  const to = Math.min(
    dayOfRange(range.to, 'to'),
    now === undefined ? Number.POSITIVE_INFINITY : newYorkTime(now).day,
  );
  return { symbol: actions.symbol, splits: actions.splits(from, to), dividends: actions.dividends(from, to) };
}

/** `SPLA`, `SPLB`, ... `SPLZ`, `SPLAA`, ... `SPLZZ`, `SPLAAA`, ...: the candidates `findSymbolWithSplit` tries. */
function candidate(index: number): string {
  let letters = '';
  let rest = index;
  do {
    letters = String.fromCharCode(65 + (rest % 26)) + letters;
    rest = Math.floor(rest / 26) - 1;
  } while (rest >= 0);
  return `SPL${letters}`;
}

/**
 * The first candidate symbol (`SPLA`, `SPLB`, ...) with a split of `ratio` inside `within`, and, when
 * `dividends` is true (the default), quarterly dividends too. Deterministic: the same question always
 * finds the same symbol. Throws when none of the first 18 278 candidates has one.
 */
export function findSymbolWithSplit(query: { ratio: number; within: DateRange; dividends?: boolean }): {
  symbol: string;
  split: Split;
} {
  const from = dayOfRange(query.within.from, 'from');
  const to = dayOfRange(query.within.to, 'to');
  for (let index = 0; index < 26 + 26 ** 2 + 26 ** 3; index++) {
    const symbol = candidate(index);
    if ((query.dividends ?? true) && companyFor(symbol).dividendYield === 0) continue;
    const split = new SymbolActions(symbol).splits(from, to).find((s) => s.ratio === query.ratio);
    if (split !== undefined) return { symbol, split };
  }
  throw new Error(
    `No candidate symbol has a ${query.ratio}-for-1 split in ${query.within.from}..${query.within.to}`,
  );
}
