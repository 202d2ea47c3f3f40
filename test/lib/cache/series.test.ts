import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CachedEntry, CacheLookup } from '../../../lib/cache/data-cache.js';
import {
  type CoveredSeries,
  coverageOf,
  MIN_SERIES_SPAN_DAYS,
  START_SLACK_DAYS,
  seriesFetchQuery,
  seriesLookupFor,
  sliceSeries,
  withinPlanReach,
  withoutCoverage,
} from '../../../lib/cache/series.js';
import type { DailyBar, HistoryQuery } from '../../../lib/model/daily-bars.js';
import { alphaVantageDailySeries } from '../../../lib/providers/alpha-vantage/time-series-daily.js';
import type { HistoryEndpoint } from '../../../lib/providers/provider.js';

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
  it('asks a miss for the query up to today, leaving each endpoint to widen it as its plan allows', () => {
    expect(seriesFetchQuery(query('2026-11-01', '2026-11-20'), { kind: 'none' }, now)).toMatchObject(
      query('2026-11-01', '2026-11-30'),
    );
  });

  it('carries the corporate actions it is given and today, for the conversion to as traded', () => {
    const actions = { splits: [{ exDate: '2024-06-10', ratio: 10 }], dividends: [] };
    expect(seriesFetchQuery(query('2026-11-01', '2026-11-20'), { kind: 'none' }, now, actions)).toEqual({
      ...query('2026-11-01', '2026-11-30'),
      actions,
      answeredOn: '2026-11-30',
    });
  });

  it('asks as deep as the query when it reaches further back', () => {
    expect(seriesFetchQuery(query('2006-11-30', '2026-11-30'), { kind: 'none' }, now)).toMatchObject(
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

describe('coverageOf', () => {
  const asked = { from: '2026-01-02', to: '2026-11-30' };

  it('covers the asked range when the first bar is the first session after a weekend or holiday start', () => {
    // 2026-01-02 is a Friday: a first bar on Monday 2026-01-05 lacks nothing.
    expect(coverageOf([bar('2026-01-05'), bar('2026-11-27')], asked)).toEqual(asked);
    expect(coverageOf([bar('2026-01-02')], asked)).toEqual(asked);
  });

  it('covers only from the first bar when the answer starts later than a closure explains', () => {
    expect(coverageOf([bar('2026-07-01'), bar('2026-11-27')], asked)).toEqual({
      from: '2026-07-01',
      to: '2026-11-30',
    });
  });

  it('never claims a day before the first bar beyond the slack, whatever the dates (property)', () => {
    const day = fc.integer({ min: 0, max: 3000 }).map((n) => daysBefore('2026-11-30', n));
    fc.assert(
      fc.property(day, day, (a, b) => {
        const [from, first] = [a, b].sort() as [string, string];
        const covers = coverageOf([bar(first)], { from, to: '2026-11-30' });
        expect(covers.from <= first).toBe(true);
        expect(covers.from === from || covers.from === first).toBe(true);
        if (covers.from === from) expect(daysBefore(first, START_SLACK_DAYS) <= from).toBe(true);
      }),
    );
  });
});

describe('withinPlanReach', () => {
  const asked: HistoryQuery[] = [];
  const endpoint: HistoryEndpoint = {
    provider: 'alpha-vantage',
    dataType: 'daily_history',
    reachDays: { free: 135, paid: 20 * 366 },
    basis: 'raw',
    buildRequest: (q) => {
      asked.push(q);
      return { url: new URL(`http://127.0.0.1/?from=${q.from}`) };
    },
    classify: () => null,
    // The provider's answer: bars from a fixed first date on, cut to the asked range.
    transform: (body, q) =>
      body === 'bad'
        ? { ok: false, failure: { kind: 'bad_data', detail: 'bad' } }
        : {
            ok: true,
            value: {
              symbol: q.symbol,
              currency: null,
              bars: [bar([String(body), q.from].sort().at(-1) ?? q.from)],
            },
          },
  };

  it('takes only queries whose start the plan reaches: the manager skips it without a call otherwise', () => {
    const free = withinPlanReach(endpoint, 'free');
    expect(free.supports?.(query(daysBefore('2026-11-30', 135), '2026-11-30'))).toBe(true);
    expect(free.supports?.(query(daysBefore('2026-11-30', 136), '2026-11-30'))).toBe(false);
    expect(withinPlanReach(endpoint, 'paid').supports?.(query('2010-01-04', '2026-11-30'))).toBe(true);
  });

  it('asks for the deeper of the query and what one call on the plan gives cheaply', () => {
    asked.length = 0;
    withinPlanReach(endpoint, 'free').buildRequest(query('2026-11-01', '2026-11-30'), access);
    withinPlanReach(endpoint, 'paid').buildRequest(query('2026-11-01', '2026-11-30'), access);
    withinPlanReach(endpoint, 'paid').buildRequest(query('2016-11-01', '2026-11-30'), access);
    expect(asked.map((q) => q.from)).toEqual([
      daysBefore('2026-11-30', 135),
      daysBefore('2026-11-30', MIN_SERIES_SPAN_DAYS),
      '2016-11-01',
    ]);
  });

  it('records the range the bars cover, and leaves a failure as it is', () => {
    const paid = withinPlanReach(endpoint, 'paid');
    const q = query('2020-01-02', '2026-11-30');
    expect(paid.transform('2020-01-02', q)).toMatchObject({
      ok: true,
      value: { covers: { from: '2020-01-02' } },
    });
    // A provider that returned less than asked is cached as covering what it returned.
    expect(paid.transform('2024-12-02', q)).toMatchObject({
      ok: true,
      value: { covers: { from: '2024-12-02', to: '2026-11-30' } },
    });
    expect(paid.transform('bad', q)).toEqual({ ok: false, failure: { kind: 'bad_data', detail: 'bad' } });
  });

  it("brings the answer from the provider's basis to as traded with the query's actions, and records how", () => {
    const split = { exDate: '2024-06-10', ratio: 10 };
    const adjusted = withinPlanReach({ ...endpoint, basis: 'splits' }, 'paid');
    const q = {
      ...query('2020-01-02', '2026-11-30'),
      actions: { splits: [split], dividends: [] },
      answeredOn: '2026-11-30',
    };
    // One bar before the split, split-adjusted by the provider: as traded it was 10 times dearer.
    const result = adjusted.transform('2024-06-07', q);
    expect(result).toMatchObject({
      ok: true,
      value: {
        bars: [{ date: '2024-06-07', close: 15, high: 20, volume: 1 }],
        asTraded: { from: 'splits', on: '2026-11-30', splits: [split], dividends: [] },
      },
    });
    // A bar after the split, and a raw provider's bars, are as traded already.
    expect(adjusted.transform('2024-06-10', q)).toMatchObject({ value: { bars: [{ close: 1.5 }] } });
    expect(withinPlanReach(endpoint, 'paid').transform('2024-06-07', q)).toMatchObject({
      value: { bars: [{ close: 1.5 }], asTraded: { from: 'raw' } },
    });
  });
});

const access = { baseUrl: 'http://127.0.0.1', apiKey: 'k' };

describe('Alpha Vantage within its free plan', () => {
  it('is never asked for `outputsize=full`: every query it takes is served by `compact` (property)', () => {
    const free = withinPlanReach(alphaVantageDailySeries, 'free');
    const to = fc.integer({ min: 0, max: 400 }).map((n) => daysBefore('2026-11-30', n));
    fc.assert(
      fc.property(to, fc.integer({ min: 0, max: 20 * 366 }), (end, span) => {
        const q = query(daysBefore(end, span), end);
        if (!free.supports?.(q)) return;
        expect(free.buildRequest(q, access).url.searchParams.get('outputsize')).toBe('compact');
      }),
    );
    // And it does take the default request (135 days back from today).
    expect(free.supports?.(query(daysBefore('2026-11-30', 135), '2026-11-30'))).toBe(true);
  });
});
