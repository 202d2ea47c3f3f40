import { describe, expect, it } from 'vitest';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { twelveDataBatchQuote } from '../../../../lib/providers/twelve-data/batch-quote.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-11-22T15:30:00Z');
type Entry = Record<string, unknown>;
const batch = () => providerFixture('twelvedata/batch_quote.json') as Record<string, Entry>;
/** The per-symbol error of the recorded batch (`INVALID`). */
const notFound = () =>
  (providerFixture('twelvedata/batch_error.json') as Record<string, Entry>).INVALID ?? {};
const classify = (body: unknown, status = 200) => twelveDataBatchQuote.classify(answerOf(body, status), now);

describe('Twelve Data batch /quote', () => {
  it('is a free-plan batch quote endpoint for up to 120 symbols', () => {
    expect([twelveDataBatchQuote.provider, twelveDataBatchQuote.dataType, twelveDataBatchQuote.plan]).toEqual(
      ['twelve-data', 'quote', 'free'],
    );
    expect(twelveDataBatchQuote.maxSymbols).toBe(120);
  });

  it('asks for every symbol in one comma-separated list in Twelve Data’s form', () => {
    const { url } = twelveDataBatchQuote.buildRequest(
      { symbols: ['AAPL', 'VOD.L', 'BRK-B'] },
      { baseUrl: 'https://api.twelvedata.com', apiKey: 'K' },
    );
    expect(url.pathname).toBe('/quote');
    expect(url.searchParams.get('symbol')).toBe('AAPL,VOD:LSE,BRK.B');
  });

  it('normalizes the recorded batch, keyed by the client’s symbols', () => {
    expect(classify(batch())).toBeNull();
    const result = twelveDataBatchQuote.transform(batch(), { symbols: ['AAPL', 'MSFT'] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.value.found)).toEqual(['AAPL', 'MSFT']);
    expect(result.value.unknown).toEqual([]);
    expect(result.value.found.MSFT?.price).toBe(414.17);
    for (const quote of Object.values(result.value.found))
      expect(QuoteSchema.safeParse(quote).success).toBe(true);
  });

  it('puts symbols answered with a per-symbol "not found" in unknown', () => {
    const body = { AAPL: batch().AAPL, INVALID: notFound() };
    expect(classify(body)).toBeNull();
    const result = twelveDataBatchQuote.transform(body, { symbols: ['AAPL', 'INVALID'] });
    expect(result.ok && Object.keys(result.value.found)).toEqual(['AAPL']);
    expect(result.ok && result.value.unknown).toEqual(['INVALID']);
  });

  it('leaves symbols refused for another reason or with a broken quote in neither list', () => {
    const plan = { ...notFound(), code: 403, message: 'VOD:LSE is not available with your plan' };
    const body = { AAPL: batch().AAPL, 'VOD:LSE': plan, MSFT: { ...batch().MSFT, close: 'N/A' } };
    const result = twelveDataBatchQuote.transform(body, { symbols: ['AAPL', 'VOD.L', 'MSFT'] });
    expect(result).toEqual({ ok: true, value: { found: { AAPL: expect.any(Object) }, unknown: [] } });
  });

  it('fails as bad data only when no quote in the batch is usable', () => {
    const body = { AAPL: { ...batch().AAPL, close: 'N/A' }, MSFT: { ...batch().MSFT, close: '--' } };
    const result = twelveDataBatchQuote.transform(body, { symbols: ['AAPL', 'MSFT'] });
    expect(result.ok || result.failure.kind).toBe('bad_data');
    expect(result.ok || result.failure.detail).toMatch(
      /^Twelve Data batch had no valid quote \(AAPL: .*price/,
    );
  });

  it('reads a batch of one, which Twelve Data answers unkeyed, found or not found', () => {
    const one = twelveDataBatchQuote.transform(batch().AAPL, { symbols: ['AAPL'] });
    expect(one.ok && Object.keys(one.value.found)).toEqual(['AAPL']);
    expect(classify(notFound())).toBeNull();
    expect(twelveDataBatchQuote.transform(notFound(), { symbols: ['INVALID'] })).toEqual({
      ok: true,
      value: { found: {}, unknown: ['INVALID'] },
    });
  });

  it('fails the whole batch on a key or credit error', () => {
    expect(classify(providerFixture('twelvedata/errors/invalid_api_key_401.json'), 401)?.kind).toBe(
      'invalid_key',
    );
    expect(classify(providerFixture('twelvedata/errors/run_out_of_credits_429.json'))?.kind).toBe(
      'throttled',
    );
  });
});
