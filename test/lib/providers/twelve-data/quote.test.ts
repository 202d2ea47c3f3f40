import { describe, expect, it } from 'vitest';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { classifyTwelveDataAnswer } from '../../../../lib/providers/twelve-data/classify.js';
import { twelveDataQuote } from '../../../../lib/providers/twelve-data/quote.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

/** 15:30:20 UTC: 40 seconds to the next minute, 8.5 hours (less 20 s) to midnight. */
const now = new Date('2024-11-22T15:30:20Z');
const classify = (body: unknown, status = 200) => twelveDataQuote.classify(answerOf(body, status), now);
type Entry = Record<string, unknown>;
/** The AAPL entry of the recorded batch: a single `/quote` answer has exactly this shape. */
const aapl = () => (providerFixture('twelvedata/batch_quote.json') as Record<string, Entry>).AAPL ?? {};
const credits = () => providerFixture('twelvedata/errors/run_out_of_credits_429.json') as Entry;
const badKey = () => providerFixture('twelvedata/errors/invalid_api_key_401.json') as Entry;

describe('Twelve Data /quote', () => {
  it('is a free-plan quote endpoint of Twelve Data', () => {
    expect([twelveDataQuote.provider, twelveDataQuote.dataType, twelveDataQuote.plan]).toEqual([
      'twelve-data',
      'quote',
      'free',
    ]);
  });

  it('builds the request with Twelve Data’s symbol and the key as apikey', () => {
    const { url } = twelveDataQuote.buildRequest(
      { symbol: 'VOD.L' },
      { baseUrl: 'https://api.twelvedata.com/', apiKey: 'K1' },
    );
    expect(url.origin + url.pathname).toBe('https://api.twelvedata.com/quote');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'VOD:LSE', apikey: 'K1' });
  });

  it('normalizes a recorded quote: strings to numbers, percent to a fraction', () => {
    expect(classify(aapl())).toBeNull();
    const result = twelveDataQuote.transform(aapl(), { symbol: 'AAPL' });
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        price: 229.87,
        open: 228.84,
        high: 230.5,
        low: 227.25,
        previousClose: 228.52,
        change: 1.35,
        // `percent_change: "0.59074"`, kept in percent.
        changePercent: 0.59074,
        volume: 35_462_000,
        tradingDay: '2024-11-22',
        currency: 'USD',
      },
    });
    expect(result.ok && QuoteSchema.safeParse(result.value).success).toBe(true);
  });

  it('answers in the client’s spelling of a foreign listing and keeps London prices in pence', () => {
    const vod = { ...aapl(), symbol: 'VOD', exchange: 'LSE', mic_code: 'XLON', currency: 'GBp' };
    const result = twelveDataQuote.transform(vod, { symbol: 'VOD.L' });
    expect(result.ok && [result.value.symbol, result.value.currency]).toEqual(['VOD.L', 'GBX']);
  });

  it('classifies the error fixtures with the status SOURCES.md gives', () => {
    expect(classify(badKey(), 401)).toEqual({
      kind: 'invalid_key',
      detail: 'Twelve Data rejected the API key (code 401, HTTP 401)',
    });
    expect(classify(credits(), 429)).toEqual({
      kind: 'throttled',
      detail: 'Twelve Data per-minute credits spent (code 429, HTTP 429)',
      retryAfterSeconds: 40,
    });
  });

  it('classifies the same bodies by their code when they come with HTTP 200', () => {
    expect(classify(badKey())?.kind).toBe('invalid_key');
    expect(classify(credits())?.kind).toBe('throttled');
  });

  it('parks a key whose daily credits are spent until midnight UTC', () => {
    const daily = {
      ...credits(),
      message:
        'You have run out of API credits for the day. 812 API credits were used, with the current limit being 800. Wait for the next day or consider switching to a higher tier plan at https://twelvedata.com/pricing',
    };
    expect(classify(daily)).toEqual({
      kind: 'quota_exhausted',
      detail: 'Twelve Data daily credits spent (code 429, HTTP 200)',
      retryAfterSeconds: 8.5 * 3600 - 20,
    });
  });

  it('reads a plan refusal as plan_restricted, though it mentions the API key', () => {
    const plan = {
      ...badKey(),
      code: 403,
      message:
        '/quote is available exclusively with grow or pro or ultra or venture or enterprise plans. Consider upgrading your API Key now at https://twelvedata.com/pricing',
    };
    expect(classify(plan)?.kind).toBe('plan_restricted');
  });

  it('reads "symbol not found" as an unknown symbol', () => {
    const notFound = (providerFixture('twelvedata/batch_error.json') as Record<string, Entry>).INVALID;
    expect(classify(notFound)).toEqual({
      kind: 'unknown_symbol',
      detail: 'Twelve Data found no such symbol or no data (code 400, HTTP 200)',
    });
  });

  it('falls back to the code, then the HTTP status', () => {
    expect(classify({ code: 500, message: 'Internal error', status: 'error' })?.kind).toBe('upstream_error');
    expect(classify({ code: 400, message: 'Invalid **interval**', status: 'error' })?.kind).toBe('bad_data');
    expect(classifyTwelveDataAnswer(answerOf(undefined, 503), now)?.kind).toBe('upstream_error');
    expect(classify(undefined)).toEqual({ kind: 'bad_data', detail: 'Twelve Data answer is not JSON' });
  });

  it('rejects a malformed quote as bad data naming the field', () => {
    const garbled = twelveDataQuote.transform({ ...aapl(), close: 'N/A' }, { symbol: 'AAPL' });
    expect(garbled).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Twelve Data quote failed validation: price' },
    });
    const { datetime: _datetime, ...noDate } = aapl();
    const missing = twelveDataQuote.transform(noDate, { symbol: 'AAPL' });
    expect(missing.ok || missing.failure.detail).toBe('Twelve Data quote answer is malformed: datetime');
  });

  it('maps missing figures to null instead of zero', () => {
    const result = twelveDataQuote.transform({ ...aapl(), volume: null, open: '' }, { symbol: 'AAPL' });
    expect(result.ok && [result.value.volume, result.value.open]).toEqual([null, null]);
  });
});
