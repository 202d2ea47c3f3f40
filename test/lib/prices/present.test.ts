import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../../lib/model/daily-bars.js';
import { adjustBars } from '../../../lib/prices/adjust.js';
import { reconverted, toAsTraded } from '../../../lib/prices/as-traded.js';
import { presentSeries } from '../../../lib/prices/present.js';

const bar = (date: string, close: number, volume = 1000): DailyBar => ({
  date,
  open: close,
  high: close,
  low: close,
  close,
  adjustedClose: null,
  volume,
});
/** As traded: 100 a share before a 10-for-1 split on 2024-06-10, 10 after; a 1.00 dividend on 2024-06-12. */
const asTraded = [
  bar('2024-06-06', 100),
  bar('2024-06-07', 100),
  bar('2024-06-10', 10, 10_000),
  bar('2024-06-11', 10, 10_000),
  bar('2024-06-12', 9, 10_000),
];
const split = { exDate: '2024-06-10', ratio: 10 };
const dividend = { exDate: '2024-06-12', amount: 1, currency: 'USD', payDate: null };
const actions = { splits: [split], dividends: [dividend] };
const whole = { from: '2024-06-01', to: '2024-06-30' };
const closes = (bars: readonly DailyBar[]) => bars.map((b) => b.close);

describe('presentSeries', () => {
  it('answers each basis from the as-traded series with the actions applied listed', () => {
    const series = { currency: 'USD', bars: asTraded };
    const raw = presentSeries(series, whole, 'raw', actions, '2024-06-30');
    expect(closes(raw.bars)).toEqual([100, 100, 10, 10, 9]);
    expect(raw.adjustment).toEqual({ basis: 'raw', splits: [], dividends: [], actions: 'current' });

    const splits = presentSeries(series, whole, 'splits', actions, '2024-06-30');
    expect(closes(splits.bars)).toEqual([10, 10, 10, 10, 9]);
    expect(splits.bars.map((b) => b.volume)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(splits.adjustment).toMatchObject({ basis: 'splits', splits: [split], dividends: [] });

    // Total return: before the ex-date, × (1 − 1.00 ÷ 10, the close before it) = 0.9.
    const all = presentSeries(series, whole, 'all', actions, '2024-06-30');
    expect(closes(all.bars)).toEqual([9, 9, 9, 9, 9]);
    expect(all.adjustment).toMatchObject({ splits: [split], dividends: [dividend] });
    // The total-return close is every basis' adjustedClose.
    expect(raw.bars.map((b) => b.adjustedClose)).toEqual([9, 9, 9, 9, 9]);
  });

  it('lists only the actions after the first bar answered', () => {
    const series = { currency: 'USD', bars: asTraded };
    const late = presentSeries(
      series,
      { from: '2024-06-11', to: '2024-06-30' },
      'all',
      actions,
      '2024-06-30',
    );
    expect(late.adjustment).toMatchObject({ splits: [], dividends: [dividend] });
    expect(closes(late.bars)).toEqual([9, 9]);
  });

  it('ignores actions after the day it adjusts for (a split announced for next week)', () => {
    const series = { currency: 'USD', bars: asTraded };
    const early = presentSeries(series, whole, 'splits', actions, '2024-06-07');
    expect(closes(early.bars)).toEqual([100, 100, 10, 10, 9]);
    expect(early.adjustment.splits).toEqual([]);
  });

  it('without current actions, adjusts with the ones stored with the series and says so', () => {
    const series = {
      currency: 'USD',
      bars: asTraded,
      asTraded: { from: 'raw' as const, on: '2024-06-30', ...actions },
    };
    const answer = presentSeries(series, whole, 'splits', null, '2024-06-30');
    expect(closes(answer.bars)).toEqual([10, 10, 10, 10, 9]);
    expect(answer.adjustment.actions).toBe('stored_with_series');
  });

  it('a split learned after a series was cached re-adjusts the next answer', () => {
    // Cached from a provider as traded when the layer knew no split: its splits answer was the raw one.
    const series = {
      currency: 'USD',
      bars: asTraded,
      asTraded: { from: 'raw' as const, on: '2024-06-30', splits: [], dividends: [] },
    };
    expect(closes(presentSeries(series, whole, 'splits', null, '2024-06-30').bars)).toEqual([
      100, 100, 10, 10, 9,
    ]);
    expect(closes(presentSeries(series, whole, 'splits', actions, '2024-06-30').bars)).toEqual([
      10, 10, 10, 10, 9,
    ]);
  });
});

describe('reconverted', () => {
  it('sets right a split-adjusted answer converted without a split the provider had applied', () => {
    const presented = adjustBars(asTraded, 'splits', actions, '2024-06-30').bars;
    // Converted without the split: the "as traded" bars kept the provider's split-adjusted prices.
    const missed = toAsTraded(presented, 'splits', { splits: [], dividends: [] }, '2024-06-30');
    expect(closes(missed)).toEqual([10, 10, 10, 10, 9]);
    const conversion = { from: 'splits' as const, on: '2024-06-30', splits: [], dividends: [] };
    expect(closes(reconverted(missed, conversion, actions))).toEqual([100, 100, 10, 10, 9]);
  });

  it("leaves a raw provider's bars and a conversion that knew the same splits as they are", () => {
    const raw = { from: 'raw' as const, on: '2024-06-30', splits: [], dividends: [] };
    expect(reconverted(asTraded, raw, actions)).toEqual(asTraded);
    const knew = { from: 'splits' as const, on: '2024-06-30', ...actions };
    expect(reconverted(asTraded, knew, actions)).toEqual(asTraded);
  });

  it('does not re-adjust for a split after the day the provider answered', () => {
    const conversion = { from: 'splits' as const, on: '2024-06-07', splits: [], dividends: [] };
    const before = asTraded.slice(0, 2);
    expect(reconverted(before, conversion, actions)).toEqual(before);
  });
});
