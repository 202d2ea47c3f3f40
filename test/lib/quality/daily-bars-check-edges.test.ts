import { describe, expect, it } from 'vitest';
import type { DailyBar, DailySeries } from '../../../lib/model/daily-bars.js';
import { scoreDailySeries } from '../../../lib/quality/daily-bars.js';
import type { QualityReport } from '../../../lib/quality/report.js';

const now = new Date('2026-11-26T15:30:00Z');

function bar(date: string, change: Partial<DailyBar> = {}): DailyBar {
  return { date, open: 10, high: 11, low: 9, close: 10.5, adjustedClose: 10.5, volume: 500, ...change };
}

function series(...bars: DailyBar[]): DailySeries {
  return { symbol: 'TEST', currency: 'USD', bars };
}

const checkOf = (report: QualityReport, id: string) => report.checks.find((item) => item.id === id);
const ids = (report: QualityReport) => report.checks.map((item) => item.id);
const failedIds = (report: QualityReport) =>
  report.checks.filter((item) => !item.passed).map((item) => item.id);

describe('scoreDailySeries: bars on the edge of their checks', () => {
  it('passes a bar that never moved (open, high, low and close equal) and a bar with zero volume', () => {
    const flat = bar('2026-11-24', { open: 10, high: 10, low: 10, close: 10, volume: 0 });
    const report = scoreDailySeries(series(bar('2026-11-23'), flat, bar('2026-11-25')), { now });
    expect(failedIds(report)).toEqual([]);
    // The flat bar is among those the range checks looked at: 3 bars, not 2.
    for (const [id, severity] of [
      ['high_gte_low', 'error'],
      ['open_within_range', 'warning'],
      ['close_within_range', 'warning'],
      ['volume_nonnegative', 'error'],
    ] as const) {
      expect(checkOf(report, id)).toStrictEqual({ id, passed: true, severity, detail: '0 of 3 bars fail' });
    }
  });

  it('fails open_within_range for an open below the low, and close_within_range for a close above the high', () => {
    const report = scoreDailySeries(
      series(bar('2026-11-23'), bar('2026-11-24', { open: 8.5 }), bar('2026-11-25', { close: 11.5 })),
      { now },
    );
    expect(checkOf(report, 'open_within_range')).toStrictEqual({
      id: 'open_within_range',
      passed: false,
      severity: 'warning',
      subject: '2026-11-24',
      detail: '1 of 3 bars fail',
    });
    expect(checkOf(report, 'close_within_range')).toStrictEqual({
      id: 'close_within_range',
      passed: false,
      severity: 'warning',
      subject: '2026-11-25',
      detail: '1 of 3 bars fail',
    });
  });

  it('accepts a bar dated on the latest plausible day (today UTC plus one)', () => {
    const report = scoreDailySeries(series(bar('2026-11-26'), bar('2026-11-27')), { now });
    expect(failedIds(report)).toEqual([]);
  });

  it('skips volume_nonnegative for a series that carries no volume, and the range checks when every range is inverted', () => {
    const noVolume = scoreDailySeries(
      series(bar('2026-11-24', { volume: null }), bar('2026-11-25', { volume: null })),
      { now },
    );
    expect(ids(noVolume)).not.toContain('volume_nonnegative');
    const inverted = scoreDailySeries(series(bar('2026-11-24', { high: 9, low: 11 })), { now });
    expect(ids(inverted)).toEqual([
      'high_gte_low',
      'volume_nonnegative',
      'no_future_dates',
      'no_duplicate_dates',
      'ascending_dates',
      'missing_fields',
    ]);
  });
});

describe('scoreDailySeries: date order and missing values', () => {
  it('names the first bar that goes back in time, and says nothing more when dates ascend', () => {
    const back = scoreDailySeries(series(bar('2026-11-23'), bar('2026-11-25'), bar('2026-11-24')), { now });
    expect(checkOf(back, 'ascending_dates')).toStrictEqual({
      id: 'ascending_dates',
      passed: false,
      severity: 'error',
      subject: '2026-11-24',
      detail: 'a bar dated before the bar preceding it',
    });
    const ascending = scoreDailySeries(series(bar('2026-11-23'), bar('2026-11-24')), { now });
    expect(checkOf(ascending, 'ascending_dates')).toStrictEqual({
      id: 'ascending_dates',
      passed: true,
      severity: 'error',
    });
  });

  it('passes missing_fields at exactly 30 % of the optional values missing, and counts them in its detail', () => {
    // 5 bars carry adjusted close and volume: 10 optional values, 3 of them missing.
    const report = scoreDailySeries(
      series(
        bar('2026-11-19', { volume: null }),
        bar('2026-11-20', { adjustedClose: null }),
        bar('2026-11-23', { volume: null }),
        bar('2026-11-24'),
        bar('2026-11-25'),
      ),
      { now },
    );
    expect(checkOf(report, 'missing_fields')).toStrictEqual({
      id: 'missing_fields',
      passed: true,
      severity: 'warning',
      detail: '3 of 10 optional values missing',
    });
  });
});
