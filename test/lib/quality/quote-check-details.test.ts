import { describe, expect, it } from 'vitest';
import type { Quote } from '../../../lib/model/quote.js';
import { scoreQuote } from '../../../lib/quality/quote.js';
import type { QualityReport } from '../../../lib/quality/report.js';

const now = new Date('2026-11-26T15:30:00Z');

/** A quote whose every figure is consistent: up 2 from a previous close of 100, inside its range. */
function quote(change: Partial<Quote> = {}): Quote {
  return {
    symbol: 'TEST',
    price: 102,
    open: 101,
    high: 103,
    low: 100.5,
    previousClose: 100,
    change: 2,
    changePercent: 2,
    volume: 1000,
    tradingDay: '2026-11-25',
    currency: 'USD',
    ...change,
  };
}

const ids = (report: QualityReport) => report.checks.map((item) => item.id);
const failedIds = (report: QualityReport) =>
  report.checks.filter((item) => !item.passed).map((item) => item.id);

describe('scoreQuote: what each check tells a reader', () => {
  it('lists every check with its severity, and details that show what was measured', () => {
    expect(scoreQuote(quote(), { now }).checks).toStrictEqual([
      { id: 'high_gte_low', passed: true, severity: 'error', detail: 'high 103, low 100.5' },
      { id: 'open_within_range', passed: true, severity: 'warning' },
      { id: 'close_within_range', passed: true, severity: 'warning' },
      { id: 'volume_nonnegative', passed: true, severity: 'error' },
      {
        id: 'no_future_date',
        passed: true,
        severity: 'error',
        subject: '2026-11-25',
        detail: 'latest plausible day 2026-11-27',
      },
      {
        id: 'change_consistent',
        passed: true,
        severity: 'warning',
        detail: 'change 2, price - previous close 2.0000',
      },
      {
        id: 'change_percent_consistent',
        passed: true,
        severity: 'warning',
        detail: 'change percent implies 2.0000, price - previous close 2.0000',
      },
      { id: 'missing_fields', passed: true, severity: 'warning', detail: '0 of 7 missing' },
      { id: 'zero_for_missing', passed: true, severity: 'warning', detail: 'no price field is exactly 0' },
    ]);
  });

  it('names every price field that is exactly 0', () => {
    const report = scoreQuote(quote({ open: 0, low: 0 }), { now });
    expect(report.checks.find((item) => item.id === 'zero_for_missing')).toStrictEqual({
      id: 'zero_for_missing',
      passed: false,
      severity: 'warning',
      detail: 'exactly 0: open, low',
    });
  });
});

describe('scoreQuote: the edges of each check', () => {
  it('fails only open_within_range when the open is below the low', () => {
    expect(failedIds(scoreQuote(quote({ open: 100 }), { now }))).toEqual(['open_within_range']);
  });

  it('fails only close_within_range when the price is above the high', () => {
    expect(failedIds(scoreQuote(quote({ price: 103.5, change: 3.5, changePercent: 3.5 }), { now }))).toEqual([
      'close_within_range',
    ]);
  });

  it('skips both change checks without a previous close', () => {
    const report = scoreQuote(quote({ previousClose: null }), { now });
    expect(ids(report)).not.toContain('change_consistent');
    expect(ids(report)).not.toContain('change_percent_consistent');
  });

  it('skips only the check whose input is missing: change or change percent', () => {
    const withoutChange = ids(scoreQuote(quote({ change: null }), { now }));
    expect(withoutChange).not.toContain('change_consistent');
    expect(withoutChange).toContain('change_percent_consistent');
    const withoutPercent = ids(scoreQuote(quote({ changePercent: null }), { now }));
    expect(withoutPercent).toContain('change_consistent');
    expect(withoutPercent).not.toContain('change_percent_consistent');
  });
});
