import { describe, expect, it } from 'vitest';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { polygonPreviousClose } from '../../../../lib/providers/polygon/previous-close.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2022-04-27T15:00:00Z');
const PREV = 'polygon/v2_aggs_prev_AAPL.json';
const prev = () => providerFixture(PREV) as { results: Record<string, unknown>[] } & Record<string, unknown>;

describe('Polygon /v2/aggs/ticker/{T}/prev', () => {
  it('is a free-plan quote endpoint of Polygon', () => {
    expect([polygonPreviousClose.provider, polygonPreviousClose.dataType, polygonPreviousClose.plan]).toEqual(
      ['polygon', 'quote', 'free'],
    );
  });

  it('builds the request with the ticker in the path and the key as a bearer token', () => {
    const request = polygonPreviousClose.buildRequest(
      { symbol: 'BRK-B' },
      { baseUrl: 'https://api.massive.com/', apiKey: 'K1' },
    );
    expect(request.url.href).toBe('https://api.massive.com/v2/aggs/ticker/BRK.B/prev?adjusted=true');
    expect(request.headers).toEqual({ Authorization: 'Bearer K1' });
  });

  it('normalizes the fixture into a quote of the last session, without a change it cannot know', () => {
    const body = providerFixture(PREV);
    expect(polygonPreviousClose.classify(answerOf(body), now)).toBeNull();
    const result = polygonPreviousClose.transform(body, { symbol: 'AAPL' });
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        price: 156.8,
        open: 162.25,
        high: 162.34,
        low: 156.72,
        previousClose: null,
        change: null,
        changePercent: null,
        volume: 95_595_226,
        // 1651003200000 is 2022-04-26T20:00:00Z, 16:00 in New York.
        tradingDay: '2022-04-26',
        currency: null,
      },
    });
    expect(result.ok && QuoteSchema.safeParse(result.value).success).toBe(true);
  });

  it('reads an answer without a bar as an unknown symbol', () => {
    const unknown = providerFixture('polygon/errors/aggs_no_results.json');
    expect(polygonPreviousClose.classify(answerOf(unknown), now)).toEqual({
      kind: 'unknown_symbol',
      detail: 'Polygon returned no previous-day bar',
    });
  });

  it('rejects garbled prices as bad data naming the field', () => {
    const body = prev();
    const garbled = { ...body, results: [{ ...body.results[0], c: 'N/A' }] };
    expect(polygonPreviousClose.transform(garbled, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Polygon previous close is malformed: results.c' },
    });
  });
});
