import type { CashDividend, Split } from '../model/corporate-actions.js';
import type { DailyBar } from '../model/daily-bars.js';
import type { Adjustment } from '../model/price-basis.js';
import { adjustBars, type PriceActions, restated, splitFactors } from './adjust.js';

/**
 * How a cached series was brought to as traded: the basis its provider presented it on, the day the
 * provider answered (the latest ex-date its adjustment can reflect) and the actions the layer knew
 * then. Kept with the series, so a split learned later can be set right without asking again.
 */
export interface AsTradedConversion {
  from: Adjustment;
  on: string;
  splits: Split[];
  dividends: CashDividend[];
}

/** Fixed-point rounds for a close before several ex-dates at once (one ex-date solves exactly). */
const SOLVE_ROUNDS = 40;

/**
 * `bars` as a provider presented them on `basis` on `answeredOn`, brought back to as traded with the
 * actions in effect by then: the inverse of {@link adjustBars}. Prices × the product of the ratios of
 * the splits with bar date < ex-date ≤ `answeredOn` (volume ÷ it); on `all`, each bar's dividend factor
 * divided out as well. The provider's own `adjustedClose` is dropped: its basis is the provider's, and
 * the layer computes its own from the corporate actions.
 */
export function toAsTraded(
  bars: readonly DailyBar[],
  basis: Adjustment,
  actions: PriceActions,
  answeredOn: string,
  currency: string | null = null,
): DailyBar[] {
  const plain = bars.map((bar) => ({ ...bar, adjustedClose: null }));
  if (basis === 'raw') return plain;
  const shares = splitFactors(plain, actions.splits, answeredOn);
  const splitsUndone = plain.map((bar, index) => restated(bar, 1 / (shares[index] ?? 1)));
  return basis === 'all'
    ? dividendsUndone(splitsUndone, actions.dividends, answeredOn, currency)
    : splitsUndone;
}

/**
 * Split-adjusted bars of a total-return series (`all` with its splits undone) brought to as traded.
 * Newest first: a bar's dividend factor is the product over later ex-dates of (1 − amount ÷ as-traded
 * close before the ex-date), and every such close but the bar's own is already known by then. For
 * its own (the ex-dates between it and the next bar), adjusted = x × Π(1 − aᵢ/x), so x = adjusted + a
 * for one dividend, and a few fixed-point rounds for more.
 */
function dividendsUndone(
  bars: readonly DailyBar[],
  dividends: readonly CashDividend[],
  asOf: string,
  currency: string | null,
): DailyBar[] {
  const first = bars[0];
  if (first === undefined) return [];
  const counted = dividends.filter(
    (dividend) =>
      dividend.exDate > first.date &&
      dividend.exDate <= asOf &&
      (currency === null || dividend.currency === currency),
  );
  const result: DailyBar[] = new Array(bars.length);
  let laterFactor = 1;
  // Dividends not yet set against a close, newest first: those after the bar being solved are its own.
  let next = counted.length - 1;
  for (let index = bars.length - 1; index >= 0; index -= 1) {
    const bar = bars[index] as DailyBar;
    const own: number[] = [];
    for (; next >= 0 && (counted[next]?.exDate ?? '') > bar.date; next -= 1)
      own.push(counted[next]?.amount ?? 0);
    const scaled = bar.close / laterFactor;
    let close = scaled + own.reduce((sum, amount) => sum + amount, 0);
    if (own.length > 1) {
      for (let round = 0; round < SOLVE_ROUNDS; round += 1)
        close = scaled / own.reduce((factor, amount) => factor * (1 - amount / close), 1);
    }
    const factor = laterFactor * own.reduce((product, amount) => product * (1 - amount / close), 1);
    result[index] = restated(bar, 1, 1 / factor);
    laterFactor = factor;
  }
  return result;
}

/**
 * A cached as-traded series set right with the actions known now: its bars as the provider presented
 * them (re-adjusted with the actions of the conversion) brought back with `current`. Changes nothing
 * unless the provider's basis was adjusted and a split (or, on `all`, a dividend) up to the day it
 * answered was not known then: the provider's prices reflected it, the conversion did not.
 */
export function reconverted(
  bars: readonly DailyBar[],
  conversion: AsTradedConversion,
  current: PriceActions,
  currency: string | null = null,
): DailyBar[] {
  if (conversion.from === 'raw' || sameActions(conversion, current, conversion)) return [...bars];
  const presented = adjustBars(bars, conversion.from, conversion, conversion.on, currency).bars;
  return toAsTraded(presented, conversion.from, current, conversion.on, currency);
}

/** Whether two sets of actions agree on what a conversion on `from` up to `on` reads. */
function sameActions(a: PriceActions, b: PriceActions, { from, on }: AsTradedConversion): boolean {
  const splits = (list: readonly Split[]) =>
    JSON.stringify(list.filter((split) => split.exDate <= on).map((split) => [split.exDate, split.ratio]));
  const dividends = (list: readonly CashDividend[]) =>
    JSON.stringify(list.filter((paid) => paid.exDate <= on).map((paid) => [paid.exDate, paid.amount]));
  if (splits(a.splits) !== splits(b.splits)) return false;
  return from !== 'all' || dividends(a.dividends) === dividends(b.dividends);
}
