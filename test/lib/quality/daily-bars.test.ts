import { describe, expect, it } from 'vitest';
import type { DailyBar, DailySeries } from '../../../lib/model/daily-bars.js';
import { scoreDailySeries } from '../../../lib/quality/daily-bars.js';
import { isServable, type QualityReport } from '../../../lib/quality/report.js';
import { toNumber } from '../../../lib/validation/sanitize.js';
import { providerFixture } from '../../support/fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');

type RawBars = { 'Time Series (Daily)': Record<string, Record<string, string>> };

/** The IBM fixture's bars, ascending, read the way Alpha Vantage's fields read. */
function ibmSeries(adjusted = false): DailySeries {
  const file = adjusted
    ? 'alphavantage/time_series_daily_adjusted_IBM_2020-05-08_truncated.json'
    : 'alphavantage/time_series_daily_IBM_2020-05-08_truncated.json';
  const raw = providerFixture(file) as RawBars;
  const bars = Object.entries(raw['Time Series (Daily)'])
    .map(([date, fields]) => ({
      date,
      open: toNumber(fields['1. open']) ?? Number.NaN,
      high: toNumber(fields['2. high']) ?? Number.NaN,
      low: toNumber(fields['3. low']) ?? Number.NaN,
      close: toNumber(fields['4. close']) ?? Number.NaN,
      adjustedClose: adjusted ? toNumber(fields['5. adjusted close']) : null,
      volume: toNumber(fields[adjusted ? '6. volume' : '5. volume']),
    }))
    .sort((a, b) => a.date.localeCompare(b.date));
  return { symbol: 'IBM', currency: 'USD', bars };
}

/** The series with its `index`th bar changed. */
function withBar(series: DailySeries, index: number, change: Partial<DailyBar>): DailySeries {
  return { ...series, bars: series.bars.map((bar, i) => (i === index ? { ...bar, ...change } : bar)) };
}

const failed = (report: QualityReport) => report.checks.filter((item) => !item.passed);

describe('scoreDailySeries', () => {
  it('passes every check on the IBM daily and adjusted bars', () => {
    for (const series of [ibmSeries(), ibmSeries(true)]) {
      const report = scoreDailySeries(series, { now });
      expect(report.checks.map((item) => item.id)).toEqual([
        'high_gte_low',
        'open_within_range',
        'close_within_range',
        'volume_nonnegative',
        'no_future_dates',
        'no_duplicate_dates',
        'ascending_dates',
        'missing_fields',
      ]);
      expect(failed(report)).toEqual([]);
      expect(report.score).toBe(1);
    }
  });

  it('fails only high_gte_low on a bar with high and low swapped, naming the bar', () => {
    const series = ibmSeries();
    const [first] = series.bars;
    const report = scoreDailySeries(withBar(series, 0, { high: first?.low, low: first?.high }), { now });
    expect(failed(report)).toEqual([
      {
        id: 'high_gte_low',
        passed: false,
        severity: 'error',
        subject: '2020-05-07',
        detail: '1 of 2 bars fail',
      },
    ]);
    expect(isServable(report)).toBe(false);
  });

  it('fails only no_duplicate_dates when a bar repeats', () => {
    const series = ibmSeries();
    const last = series.bars.at(-1);
    if (!last) throw new Error('the fixture has no bars');
    const report = scoreDailySeries({ ...series, bars: [...series.bars, { ...last }] }, { now });
    expect(failed(report).map((item) => [item.id, item.subject])).toEqual([
      ['no_duplicate_dates', '2020-05-08'],
    ]);
  });

  it('fails only ascending_dates when the bars come newest first, as Alpha Vantage sends them', () => {
    const series = ibmSeries();
    const report = scoreDailySeries({ ...series, bars: [...series.bars].reverse() }, { now });
    expect(failed(report).map((item) => item.id)).toEqual(['ascending_dates']);
  });

  it('fails only no_future_dates on a bar dated after tomorrow', () => {
    const report = scoreDailySeries(withBar(ibmSeries(), 1, { date: '2026-11-28' }), { now });
    expect(failed(report).map((item) => [item.id, item.subject])).toEqual([
      ['no_future_dates', '2026-11-28'],
    ]);
  });

  it.each<[string, Partial<DailyBar>]>([
    ['open_within_range', { open: 130 }],
    ['close_within_range', { close: 100 }],
    ['volume_nonnegative', { volume: -4412047 }],
  ])('fails only %s on a broken bar', (id, change) => {
    expect(failed(scoreDailySeries(withBar(ibmSeries(), 0, change), { now })).map((item) => item.id)).toEqual(
      [id],
    );
  });

  it('counts gaps only in fields the series carries', () => {
    // No adjusted close at all (an unadjusted endpoint) and no volume (an index): not gaps.
    const index = { ...ibmSeries(), bars: ibmSeries().bars.map((bar) => ({ ...bar, volume: null })) };
    expect(failed(scoreDailySeries(index, { now }))).toEqual([]);
    // Adjusted close on one bar of two and volume on both: 1 of 4 values missing passes; 2 of 4 fails.
    const gappy = withBar(ibmSeries(true), 0, { adjustedClose: null });
    expect(failed(scoreDailySeries(gappy, { now }))).toEqual([]);
    const gappier = withBar(gappy, 1, { volume: null });
    expect(failed(scoreDailySeries(gappier, { now })).map((item) => item.id)).toEqual(['missing_fields']);
  });

  it('has no checks and scores 1 for an empty series', () => {
    expect(scoreDailySeries({ symbol: 'IBM', currency: 'USD', bars: [] }, { now })).toEqual({
      score: 1,
      checks: [],
    });
  });
});
