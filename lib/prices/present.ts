import type { DailyBar } from '../model/daily-bars.js';
import type { Adjustment, AdjustmentMeta } from '../model/price-basis.js';
import { check, type QualityCheck } from '../quality/report.js';
import { adjustBars, type PriceActions } from './adjust.js';
import { type AsTradedConversion, reconverted } from './as-traded.js';

/** A cached series as traded, with how it was converted (absent on series cached before conversions). */
export interface AsTradedSeries {
  currency: string | null;
  bars: readonly DailyBar[];
  asTraded?: AsTradedConversion;
}

/** An answered price keeps four decimals (sub-penny quotes have four); more would be float noise. */
const PRICE_SCALE = 10 ** 4;

/**
 * The bars of `series` within `range` on the `adjustment` asked, with `meta.adjustment`. The series
 * from the bar before the range on is adjusted before it is cut (a bar's factors read the actions
 * after it, and a total-return factor the close of the session before each ex-date), with the
 * `current` corporate actions when they could be had (first setting right a conversion that missed
 * one), else with the ones stored with the series. `adjustedClose` is the layer's split- and
 * dividend-adjusted close whatever the basis, so it too is the same whichever provider answered.
 */
export function presentSeries(
  series: AsTradedSeries,
  range: { from: string; to: string },
  adjustment: Adjustment,
  current: PriceActions | null,
  today: string,
): { bars: DailyBar[]; adjustment: AdjustmentMeta } {
  const stored: PriceActions = series.asTraded ?? { splits: [], dividends: [] };
  const actions = current ?? stored;
  const firstInRange = series.bars.findIndex((bar) => bar.date >= range.from);
  const from = firstInRange === -1 ? series.bars.length : Math.max(0, firstInRange - 1);
  const read = series.bars.slice(from);
  const asTraded =
    current && series.asTraded ? reconverted(read, series.asTraded, current, series.currency) : read;
  const asked = adjustBars(asTraded, adjustment, actions, today, series.currency);
  const totalReturn =
    adjustment === 'all' ? asked : adjustBars(asTraded, 'all', actions, today, series.currency);
  const bars = asked.bars.flatMap((bar, index) =>
    bar.date >= range.from && bar.date <= range.to
      ? [rounded({ ...bar, adjustedClose: totalReturn.bars[index]?.close ?? null })]
      : [],
  );
  const start = bars[0]?.date ?? range.to;
  return {
    bars,
    adjustment: {
      basis: adjustment,
      splits: asked.applied.splits.filter((split) => split.exDate > start),
      dividends: asked.applied.dividends.filter((dividend) => dividend.exDate > start),
      actions: current ? 'current' : 'stored_with_series',
    },
  };
}

function rounded(bar: DailyBar): DailyBar {
  const price = (value: number) => Math.round(value * PRICE_SCALE) / PRICE_SCALE;
  return {
    date: bar.date,
    open: price(bar.open),
    high: price(bar.high),
    low: price(bar.low),
    close: price(bar.close),
    adjustedClose: bar.adjustedClose === null ? null : price(bar.adjustedClose),
    volume: bar.volume === null ? null : Math.round(bar.volume),
  };
}

/**
 * `corporate_actions_current` (warning): fails when the answer was adjusted with the actions stored
 * with the series because the current ones could not be had; a split since would be missing from it.
 */
export function actionsCheck(adjustment: AdjustmentMeta): QualityCheck {
  const current = adjustment.actions === 'current';
  return check('corporate_actions_current', 'warning', current, {
    detail: current ? undefined : 'adjusted with the corporate actions stored with the series',
  });
}
