import { describe, expect, it } from 'vitest';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { classifyFinnhubAnswer } from '../../../../lib/providers/finnhub/classify.js';
import { finnhubQuote } from '../../../../lib/providers/finnhub/quote.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-05-22T21:00:00Z');
const classify = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  finnhubQuote.classify(answerOf(body, status, headers), now);
const AAPL = 'finnhub/quote_AAPL.json';
const aapl = () => providerFixture(AAPL) as Record<string, unknown>;

describe('Finnhub /api/v1/quote', () => {
  it('is a free-plan quote endpoint of Finnhub', () => {
    expect([finnhubQuote.provider, finnhubQuote.dataType, finnhubQuote.plan]).toEqual([
      'finnhub',
      'quote',
      'free',
    ]);
  });

  it('builds the request with the symbol as clients write it and the key in a header, not the URL', () => {
    const request = finnhubQuote.buildRequest(
      { symbol: 'BRK.B' },
      { baseUrl: 'http://127.0.0.1:9/finnhub/', apiKey: 'K1' },
    );
    expect(request.url.pathname).toBe('/finnhub/api/v1/quote');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({ symbol: 'BRK.B' });
    expect(request.headers).toEqual({ 'X-Finnhub-Token': 'K1' });
    expect(request.url.href).not.toContain('K1');
  });

  it('normalizes the AAPL fixture into a valid standard quote', () => {
    const body = providerFixture(AAPL);
    expect(classify(body)).toBeNull();
    const result = finnhubQuote.transform(body, { symbol: 'AAPL' });
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        price: 308.82,
        open: 306.12,
        high: 311.4,
        low: 305.84,
        previousClose: 304.99,
        change: 3.83,
        // `dp: 1.2558`, kept in percent.
        changePercent: 1.2558,
        volume: null,
        // t = 1779480000 is 2026-05-22T20:00:00Z, the close in New York.
        tradingDay: '2026-05-22',
        currency: null,
      },
    });
    expect(result.ok && QuoteSchema.safeParse(result.value).success).toBe(true);
  });

  it('reads the all-zero quote Finnhub sends for a symbol it does not list as unknown', () => {
    expect(classify(providerFixture('finnhub/errors/quote_unknown_symbol.json'))).toEqual({
      kind: 'unknown_symbol',
      detail: 'Finnhub returned an all-zero quote',
    });
  });

  it('reads a zero price field as missing, never as 0', () => {
    const result = finnhubQuote.transform({ ...aapl(), o: 0, d: null, dp: null }, { symbol: 'AAPL' });
    expect(result.ok && [result.value.open, result.value.change, result.value.changePercent]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('classifies every Finnhub error fixture with its HTTP status', () => {
    expect(classify(providerFixture('finnhub/errors/invalid_api_key_401.json'), 401)).toEqual({
      kind: 'invalid_key',
      detail: 'Finnhub rejected the API key (HTTP 401)',
    });
    expect(classify(providerFixture('finnhub/errors/api_limit_429.json'), 429)).toEqual({
      kind: 'throttled',
      detail: 'Finnhub API limit reached (HTTP 429)',
      retryAfterSeconds: 60,
    });
  });

  it('reads the same messages by meaning when they come with HTTP 200', () => {
    expect(classify(providerFixture('finnhub/errors/invalid_api_key_401.json'))?.kind).toBe('invalid_key');
    expect(classify(providerFixture('finnhub/errors/api_limit_429.json'))?.kind).toBe('throttled');
  });

  it('waits for the rate window Finnhub names in Retry-After or X-Ratelimit-Reset', () => {
    const limit = providerFixture('finnhub/errors/api_limit_429.json');
    expect(classify(limit, 429, { 'retry-after': '7' })?.retryAfterSeconds).toBe(7);
    const reset = String(now.getTime() / 1000 + 42);
    expect(classify(limit, 429, { 'x-ratelimit-reset': reset })?.retryAfterSeconds).toBe(42);
  });

  it('reads "You don’t have access to this resource." (HTTP 403) as a plan restriction', () => {
    expect(classify(providerFixture('finnhub/errors/no_access_403.json'), 403)).toEqual({
      kind: 'plan_restricted',
      detail: 'Finnhub data outside the plan (HTTP 403)',
    });
  });

  it('falls back to the HTTP status for answers without a Finnhub error', () => {
    expect(classify(undefined, 502)?.kind).toBe('upstream_error');
    expect(classify(undefined, 200)).toEqual({ kind: 'bad_data', detail: 'Finnhub answer is not JSON' });
    expect(classifyFinnhubAnswer(answerOf({ error: 'Something odd' }, 500), now)?.kind).toBe(
      'upstream_error',
    );
  });

  it('rejects a malformed quote as bad data naming the fields', () => {
    expect(finnhubQuote.transform({ ...aapl(), c: 'N/A' }, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Finnhub quote answer is malformed: c' },
    });
    const negative = finnhubQuote.transform({ ...aapl(), c: -1 }, { symbol: 'AAPL' });
    expect(negative.ok || negative.failure.detail).toBe('Finnhub quote failed validation: price');
  });
});
