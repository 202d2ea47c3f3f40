import { describe, expect, it } from 'vitest';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { finnhubCandles } from '../../../../lib/providers/finnhub/candles.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-05-22T21:00:00Z');
const query = { symbol: 'AAPL', from: '2026-05-19', to: '2026-05-21' };

/**
 * Finnhub's candle answer: no recorded one is public since candles left the free plan, so this one
 * is built from the AAPL quote fixture's prices in the documented shape (one array per field, `t` in
 * epoch seconds at 00:00 UTC of each session), newest first to check the sort.
 */
function candles(): Record<string, unknown> {
  const quote = providerFixture('finnhub/quote_AAPL.json') as Record<string, number>;
  const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;
  return {
    s: 'ok',
    t: [day('2026-05-22'), day('2026-05-21'), day('2026-05-20'), day('2026-05-19')],
    o: [quote.o, 305.1, 303.2, 301.5],
    h: [quote.h, 306.0, 305.5, 304.0],
    l: [quote.l, 303.9, 302.8, 300.9],
    c: [quote.c, quote.pc, 304.1, 303.0],
    v: [51_000_000, 48_500_000, 47_000_000, 45_250_000],
  };
}

describe('Finnhub /api/v1/stock/candle', () => {
  it('is a paid-plan daily history endpoint of Finnhub', () => {
    expect([finnhubCandles.provider, finnhubCandles.dataType, finnhubCandles.plan]).toEqual([
      'finnhub',
      'daily_history',
      'paid',
    ]);
  });

  it('asks for daily candles from the first day’s start to the last day’s end, in epoch seconds', () => {
    const { url } = finnhubCandles.buildRequest(query, { baseUrl: 'https://finnhub.io', apiKey: 'K' });
    expect(url.pathname).toBe('/api/v1/stock/candle');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      symbol: 'AAPL',
      resolution: 'D',
      from: String(Date.parse('2026-05-19T00:00:00Z') / 1000),
      to: String(Date.parse('2026-05-21T23:59:59Z') / 1000),
    });
  });

  it('turns parallel arrays into bars ascending by date, within the asked range', () => {
    const body = candles();
    expect(finnhubCandles.classify(answerOf(body), now)).toBeNull();
    const result = finnhubCandles.transform(body, query);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(DailySeriesSchema.safeParse(result.value).success).toBe(true);
    expect(result.value.currency).toBeNull();
    expect(result.value.bars.map((bar) => bar.date)).toEqual(['2026-05-19', '2026-05-20', '2026-05-21']);
    expect(result.value.bars[2]).toEqual({
      date: '2026-05-21',
      open: 305.1,
      high: 306,
      low: 303.9,
      close: 304.99,
      adjustedClose: null,
      volume: 48_500_000,
    });
  });

  it('reads {"s":"no_data"} as an unknown symbol so that the next provider is asked', () => {
    expect(finnhubCandles.classify(answerOf({ s: 'no_data' }), now)?.kind).toBe('unknown_symbol');
  });

  it('reads the free plan’s 403 as a plan restriction', () => {
    const answer = answerOf({ error: "You don't have access to this resource." }, 403);
    expect(finnhubCandles.classify(answer, now)?.kind).toBe('plan_restricted');
  });

  it('rejects arrays of different lengths and non-numeric prices as bad data', () => {
    expect(finnhubCandles.transform({ ...candles(), c: [1] }, query)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Finnhub candles answer has arrays of different lengths' },
    });
    const garbled = finnhubCandles.transform({ ...candles(), o: ['N/A', 1, 2, 3] }, query);
    expect(garbled.ok || garbled.failure.detail).toBe('Finnhub candles answer is malformed: o');
  });
});
