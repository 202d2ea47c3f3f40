import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { fmpHistoricalPrices } from '../../../../lib/providers/fmp/historical-prices.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200) => fmpHistoricalPrices.classify(answerOf(body, status), now);
const range = { symbol: 'IBM', from: '2020-05-01', to: '2020-05-31' };

/**
 * There is no recorded `/stable/historical-price-eod/full` answer: the recorded IBM days (Alpha Vantage)
 * in FMP's shape, a flat list newest first with JSON numbers, `change`, `changePercent` and `vwap`.
 */
function ibmDays(): Record<string, unknown>[] {
  const series = (
    providerFixture('alphavantage/time_series_daily_IBM_2020-05-08_truncated.json') as {
      'Time Series (Daily)': Record<string, Record<string, string>>;
    }
  )['Time Series (Daily)'];
  return Object.entries(series).map(([date, bar]) => {
    const [open, high, low, close, volume] = Object.values(bar).map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      symbol: 'IBM',
      date,
      open,
      high,
      low,
      close,
      volume,
      change: Math.round((close - open) * 1e4) / 1e4,
      changePercent: Math.round(((close - open) / open) * 1e7) / 1e5,
      vwap: Math.round(((open + high + low + close) / 4) * 1e4) / 1e4,
    };
  });
}

describe('FMP /stable/historical-price-eod/full', () => {
  it('builds a historical request with FMP’s symbol, the range and the key', () => {
    const { url } = fmpHistoricalPrices.buildRequest(
      { symbol: 'BRK.B', from: '2025-01-02', to: '2025-09-22' },
      { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/fmp/stable/historical-price-eod/full');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      symbol: 'BRK-B',
      from: '2025-01-02',
      to: '2025-09-22',
      apikey: 'K1',
    });
  });

  it('normalizes FMP’s newest-first days into bars ascending by date', () => {
    const body = ibmDays();
    expect(classify(body)).toBeNull();
    const result = fmpHistoricalPrices.transform(body, range);
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

  it('reads an adjusted close when FMP sends one', () => {
    const [newest, older] = ibmDays();
    const result = fmpHistoricalPrices.transform([{ ...newest, adjClose: 101.5 }, older], range);
    expect(result.ok && result.value.bars.map((bar) => bar.adjustedClose)).toEqual([null, 101.5]);
  });

  it('keeps only the asked range and one bar per date', () => {
    const [newest, older] = ibmDays();
    const result = fmpHistoricalPrices.transform([newest, newest, older], { ...range, from: '2020-05-08' });
    expect(result.ok && result.value.bars.map((bar) => bar.date)).toEqual(['2020-05-08']);
  });

  it('maps a missing volume to null instead of zero', () => {
    const [newest, older] = ibmDays();
    const result = fmpHistoricalPrices.transform([{ ...newest, volume: null }, older], range);
    expect(result.ok && result.value.bars[1]?.volume).toBeNull();
  });

  it('answers an empty range of a few days (a weekend) with no bars', () => {
    expect(
      fmpHistoricalPrices.transform([], { symbol: 'IBM', from: '2020-05-09', to: '2020-05-10' }),
    ).toEqual({
      ok: true,
      value: { symbol: 'IBM', currency: null, bars: [] },
    });
  });

  it('reads an empty list over a week or more as an unknown symbol', () => {
    expect(
      fmpHistoricalPrices.transform([], { symbol: 'ZZZZ', from: '2020-05-01', to: '2020-05-07' }),
    ).toEqual({
      ok: false,
      failure: {
        kind: 'unknown_symbol',
        detail: 'FMP returned no bars over a range that holds trading days',
      },
    });
  });

  it('rejects a day whose close is not a number, naming the field', () => {
    const [newest, older] = ibmDays();
    expect(fmpHistoricalPrices.transform([{ ...newest, close: 'N/A' }, older], range)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP historical answer is malformed: close' },
    });
  });

  it('rejects a day without a valid date, naming the field', () => {
    const [newest, older] = ibmDays();
    const result = fmpHistoricalPrices.transform([{ ...newest, date: '2020-13-01' }, older], range);
    expect(result.ok || result.failure.detail).toBe('FMP historical prices failed validation: bars.date');
  });

  it('rejects the legacy wrapped answer, which is not a list', () => {
    expect(fmpHistoricalPrices.transform({ symbol: 'IBM', historical: ibmDays() }, range)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP historical answer is not a list' },
    });
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 200)?.kind).toBe('bad_data');
  });
});
