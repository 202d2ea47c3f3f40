import { describe, expect, it } from 'vitest';
import { classifyFmpAnswer } from '../../../../lib/providers/fmp/classify.js';
import { fmpQuote } from '../../../../lib/providers/fmp/quote.js';
import { fmpRequest } from '../../../../lib/providers/fmp/request.js';
import { fromFmpSymbol, toFmpSymbol } from '../../../../lib/providers/fmp/symbols.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  fmpQuote.classify(answerOf(body, status, headers), now);
const AAPL = 'fmp/quote_stable_AAPL_2025-09-23.json';
/** The AAPL fixture's one entry, to build variants from. */
const aaplEntry = () => (providerFixture(AAPL) as Record<string, unknown>[])[0];

describe('FMP symbols', () => {
  it.each([
    ['BRK.B', 'BRK-B'],
    ['BF.A', 'BF-A'],
    ['RCI.B.TO', 'RCI-B.TO'],
    ['AAPL', 'AAPL'],
    ['VOD.L', 'VOD.L'],
    ['SHOP.TO', 'SHOP.TO'],
    ['IWDA.AS', 'IWDA.AS'],
    ['7203.T', '7203.T'],
    ['^GSPC', '^GSPC'],
    ['BRK-B', 'BRK-B'],
  ])('maps %s to FMP’s %s', (client, fmp) => {
    expect(toFmpSymbol(client)).toBe(fmp);
  });

  it.each([
    ['BRK-B', 'BRK.B'],
    ['RCI-B.TO', 'RCI.B.TO'],
    ['AAPL', 'AAPL'],
    ['VOD.L', 'VOD.L'],
    ['MKC-V', 'MKC-V'],
  ])('maps FMP’s %s back to %s', (fmp, client) => {
    expect(fromFmpSymbol(fmp)).toBe(client);
  });

  it('round-trips dot-form class shares and exchange suffixes', () => {
    for (const symbol of ['BRK.B', 'BRK.A', 'RCI.B.TO', 'VOD.L', 'IWDA.AS', 'AAPL']) {
      expect(fromFmpSymbol(toFmpSymbol(symbol))).toBe(symbol);
    }
  });
});

