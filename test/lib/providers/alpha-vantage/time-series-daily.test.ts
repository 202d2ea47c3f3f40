import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import {
  alphaVantageDailySeries,
  alphaVantageOutputSize,
} from '../../../../lib/providers/alpha-vantage/time-series-daily.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const IBM = 'alphavantage/time_series_daily_IBM_2020-05-08_truncated.json';
const classify = (body: unknown, status = 200) =>
  alphaVantageDailySeries.classify(answerOf(body, status), now);
const ibmRange = { symbol: 'IBM', from: '2020-05-01', to: '2020-05-31' };
/** The IBM fixture's series, to build variants from. */
const ibmSeries = () =>
  (providerFixture(IBM) as { 'Time Series (Daily)': Record<string, Record<string, string>> })[
    'Time Series (Daily)'
  ];

describe('Alpha Vantage TIME_SERIES_DAILY', () => {
  it('builds a TIME_SERIES_DAILY request with the symbol, the output size and the key', () => {
    const { url } = alphaVantageDailySeries.buildRequest(
      { symbol: 'IBM', from: '2026-10-01', to: '2026-11-25' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/alpha-vantage/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      function: 'TIME_SERIES_DAILY',
      symbol: 'IBM',
      outputsize: 'compact',
      apikey: 'K1',
    });
  });

  it('asks for the full series when the range starts before the latest ~100 trading days of its end', () => {
    const { url } = alphaVantageDailySeries.buildRequest(
      { symbol: 'IBM', from: '2026-01-02', to: '2026-11-25' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.searchParams.get('outputsize')).toBe('full');
  });

  it('keeps compact up to 135 calendar days back from the range end, inside the 100 trading days compact holds', () => {
    // 2026-11-26 less 135 days is 2026-07-14.
    expect(alphaVantageOutputSize('2026-07-14', '2026-11-26')).toBe('compact');
    expect(alphaVantageOutputSize('2026-07-13', '2026-11-26')).toBe('full');
    expect(alphaVantageOutputSize('2026-11-26', '2026-11-26')).toBe('compact');
  });

  it("states its plans' reach: compact on free, 20 years on paid", () => {
    expect(alphaVantageDailySeries.reachDays).toEqual({ free: 135, paid: 20 * 366 });
  });

  it('normalizes the IBM fixture into bars ascending by date', () => {
    const body = providerFixture(IBM);
    expect(classify(body)).toBeNull();
    const result = alphaVantageDailySeries.transform(body, ibmRange);
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'IBM',
        currency: null,
        bars: [
          {
            date: '2020-05-07',
            open: 122.98,
            high: 123.26,
            low: 120.85,
            close: 121.23,
            adjustedClose: null,
            volume: 4412047,
          },
          {
            date: '2020-05-08',
            open: 122.67,
            high: 122.8,
            low: 121.06,
            close: 121.79,
            adjustedClose: null,
            volume: 2538547,
          },
        ],
      },
    });
    expect(result.ok && z.safeParse(DailySeriesSchema, result.value).success).toBe(true);
  });

  it('keeps only the bars inside the asked range, both ends included', () => {
    const body = providerFixture(IBM);
    const lastDay = alphaVantageDailySeries.transform(body, { ...ibmRange, from: '2020-05-08' });
    expect(lastDay.ok && lastDay.value.bars.map((bar) => bar.date)).toEqual(['2020-05-08']);
    const weekend = alphaVantageDailySeries.transform(body, {
      ...ibmRange,
      from: '2020-05-09',
      to: '2020-05-10',
    });
    expect(weekend.ok && weekend.value.bars).toEqual([]);
  });

  it('keeps one bar per date when Alpha Vantage sends a date twice', () => {
    const series = ibmSeries();
    const body = { 'Time Series (Daily)': { ...series, '2020-05-08 16:00:00': series['2020-05-07'] } };
    const result = alphaVantageDailySeries.transform(body, ibmRange);
    expect(result.ok && result.value.bars.map((bar) => bar.date)).toEqual(['2020-05-07', '2020-05-08']);
  });

  it('maps a missing volume to null instead of zero', () => {
    const series = ibmSeries();
    const body = {
      'Time Series (Daily)': { ...series, '2020-05-08': { ...series['2020-05-08'], '5. volume': 'None' } },
    };
    const result = alphaVantageDailySeries.transform(body, ibmRange);
    expect(result.ok && result.value.bars[1]?.volume).toBeNull();
  });

  it('rejects a bar whose close is not a number, naming the field', () => {
    const series = ibmSeries();
    const body = {
      'Time Series (Daily)': { ...series, '2020-05-07': { ...series['2020-05-07'], '4. close': 'N/A' } },
    };
    expect(alphaVantageDailySeries.transform(body, ibmRange)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'TIME_SERIES_DAILY failed validation: bars.close' },
    });
  });

  it('rejects a series key that is not a date, naming the field', () => {
    const body = { 'Time Series (Daily)': { ...ibmSeries(), '2020-13-01': ibmSeries()['2020-05-07'] } };
    const result = alphaVantageDailySeries.transform(body, ibmRange);
    expect(result.ok || result.failure.detail).toBe('TIME_SERIES_DAILY failed validation: bars.date');
  });

  it('rejects an answer without a daily series', () => {
    const { 'Meta Data': meta } = providerFixture(IBM) as Record<string, unknown>;
    expect(alphaVantageDailySeries.transform({ 'Meta Data': meta }, ibmRange)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'TIME_SERIES_DAILY answer has no "Time Series (Daily)" object' },
    });
  });

  it('reads an empty answer as an unknown symbol', () => {
    expect(classify({})?.kind).toBe('unknown_symbol');
  });

  it('reads the premium notice for outputsize=full as a plan restriction, not a spent daily quota', () => {
    // The notice names TIME_SERIES_DAILY: "daily" in a function name says nothing of the quota.
    expect(classify(providerFixture('alphavantage/errors/information_premium_outputsize_full.json'))).toEqual(
      {
        kind: 'plan_restricted',
        detail: 'Alpha Vantage premium-only function',
      },
    );
  });

  it('classifies every Alpha Vantage error fixture by meaning', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 503)?.kind).toBe('upstream_error');
  });
});
