import fc from 'fast-check';
import type { CashDividend, Split } from '../../../lib/model/corporate-actions.js';
import type { DailyBar } from '../../../lib/model/daily-bars.js';

/** Weekdays from 2020-01-01 on, `count` of them: a series' session dates. */
export function sessionDates(count: number): string[] {
  const dates: string[] = [];
  for (let day = Date.UTC(2020, 0, 1); dates.length < count; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * A symbol's history as the market made it: a value per share in today's shares that moves at most
 * `maxMove` a day, the splits that happened (forward and reverse), and the bars as traded (each day's
 * prices in that day's shares: a 10-for-1 split's earlier prices are 10 times today's).
 */
export interface MarketHistory {
  bars: DailyBar[];
  splits: Split[];
  dividends: CashDividend[];
  asOf: string;
  maxMove: number;
}

const RATIOS = [2, 3, 4, 10, 0.1, 0.5, 1.5] as const;

export function marketHistory(maxMove = 0.05): fc.Arbitrary<MarketHistory> {
  return fc
    .record({
      count: fc.integer({ min: 2, max: 120 }),
      start: fc.double({ min: 1, max: 2000, noNaN: true }),
      moves: fc.array(fc.double({ min: -maxMove, max: maxMove, noNaN: true }), {
        minLength: 120,
        maxLength: 120,
      }),
      splitAt: fc.uniqueArray(fc.integer({ min: 1, max: 119 }), { maxLength: 3 }),
      ratios: fc.array(fc.constantFrom(...RATIOS), { minLength: 3, maxLength: 3 }),
      dividendAt: fc.uniqueArray(fc.integer({ min: 1, max: 119 }), { maxLength: 6 }),
      yields: fc.array(fc.double({ min: 0.001, max: 0.03, noNaN: true }), { minLength: 6, maxLength: 6 }),
      volumes: fc.array(fc.integer({ min: 0, max: 1e8 }), { minLength: 120, maxLength: 120 }),
    })
    .map(({ count, start, moves, splitAt, ratios, dividendAt, yields, volumes }) => {
      const dates = sessionDates(count);
      const splits = splitAt
        .filter((index) => index < count)
        .sort((a, b) => a - b)
        .map((index, n) => ({ exDate: dates[index] as string, ratio: ratios[n] as number }));
      // Value per share in today's shares, then as traded: × the ratios of the splits after each day.
      let value = start;
      const bars = dates.map((date, index): DailyBar => {
        if (index > 0) value *= 1 + (moves[index] ?? 0);
        const shares = splits.filter((split) => split.exDate > date).reduce((p, s) => p * s.ratio, 1);
        const price = value * shares;
        return {
          date,
          open: price,
          high: price * 1.01,
          low: price * 0.99,
          close: price,
          adjustedClose: null,
          volume: (volumes[index] ?? 0) / shares,
        };
      });
      const dividends = dividendAt
        .filter((index) => index < count)
        .sort((a, b) => a - b)
        .map((index, n) => ({
          exDate: dates[index] as string,
          amount: (bars[index - 1]?.close ?? 1) * (yields[n] ?? 0.01),
          currency: 'USD',
          payDate: null,
        }));
      return { bars, splits, dividends, asOf: dates.at(-1) as string, maxMove };
    });
}

/** Whether `a` is within a relative `tolerance` of `b`. */
export function near(a: number, b: number, tolerance = 1e-9): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
}
