import { describe, expect, it } from 'vitest';
import { InMemoryBudget } from '../../../lib/keys/rate-limiter.js';

const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = 60_000;

describe('InMemoryBudget', () => {
  it("grants a key's per-minute limit, then refuses until the minute ends", () => {
    const budget = new InMemoryBudget();
    const limits = { perMinute: 3, perDay: 25 };
    const results = Array.from({ length: 5 }, () => budget.take('alpha-vantage', 'k', limits, T0));
    expect(results.filter((result) => result.granted)).toHaveLength(3);
    expect(results[4]).toEqual({
      granted: false,
      refusedBy: 'minute',
      resetsAt: Date.UTC(2026, 10, 26, 15, 1),
    });
    expect(budget.take('alpha-vantage', 'k', limits, T0 + MINUTE).granted).toBe(true);
  });

  it('refuses past the per-day limit until midnight UTC, without spending the minute', () => {
    const budget = new InMemoryBudget();
    const limits = { perMinute: 2, perDay: 3 };
    const granted = [0, 0, 1, 1].map((minute) =>
      budget.take('alpha-vantage', 'k', limits, T0 + minute * MINUTE),
    );
    expect(granted.map((result) => result.granted)).toEqual([true, true, true, false]);
    expect(granted[3]).toMatchObject({ refusedBy: 'day', resetsAt: Date.UTC(2026, 10, 27) });
    expect(budget.take('alpha-vantage', 'k', limits, Date.UTC(2026, 10, 27)).granted).toBe(true);
  });

  it('refuses by the day when the minute and the day are both full: no budget until the day ends', () => {
    const budget = new InMemoryBudget();
    const limits = { perMinute: 2, perDay: 2 };
    budget.take('alpha-vantage', 'k', limits, T0);
    budget.take('alpha-vantage', 'k', limits, T0);
    expect(budget.take('alpha-vantage', 'k', limits, T0)).toEqual({
      granted: false,
      refusedBy: 'day',
      resetsAt: Date.UTC(2026, 10, 27),
    });
  });

  it('counts keys and providers apart', () => {
    const budget = new InMemoryBudget();
    const limits = { perMinute: 1 };
    expect(budget.take('alpha-vantage', 'a', limits, T0).granted).toBe(true);
    expect(budget.take('alpha-vantage', 'b', limits, T0).granted).toBe(true);
    expect(budget.take('polygon', 'a', limits, T0).granted).toBe(true);
    expect(budget.take('alpha-vantage', 'a', limits, T0).granted).toBe(false);
  });
});
