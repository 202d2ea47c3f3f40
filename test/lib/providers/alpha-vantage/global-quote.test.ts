import { describe, expect, it } from 'vitest';
import {
  alphaVantageGlobalQuote,
  alphaVantageGlobalQuoteWith,
} from '../../../../lib/providers/alpha-vantage/global-quote.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const classify = (body: unknown, status = 200) =>
  alphaVantageGlobalQuote.classify(answerOf(body, status), now);

describe('Alpha Vantage GLOBAL_QUOTE', () => {
  it('builds a GLOBAL_QUOTE request on the /query endpoint with the key', () => {
    const { url } = alphaVantageGlobalQuote.buildRequest(
      { symbol: 'BRK.B' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/alpha-vantage/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      function: 'GLOBAL_QUOTE',
      symbol: 'BRK.B',
      apikey: 'K1',
    });
  });

  it.each(['delayed', 'realtime'] as const)(
    'asks for the %s entitlement when configured with it',
    (entitlement) => {
      const { url } = alphaVantageGlobalQuoteWith(entitlement).buildRequest(
        { symbol: 'IBM' },
        { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
      );
      expect(Object.fromEntries(url.searchParams)).toEqual({
        function: 'GLOBAL_QUOTE',
        symbol: 'IBM',
        entitlement,
        apikey: 'K1',
      });
    },
  );

  it('normalizes the IBM fixture into a standard quote', () => {
    const body = providerFixture('alphavantage/global_quote_IBM_2020-05-08.json');
    expect(classify(body)).toBeNull();
    const result = alphaVantageGlobalQuote.transform(body, { symbol: 'IBM' });
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'IBM',
        price: 121.74,
        open: 122.67,
        high: 122.8,
        low: 121.06,
        previousClose: 121.23,
        change: 0.51,
        // "10. change percent": "0.4207%", kept in percent.
        changePercent: 0.4207,
        volume: 2528814,
        tradingDay: '2020-05-08',
        currency: null,
      },
    });
  });

  it('reads the delayed form ("Global Quote - DATA DELAYED BY 15 MINUTES") as the same quote', () => {
    const standard = alphaVantageGlobalQuote.transform(
      providerFixture('alphavantage/global_quote_IBM_2020-05-08.json'),
      { symbol: 'IBM' },
    );
    const delayed = providerFixture('alphavantage/global_quote_IBM_2020-05-08_delayed.json');
    expect(classify(delayed)).toBeNull();
    expect(alphaVantageGlobalQuoteWith('delayed').transform(delayed, { symbol: 'IBM' })).toEqual(standard);
  });

  it('reads the realtime form, which keeps the standard key, as a quote', () => {
    const realtime = alphaVantageGlobalQuoteWith('realtime');
    const body = providerFixture('alphavantage/global_quote_IBM_2020-05-08.json');
    expect(realtime.classify(answerOf(body), now)).toBeNull();
    expect(realtime.transform(body, { symbol: 'IBM' })).toMatchObject({ ok: true, value: { price: 121.74 } });
  });

  it('reads any key of the Global Quote family, not only the wordings known today', () => {
    const body = providerFixture('alphavantage/global_quote_IBM_2020-05-08.json') as Record<string, unknown>;
    const reworded = { 'Global Quote - REALTIME DATA': body['Global Quote'] };
    expect(classify(reworded)).toBeNull();
    expect(alphaVantageGlobalQuote.transform(reworded, { symbol: 'IBM' })).toMatchObject({
      ok: true,
      value: { symbol: 'IBM', price: 121.74 },
    });
    // A key merely containing the words is not the quote.
    expect(
      alphaVantageGlobalQuote.transform({ 'No Global Quote': body['Global Quote'] }, { symbol: 'IBM' }),
    ).toMatchObject({ ok: false, failure: { kind: 'bad_data' } });
  });

  it('keeps exchange suffixes in symbols (IWDA.AS)', () => {
    const body = providerFixture('alphavantage/global_quote_IWDA.AS_2019-08-30.json');
    const result = alphaVantageGlobalQuote.transform(body, { symbol: 'IWDA.AS' });
    expect(result.ok && result.value.symbol).toBe('IWDA.AS');
    expect(result.ok && result.value.changePercent).toBe(0.6319);
  });

  it('reads an empty Global Quote as an unknown symbol, in the standard and the delayed form', () => {
    expect(classify(providerFixture('alphavantage/errors/global_quote_unknown_symbol.json'))?.kind).toBe(
      'unknown_symbol',
    );
    expect(
      classify(providerFixture('alphavantage/errors/global_quote_unknown_symbol_delayed.json'))?.kind,
    ).toBe('unknown_symbol');
  });

  it('classifies every Alpha Vantage error fixture by meaning', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
  });

  it('classifies reworded notices by what they are about', () => {
    expect(
      classify({
        Information:
          'Please consider spreading out your free API requests more sparingly (1 request per second).',
      })?.kind,
    ).toBe('throttled');
    expect(classify({ Note: 'You have reached the daily limit of requests for this key.' })?.kind).toBe(
      'quota_exhausted',
    );
    expect(classify({ Information: 'This function is available on our Premium plans only.' })?.kind).toBe(
      'plan_restricted',
    );
  });

  it('tells throttled callers to retry in a minute and quota-spent callers after midnight UTC', () => {
    expect(
      classify(providerFixture('alphavantage/errors/note_call_frequency_5pm_500pd_legacy.json')),
    ).toMatchObject({
      retryAfterSeconds: 60,
    });
    // 15:30 UTC → 8.5 hours to midnight.
    expect(classify(providerFixture('alphavantage/errors/information_daily_limit_25.json'))).toMatchObject({
      retryAfterSeconds: 8.5 * 3600,
    });
  });

  it('classifies HTTP failures the same way as other providers', () => {
    expect(classify(undefined, 503)?.kind).toBe('upstream_error');
    expect(classify(undefined, 429)?.kind).toBe('throttled');
    expect(classify('<html>gateway</html>')?.kind).toBe('bad_data');
  });

  it('rejects a quote whose price is not a number, naming the field', () => {
    const body = providerFixture('alphavantage/global_quote_IBM_2020-05-08.json') as Record<
      string,
      Record<string, string>
    >;
    const broken = { 'Global Quote': { ...body['Global Quote'], '05. price': 'N/A' } };
    const result = alphaVantageGlobalQuote.transform(broken, { symbol: 'IBM' });
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'GLOBAL_QUOTE failed validation: price' },
    });
  });

  it('maps missing markers to null instead of zero', () => {
    const body = providerFixture('alphavantage/global_quote_IBM_2020-05-08.json') as Record<
      string,
      Record<string, string>
    >;
    const sparse = { 'Global Quote': { ...body['Global Quote'], '06. volume': 'None', '02. open': '-' } };
    const result = alphaVantageGlobalQuote.transform(sparse, { symbol: 'IBM' });
    expect(result.ok && [result.value.volume, result.value.open]).toEqual([null, null]);
  });
});
