import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDay, parseIsoDay, tradingDaysBetween } from '../../../infra/local/sandbox/calendar.js';
import { corporateActionsFor, findSymbolWithSplit } from '../../../infra/local/sandbox/corporate-actions.js';
import { SymbolPrices } from '../../../infra/local/sandbox/price-bases.js';
import type { DailyBar } from '../../../lib/model/daily-bars.js';
import { adjustBars } from '../../../lib/prices/adjust.js';

/** A fixed day the sandbox's splits are adjusted as of: the property holds on any date it runs. */
const AS_OF = '2025-06-30';
const DAY = 86_400_000;
const dayOf = (iso: string) => parseIsoDay(iso) ?? Number.NaN;

/** Bars as the model has them, from the sandbox's bars of one basis. */
const modelBars = (
  bars: readonly { date: string; open: number; high: number; low: number; close: number; volume: number }[],
): DailyBar[] =>
  bars.map(({ date, open, high, low, close, volume }) => ({
    date,
    open,
    high,
    low,
    close,
    adjustedClose: null,
    volume,
  }));

describe('split adjustment of the sandbox’s own splits (property)', () => {
  it('makes the as-traded series continuous across a split the sandbox made: the sandbox’s split-adjusted bars, within rounding', () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 3, 4, 10), fc.integer({ min: 0, max: 4 * 365 }), (ratio, offset) => {
        const start = new Date(Date.UTC(2020, 0, 1) + offset * DAY).toISOString().slice(0, 10);
        const end = new Date(Date.UTC(2020, 0, 1) + (offset + 200) * DAY).toISOString().slice(0, 10);
        const { symbol, split } = findSymbolWithSplit({ ratio, within: { from: start, to: end } });
        const days = tradingDaysBetween(dayOf(split.exDate) - 30, dayOf(split.exDate) + 30).sort(
          (a, b) => a - b,
        );
        const prices = new SymbolPrices(symbol);
        const raw = modelBars(prices.bars(days, 'raw', dayOf(AS_OF)));
        const truth = prices.bars(days, 'splits', dayOf(AS_OF));
        const actions = corporateActionsFor(symbol, { from: isoDay(days[0] ?? 0), to: AS_OF });
        const adjusted = adjustBars(raw, 'splits', actions, AS_OF).bars;
        adjusted.forEach((bar, i) => {
          const expected = truth[i]?.close ?? Number.NaN;
          expect(Math.abs(bar.close - expected)).toBeLessThanOrEqual(Math.max(0.0001 * expected, 0.01));
        });
        // As traded, the same days jump by the split's ratio at its ex-date; adjusted they do not.
        const at = raw.findIndex((bar) => bar.date === split.exDate);
        const rawJump = (raw[at - 1]?.close ?? 0) / (raw[at]?.close ?? 1);
        const adjustedJump = (adjusted[at - 1]?.close ?? 0) / (adjusted[at]?.close ?? 1);
        const trueJump = (truth[at - 1]?.close ?? 0) / (truth[at]?.close ?? 1);
        expect(rawJump / trueJump).toBeCloseTo(ratio, 1);
        expect(adjustedJump / trueJump).toBeCloseTo(1, 3);
      }),
      { numRuns: 40 },
    );
  });
});
