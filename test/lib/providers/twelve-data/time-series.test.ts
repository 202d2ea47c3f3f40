import { describe, expect, it } from 'vitest';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { twelveDataTimeSeries } from '../../../../lib/providers/twelve-data/time-series.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-11-25T15:30:00Z');
type Series = { meta: Record<string, unknown>; values: Record<string, unknown>[]; status: string };
/** The AAPL entry of the recorded batch: a single `/time_series` answer has exactly this shape. */
const aapl = () =>
  (providerFixture('twelvedata/batch_time_series.json') as Record<string, Series>).AAPL as Series;
const query = { symbol: 'AAPL', from: '2024-11-20', to: '2024-11-22' };

/** The recorded bar and two days before it, newest first as Twelve Data sends them by default. */
function threeDays(): Series {
  const base = aapl();
  const [bar] = base.values;
  return {
    ...base,
    values: [
      { ...bar },
      { ...bar, datetime: '2024-11-21', close: '228.52000' },
      { ...bar, datetime: '2024-11-20', close: '229.00000' },
      { ...bar, datetime: '2024-11-19', close: '228.28000' },
    ],
  };
}

describe('Twelve Data /time_series', () => {
  it('is a free-plan daily history endpoint of Twelve Data', () => {
    expect([twelveDataTimeSeries.provider, twelveDataTimeSeries.dataType, twelveDataTimeSeries.plan]).toEqual(
      ['twelve-data', 'daily_history', 'free'],
    );
  });

  it('asks for daily bars ascending, one day past the range in case end_date is exclusive', () => {
    const { url } = twelveDataTimeSeries.buildRequest(
      { symbol: 'SHOP.TO', from: '2024-11-20', to: '2024-11-30' },
      { baseUrl: 'https://api.twelvedata.com', apiKey: 'K' },
    );
    expect(url.pathname).toBe('/time_series');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      symbol: 'SHOP:TSX',
      interval: '1day',
      start_date: '2024-11-20',
      end_date: '2024-12-01',
      order: 'asc',
      outputsize: '5000',
      apikey: 'K',
    });
  });

  it('normalizes the recorded series: string figures to numbers, the currency from meta', () => {
    const body = aapl();
    expect(twelveDataTimeSeries.classify(answerOf(body), now)).toBeNull();
    expect(twelveDataTimeSeries.transform(body, query)).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        currency: 'USD',
        bars: [
          {
            date: '2024-11-22',
            open: 228.84,
            high: 230.5,
            low: 227.25,
            close: 229.87,
            adjustedClose: null,
            volume: 35_462_000,
          },
        ],
      },
    });
  });

  it('sorts bars ascending and keeps only the asked range', () => {
    const result = twelveDataTimeSeries.transform(threeDays(), query);
    expect(result.ok && result.value.bars.map((bar) => [bar.date, bar.close])).toEqual([
      ['2024-11-20', 229],
      ['2024-11-21', 228.52],
      ['2024-11-22', 229.87],
    ]);
    expect(result.ok && DailySeriesSchema.safeParse(result.value).success).toBe(true);
  });

  it('reads "not found" and "no data on the dates" as an unknown symbol', () => {
    const notFound = (providerFixture('twelvedata/batch_error.json') as Record<string, unknown>).INVALID;
    expect(twelveDataTimeSeries.classify(answerOf(notFound), now)?.kind).toBe('unknown_symbol');
    const noData = {
      code: 400,
      message: 'No data is available on the specified dates. Try setting different start/end dates.',
      status: 'error',
    };
    expect(twelveDataTimeSeries.classify(answerOf(noData), now)?.kind).toBe('unknown_symbol');
  });

  it('rejects garbled figures as bad data naming the field', () => {
    const body = aapl();
    const garbled = { ...body, values: [{ ...body.values[0], high: '#VALUE!' }] };
    expect(twelveDataTimeSeries.transform(garbled, query)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Twelve Data time series failed validation: bars.high' },
    });
    const noValues = twelveDataTimeSeries.transform({ meta: {}, status: 'ok' }, query);
    expect(noValues.ok || noValues.failure.detail).toBe('Twelve Data time series is malformed: values');
  });
});
