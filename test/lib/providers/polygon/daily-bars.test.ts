import { describe, expect, it } from 'vitest';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { polygonDailyBars } from '../../../../lib/providers/polygon/daily-bars.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-06-27T15:00:00Z');
const AGGS = 'polygon/aggs_day_AAPL_2023-01-01_2023-01-10.json';
type Aggregates = { results: Record<string, unknown>[] } & Record<string, unknown>;
const aggs = () => providerFixture(AGGS) as Aggregates;
const query = { symbol: 'AAPL', from: '2023-01-01', to: '2023-01-10' };

describe('Polygon /v2/aggs/ticker/{T}/range/1/day', () => {
  it('is a free-plan daily history endpoint of Polygon', () => {
    expect([polygonDailyBars.provider, polygonDailyBars.dataType, polygonDailyBars.plan]).toEqual([
      'polygon',
      'daily_history',
      'free',
    ]);
  });

  it('asks for adjusted daily bars in ascending order, as many as Polygon gives', () => {
    const { url } = polygonDailyBars.buildRequest(query, { baseUrl: 'https://api.massive.com', apiKey: 'K' });
    expect(url.pathname).toBe('/v2/aggs/ticker/AAPL/range/1/day/2023-01-01/2023-01-10');
    expect(Object.fromEntries(url.searchParams)).toEqual({ adjusted: 'true', sort: 'asc', limit: '50000' });
  });

  it('normalizes the fixture into ascending bars dated in New York', () => {
    const body = providerFixture(AGGS);
    expect(polygonDailyBars.classify(answerOf(body), now)).toBeNull();
    const result = polygonDailyBars.transform(body, query);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(DailySeriesSchema.safeParse(result.value).success).toBe(true);
    expect(result.value.bars.map((bar) => bar.date)).toEqual([
      '2023-01-03',
      '2023-01-04',
      '2023-01-05',
      '2023-01-06',
      '2023-01-09',
      '2023-01-10',
    ]);
    expect(result.value.bars[0]).toEqual({
      date: '2023-01-03',
      open: 130.28,
      high: 130.9,
      low: 124.17,
      close: 125.07,
      adjustedClose: null,
      volume: 112_117_471,
    });
  });

  it('dates a bar stamped at midnight New York summer time on its own day', () => {
    const body = aggs();
    // 2023-07-03T04:00:00Z is 00:00 EDT on 3 July.
    const summer = { ...body, results: [{ ...body.results[0], t: Date.parse('2023-07-03T04:00:00Z') }] };
    const result = polygonDailyBars.transform(summer, { ...query, to: '2023-07-31' });
    expect(result.ok && result.value.bars.map((bar) => bar.date)).toEqual(['2023-07-03']);
  });

  it('sorts bars ascending whatever order Polygon used', () => {
    const body = aggs();
    const result = polygonDailyBars.transform({ ...body, results: [...body.results].reverse() }, query);
    expect(result.ok && result.value.bars[0]?.date).toBe('2023-01-03');
  });

  it('reads the DELAYED aggregates of plans without real-time data as the same bars', () => {
    const delayed = providerFixture('polygon/aggs_day_AAPL_2023-01-01_2023-01-10_delayed.json');
    expect(polygonDailyBars.classify(answerOf(delayed), now)).toBeNull();
    expect(polygonDailyBars.transform(delayed, query)).toEqual(polygonDailyBars.transform(aggs(), query));
  });

  it('reads resultsCount 0 (no results key) as an unknown symbol', () => {
    const none = providerFixture('polygon/errors/aggs_no_results.json');
    expect(polygonDailyBars.classify(answerOf(none), now)).toEqual({
      kind: 'unknown_symbol',
      detail: 'Polygon returned no bars in the range',
    });
  });

  it('rejects garbled bars as bad data naming the field', () => {
    const body = aggs();
    const garbled = { ...body, results: [{ ...body.results[0], v: 'NaN%' }] };
    expect(polygonDailyBars.transform(garbled, query)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Polygon aggregates are malformed: results.v' },
    });
  });
});
