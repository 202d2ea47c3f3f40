import { describe, expect, it } from 'vitest';
import { type CoveredSeries, coverageOf, reachesBack, START_SLACK_DAYS } from '../../../lib/cache/series.js';

const asked = { from: '2026-01-01', to: '2026-11-30' };

describe('coverageOf at its edges', () => {
  it('covers the asked range when the provider answered no bar at all', () => {
    expect(coverageOf([], asked)).toEqual(asked);
  });

  it(`covers from the asked start when the first bar is exactly ${START_SLACK_DAYS} days after it (a weekend and a holiday)`, () => {
    expect(START_SLACK_DAYS).toBe(4);
    expect(coverageOf([{ date: '2026-01-05' }], asked)).toEqual(asked);
    expect(coverageOf([{ date: '2026-01-06' }], asked)).toEqual({ from: '2026-01-06', to: asked.to });
  });
});

describe('reachesBack', () => {
  it('reaches back nowhere for a series cached before its coverage was recorded', () => {
    const old = { symbol: 'IBM', currency: 'USD', bars: [] } as unknown as CoveredSeries;
    expect(reachesBack(old, asked)).toBe(false);
  });
});
