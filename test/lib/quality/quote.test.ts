import { describe, expect, it } from 'vitest';
import type { Quote } from '../../../lib/model/quote.js';
import { alphaVantageGlobalQuote } from '../../../lib/providers/alpha-vantage/global-quote.js';
import { fmpQuote } from '../../../lib/providers/fmp/quote.js';
import { scoreQuote } from '../../../lib/quality/quote.js';
import { isServable, type QualityReport } from '../../../lib/quality/report.js';
import { providerFixture } from '../../support/fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');

function ibm(): Quote {
  const result = alphaVantageGlobalQuote.transform(
    providerFixture('alphavantage/global_quote_IBM_2020-05-08.json'),
    {
      symbol: 'IBM',
    },
  );
  if (!result.ok) throw new Error('the IBM fixture no longer normalizes');
  return result.value;
}

const failedIds = (report: QualityReport) =>
  report.checks.filter((item) => !item.passed).map((item) => item.id);

describe('scoreQuote', () => {
  it('passes every check on the Alpha Vantage IBM quote', () => {
    const report = scoreQuote(ibm(), { now });
    expect(report.checks.map((item) => item.id)).toEqual([
      'high_gte_low',
      'open_within_range',
      'close_within_range',
      'volume_nonnegative',
      'no_future_date',
      'change_consistent',
      'change_percent_consistent',
      'missing_fields',
      'zero_for_missing',
    ]);
    expect(failedIds(report)).toEqual([]);
    expect(report.score).toBe(1);
    expect(isServable(report)).toBe(true);
  });

  it('passes every check on the FMP AAPL quote', () => {
    const result = fmpQuote.transform(providerFixture('fmp/quote_stable_AAPL_2025-09-23.json'), {
      symbol: 'AAPL',
    });
    if (!result.ok) throw new Error('the AAPL fixture no longer normalizes');
    const report = scoreQuote(result.value, { now });
    expect(failedIds(report)).toEqual([]);
    expect(report.checks).toHaveLength(9);
  });

  it.each<[string, Partial<Quote>]>([
    ['high_gte_low', { high: 121.06, low: 122.8 }],
    ['open_within_range', { open: 123.5 }],
    ['close_within_range', { low: 121.8 }],
    ['volume_nonnegative', { volume: -1 }],
    ['no_future_date', { tradingDay: '2026-11-28' }],
    ['change_consistent', { change: 5.51 }],
    // The IBM quote's 0.4207 % written as a fraction: the unit the model no longer holds.
    ['change_percent_consistent', { changePercent: 0.004207 }],
    ['missing_fields', { open: null, high: null, low: null }],
    ['zero_for_missing', { open: 0 }],
  ])('fails only %s on a broken variant', (id, broken) => {
    const report = scoreQuote({ ...ibm(), ...broken }, { now });
    expect(failedIds(report)).toEqual([id]);
  });

  it('blocks serving on an inverted range, a negative volume or a future date', () => {
    for (const broken of [{ high: 121.06, low: 122.8 }, { volume: -1 }, { tradingDay: '2026-11-28' }]) {
      expect(isServable(scoreQuote({ ...ibm(), ...broken }, { now }))).toBe(false);
    }
  });

  it('serves with a warning when the last price is outside the day range', () => {
    const report = scoreQuote({ ...ibm(), low: 121.8 }, { now });
    // Three errors (9) and six warnings (12); the failed warning costs 2 of 21.
    expect(report.score).toBeCloseTo(19 / 21, 12);
    expect(isServable(report)).toBe(true);
  });

  it('allows one day ahead of UTC for exchanges east of it', () => {
    expect(failedIds(scoreQuote({ ...ibm(), tradingDay: '2026-11-27' }, { now }))).toEqual([]);
  });

  it('accepts a change rounded by a cent, or by 0.1 % of a high price', () => {
    expect(failedIds(scoreQuote({ ...ibm(), change: 0.52 }, { now }))).toEqual([]);
    const expensive = { ...ibm(), price: 5000, previousClose: 4990, open: 4995, high: 5010, low: 4980 };
    expect(
      failedIds(scoreQuote({ ...expensive, change: 14, changePercent: (14 / 4990) * 100 }, { now })),
    ).toEqual([]);
  });

  it('reads changePercent in percent: -1.8 for a 1.8 % fall, and a fraction fails', () => {
    const fall = { ...ibm(), price: 98.2, previousClose: 100, open: 99, high: 100.5, low: 98, change: -1.8 };
    expect(failedIds(scoreQuote({ ...fall, changePercent: -1.8 }, { now }))).toEqual([]);
    expect(failedIds(scoreQuote({ ...fall, changePercent: -0.018 }, { now }))).toEqual([
      'change_percent_consistent',
    ]);
  });

  it('passes a day without movement: high equal to low, the open and the price on it', () => {
    const flat = { ...ibm(), open: 122, high: 122, low: 122, price: 122, previousClose: 122, change: 0 };
    const report = scoreQuote({ ...flat, changePercent: 0 }, { now });
    expect(failedIds(report)).toEqual([]);
    expect(report.checks.map((item) => item.id)).toEqual(
      expect.arrayContaining(['high_gte_low', 'open_within_range', 'close_within_range']),
    );
  });

  it('passes a zero volume (a day without trades), checked rather than skipped', () => {
    const report = scoreQuote({ ...ibm(), volume: 0 }, { now });
    expect(report.checks.find((item) => item.id === 'volume_nonnegative')?.passed).toBe(true);
    expect(failedIds(report)).toEqual([]);
  });

  it('skips the range checks when only one of high and low is known', () => {
    for (const oneSided of [{ high: null }, { low: null }, { high: 0 }]) {
      const report = scoreQuote({ ...ibm(), ...oneSided }, { now });
      const ids = report.checks.map((item) => item.id);
      expect(ids).not.toContain('high_gte_low');
      expect(ids).not.toContain('open_within_range');
      expect(ids).not.toContain('close_within_range');
      expect(isServable(report)).toBe(true);
    }
  });

  it('skips checks whose inputs are missing rather than passing them', () => {
    const bare: Quote = {
      ...ibm(),
      open: null,
      high: null,
      low: null,
      previousClose: null,
      change: null,
      changePercent: null,
      volume: null,
    };
    const report = scoreQuote(bare, { now });
    expect(report.checks.map((item) => [item.id, item.passed])).toEqual([
      ['no_future_date', true],
      ['missing_fields', false],
    ]);
    expect(report.score).toBe(0.6);
  });
});