describe('FMP /stable/quote', () => {
  it('builds a /stable/quote request with FMP’s symbol and the key', () => {
    const { url } = fmpQuote.buildRequest(
      { symbol: 'BRK.B' },
      { baseUrl: 'http://127.0.0.1:9/fmp/', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/fmp/stable/quote');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'BRK-B', apikey: 'K1' });
  });

  it('builds requests for any FMP path with its parameters', () => {
    const { url } = fmpRequest('https://financialmodelingprep.com', 'K2', '/stable/income-statement', {
      symbol: 'AAPL',
      limit: '1',
    });
    expect(url.origin + url.pathname).toBe('https://financialmodelingprep.com/stable/income-statement');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'AAPL', limit: '1', apikey: 'K2' });
  });

  it('normalizes the AAPL fixture into a standard quote', () => {
    const body = providerFixture(AAPL);
    expect(classify(body)).toBeNull();
    expect(fmpQuote.transform(body, { symbol: 'AAPL' })).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        price: 254.86,
        open: 255.875,
        high: 257.34,
        low: 254.4,
        previousClose: 256.08,
        change: -1.22,
        // `changePercentage: -0.47641`, kept in percent.
        changePercent: -0.47641,
        volume: 32409702,
        // 1758648182 is 2025-09-23T17:23:02Z.
        tradingDay: '2025-09-23',
        currency: null,
      },
    });
  });

  it('answers in the client’s spelling of a class share', () => {
    const body = [{ ...aaplEntry(), symbol: 'BRK-B' }];
    const asked = fmpQuote.transform(body, { symbol: 'BRK.B' });
    expect(asked.ok && asked.value.symbol).toBe('BRK.B');
    const dashed = fmpQuote.transform(body, { symbol: 'BRK-B' });
    expect(dashed.ok && dashed.value.symbol).toBe('BRK-B');
  });

  it('reads a currency when FMP sends one', () => {
    const result = fmpQuote.transform([{ ...aaplEntry(), currency: 'usd' }], { symbol: 'AAPL' });
    expect(result.ok && result.value.currency).toBe('USD');
  });

  it('takes the trading day as the UTC date of the timestamp', () => {
    // 2025-09-24T00:30:00Z: 20:30 in New York on the 23rd, the UTC date is the 24th (documented).
    const result = fmpQuote.transform([{ ...aaplEntry(), timestamp: 1758673800 }], { symbol: 'AAPL' });
    expect(result.ok && result.value.tradingDay).toBe('2025-09-24');
  });

  it('maps missing values to null instead of zero', () => {
    const { open: _open, ...withoutOpen } = aaplEntry() ?? {};
    const result = fmpQuote.transform([{ ...withoutOpen, volume: null }], { symbol: 'AAPL' });
    expect(result.ok && [result.value.open, result.value.volume]).toEqual([null, null]);
  });

  it('reads an empty list as an unknown symbol', () => {
    expect(classify([])).toEqual({ kind: 'unknown_symbol', detail: 'FMP returned an empty quote list' });
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
  });

  it('classifies the same messages by meaning when they come with HTTP 200', () => {
    expect(classify(providerFixture('fmp/errors/invalid_api_key_401.json'))?.kind).toBe('invalid_key');
    expect(classify(providerFixture('fmp/errors/limit_reach_429.json'))?.kind).toBe('quota_exhausted');
    expect(classify(providerFixture('fmp/errors/legacy_endpoint_403.json'))?.kind).toBe('plan_restricted');
  });

  it('parks a key that reached its limit until midnight UTC unless FMP sends Retry-After', () => {
    const limit = providerFixture('fmp/errors/limit_reach_429.json');
    // 15:30 UTC → 8.5 hours to midnight.
    expect(classify(limit, 429)).toMatchObject({ kind: 'quota_exhausted', retryAfterSeconds: 8.5 * 3600 });
    expect(classify(limit, 429, { 'retry-after': '120' })).toMatchObject({
      kind: 'quota_exhausted',
      retryAfterSeconds: 120,
    });
  });

  it('reads premium and exclusive refusals as plan restrictions', () => {
    const premium = {
      'Error Message':
        "Premium Query Parameter: Special Endpoint: This value set for 'symbol' is not available under your current subscription",
    };
    expect(classify(premium, 402)?.kind).toBe('plan_restricted');
    expect(classify({ 'Error Message': 'Exclusive Endpoint : not in your plan' }, 200)?.kind).toBe(
      'plan_restricted',
    );
    expect(classify(undefined, 402)?.kind).toBe('plan_restricted');
  });

  it('falls back to the HTTP status for a message it does not recognize', () => {
    expect(classify({ 'Error Message': 'Something odd' }, 503)?.kind).toBe('upstream_error');
    expect(classify({ 'Error Message': 'Something odd' }, 200)?.kind).toBe('upstream_error');
    expect(classify(undefined, 429)?.kind).toBe('throttled');
    expect(classify(undefined, 200)?.kind).toBe('bad_data');
  });

  it('keeps provider text, URLs and keys out of failure details', () => {
    const failure = classifyFmpAnswer(
      answerOf(providerFixture('fmp/errors/invalid_api_key_401.json'), 401),
      now,
    );
    expect(failure?.detail).toBe('FMP rejected the API key (HTTP 401)');
  });

  it('rejects a quote whose price is not a number, naming the field', () => {
    const result = fmpQuote.transform([{ ...aaplEntry(), price: 'N/A' }], { symbol: 'AAPL' });
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP quote answer is malformed: price' },
    });
  });

  it('rejects values the standard quote does not allow, naming the field', () => {
    const negative = fmpQuote.transform([{ ...aaplEntry(), price: -1 }], { symbol: 'AAPL' });
    expect(negative).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP quote failed validation: price' },
    });
    const noDay = fmpQuote.transform([{ ...aaplEntry(), timestamp: 0 }], { symbol: 'AAPL' });
    expect(noDay.ok || noDay.failure.detail).toBe('FMP quote failed validation: tradingDay');
  });

  it('rejects an answer that is not a list of quotes', () => {
    expect(fmpQuote.transform({ symbol: 'AAPL' }, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP quote answer is not a list' },
    });
    const { timestamp: _timestamp, ...noTimestamp } = aaplEntry() ?? {};
    const result = fmpQuote.transform([noTimestamp], { symbol: 'AAPL' });
    expect(result.ok || result.failure.detail).toBe('FMP quote answer is malformed: timestamp');
  });
});
