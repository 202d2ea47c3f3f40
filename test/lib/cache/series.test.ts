import { describe, expect, it } from 'vitest';
import type { CachedEntry, CacheLookup } from '../../../lib/cache/data-cache.js';
import {
  type CoveredSeries,
  MIN_SERIES_SPAN_DAYS,
  recordingCoverage,
  seriesFetchQuery,
  seriesLookupFor,
  sliceSeries,
  withoutCoverage,
} from '../../../lib/cache/series.js';
import type { DailyBar, DailySeries, HistoryQuery } from '../../../lib/model/daily-bars.js';
import type { ProviderEndpoint } from '../../../lib/providers/provider.js';

const bar = (date: string): DailyBar => ({
  date,
  open: 1,
  high: 2,
  low: 0.5,
  close: 1.5,
  adjustedClose: null,
  volume: 10,
});
const series = (from: string, to: string, dates: string[]): CoveredSeries => ({
  symbol: 'IBM',
  currency: 'USD',
  bars: dates.map(bar),
  covers: { from, to },
});
const cachedValue = (value: CoveredSeries, fresh = true): CacheLookup<CoveredSeries> => {
  const entry: CachedEntry<CoveredSeries> = {
    value,
    provider: 'fmp',
    fetchedAt: '2026-11-27T22:00:00.000Z',
    ageSeconds: 0,
    fresh,
    freshForSeconds: fresh ? 60 : 0,
    quality: null,
  };
  return { kind: 'value', entry };
};
const query = (from: string, to: string): HistoryQuery => ({ symbol: 'IBM', from, to });
const now = new Date('2026-11-30T15:00:00Z');
const daysBefore = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

describe('seriesFetchQuery', () => {
  it('asks a miss for at least two years up to today, whatever shorter range was asked', () => {
    expect(seriesFetchQuery(query('2026-11-01', '2026-11-20'), { kind: 'none' }, now)).toEqual(
      query(daysBefore('2026-11-30', MIN_SERIES_SPAN_DAYS), '2026-11-30'),
    );
  });

  it('asks as deep as the query when it reaches further back', () => {
    expect(seriesFetchQuery(query('2006-11-30', '2026-11-30'), { kind: 'none' }, now)).toEqual(
      query('2006-11-30', '2026-11-30'),
    );
  });

  it('keeps the depth of the cached series, so the new one holds everything the old one did', () => {
    const cached = cachedValue(series('2010-01-04', '2026-11-27', []), false);
    expect(seriesFetchQuery(query('2026-11-01', '2026-11-30'), cached, now).from).toBe('2010-01-04');
  });

  it('keeps no more of the cached depth than the API can ask: 20 years back from today', () => {
    const cached = cachedValue(series('1990-01-02', '2026-11-27', []), false);
    expect(seriesFetchQuery(query('2026-11-01', '2026-11-30'), cached, now).from).toBe(
      daysBefore('2026-11-30', 20 * 366),
    );
  });
});

describe('seriesLookupFor', () => {
  const cached = cachedValue(series('2025-01-02', '2026-11-27', ['2025-01-02', '2026-11-27']));

  it('passes a series that reaches back to the query start through, fresh or stale', () => {
    expect(seriesLookupFor(cached, query('2025-01-02', '2026-11-30'))).toBe(cached);
    const stale = cachedValue(series('2025-01-02', '2026-11-27', []), false);
    expect(seriesLookupFor(stale, query('2026-01-02', '2026-11-30'))).toBe(stale);
  });

  it('counts a series that starts after the query start as nothing cached: it can serve it neither fresh nor stale', () => {
    expect(seriesLookupFor(cached, query('2024-12-31', '2025-06-30'))).toEqual({ kind: 'none' });
  });

  it('leaves a remembered unknown symbol and an empty read as they are', () => {
    expect(seriesLookupFor({ kind: 'not_found' }, query('2020-01-01', '2020-02-01'))).toEqual({
      kind: 'not_found',
    });
    expect(seriesLookupFor({ kind: 'none' }, query('2020-01-01', '2020-02-01'))).toEqual({ kind: 'none' });
  });
});

describe('sliceSeries', () => {
  it('holds exactly the bars within the range, both ends included', () => {
    const whole = series('2026-11-02', '2026-11-27', [
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
    ]);
    const slice = sliceSeries(whole, { from: '2026-11-03', to: '2026-11-04' });
    expect(slice.bars.map((b) => b.date)).toEqual(['2026-11-03', '2026-11-04']);
    expect(slice.covers).toEqual({ from: '2026-11-03', to: '2026-11-04' });
    expect(withoutCoverage(slice)).toEqual({ symbol: 'IBM', currency: 'USD', bars: slice.bars });
  });
});

describe('recordingCoverage', () => {
  it('adds the asked range to a good answer and leaves a failure as it is', () => {
    const endpoint = {
      provider: 'fmp',
      dataType: 'daily_history',
      buildRequest: () => ({ url: new URL('http://127.0.0.1/') }),
      classify: () => null,
      transform: (body: unknown, q: HistoryQuery) =>
        body === 'bad'
          ? { ok: false, failure: { kind: 'bad_data', detail: 'bad' } }
          : { ok: true, value: { symbol: q.symbol, currency: null, bars: [bar(q.from)] } },
    } as ProviderEndpoint<HistoryQuery, DailySeries>;
    const covering = recordingCoverage(endpoint);
    expect(covering.provider).toBe('fmp');
    expect(covering.transform('ok', query('2026-01-02', '2026-02-02'))).toEqual({
      ok: true,
      value: {
        symbol: 'IBM',
        currency: null,
        bars: [bar('2026-01-02')],
        covers: { from: '2026-01-02', to: '2026-02-02' },
      },
    });
    expect(covering.transform('bad', query('2026-01-02', '2026-02-02'))).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'bad' },
    });
  });
});
