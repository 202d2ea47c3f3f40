import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADJUSTMENTS } from '../../../lib/model/price-basis.js';
import { adjustBars } from '../../../lib/prices/adjust.js';
import { toAsTraded } from '../../../lib/prices/as-traded.js';
import { marketHistory, near } from './arbitraries.js';

const FIELDS = ['open', 'high', 'low', 'close'] as const;

describe('price adjustment (properties)', () => {
  it('raw → any basis → raw gives the as-traded bars back', () => {
    fc.assert(
      fc.property(marketHistory(), fc.constantFrom(...ADJUSTMENTS), (history, basis) => {
        const adjusted = adjustBars(history.bars, basis, history, history.asOf, 'USD').bars;
        const back = toAsTraded(adjusted, basis, history, history.asOf, 'USD');
        expect(back).toHaveLength(history.bars.length);
        back.forEach((bar, index) => {
          const raw = history.bars[index];
          if (!raw) throw new Error('a bar too many');
          expect(bar.date).toBe(raw.date);
          for (const field of FIELDS) expect(near(bar[field], raw[field])).toBe(true);
          expect(near(bar.volume ?? 0, raw.volume ?? 0)).toBe(true);
        });
      }),
    );
  });

  it('splits-adjusted prices move no more from day to day than the market did, whatever the splits', () => {
    fc.assert(
      fc.property(marketHistory(0.05), (history) => {
        fc.pre(history.splits.length > 0);
        const { bars } = adjustBars(history.bars, 'splits', history, history.asOf);
        for (let index = 1; index < bars.length; index += 1) {
          const move = (bars[index]?.close ?? 0) / (bars[index - 1]?.close ?? 1) - 1;
          expect(Math.abs(move)).toBeLessThanOrEqual(history.maxMove + 1e-9);
        }
        // As traded, the same series jumps by the split's ratio: the property is the adjustment's.
        const split = history.splits[0];
        const at = history.bars.findIndex((bar) => bar.date === split?.exDate);
        const rawMove = (history.bars[at]?.close ?? 0) / (history.bars[at - 1]?.close ?? 1);
        expect(Math.abs(rawMove - 1)).toBeGreaterThan(history.maxMove);
      }),
    );
  });

  it('volume × price of each bar is the same as traded and split-adjusted', () => {
    fc.assert(
      fc.property(marketHistory(), (history) => {
        const { bars } = adjustBars(history.bars, 'splits', history, history.asOf);
        bars.forEach((bar, index) => {
          const raw = history.bars[index];
          if (!raw) throw new Error('a bar too many');
          expect(near(bar.close * (bar.volume ?? 0), raw.close * (raw.volume ?? 0))).toBe(true);
        });
      }),
    );
  });

  it('`all` is below `splits` before the last dividend applied and equal from its ex-date on', () => {
    fc.assert(
      fc.property(marketHistory(), (history) => {
        const splits = adjustBars(history.bars, 'splits', history, history.asOf).bars;
        const all = adjustBars(history.bars, 'all', history, history.asOf, 'USD');
        const last = all.applied.dividends.at(-1)?.exDate;
        all.bars.forEach((bar, index) => {
          const split = splits[index]?.close ?? Number.NaN;
          if (last !== undefined && bar.date < last) expect(bar.close).toBeLessThan(split);
          else expect(near(bar.close, split)).toBe(true);
        });
      }),
    );
  });
});
