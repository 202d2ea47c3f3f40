import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { fmpBatchQuote } from '../../../../lib/providers/fmp/batch-quote.js';
import { fmpQuote } from '../../../../lib/providers/fmp/quote.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200) => fmpBatchQuote.classify(answerOf(body, status), now);
const AAPL = 'fmp/quote_stable_AAPL_2025-09-23.json';
/** The AAPL quote fixture's one entry; `/stable/batch-quote` answers a list of such entries. */
const aaplEntry = () => (providerFixture(AAPL) as Record<string, unknown>[])[0] ?? {};

describe('FMP /stable/batch-quote', () => {
  it('is a paid endpoint for up to 100 symbols', () => {
    expect([
      fmpBatchQuote.provider,
      fmpBatchQuote.dataType,
      fmpBatchQuote.plan,
      fmpBatchQuote.maxSymbols,
    ]).toEqual(['fmp', 'quote', 'paid', 100]);
  });

  it('builds one request with FMP’s symbols, each once, and the key', () => {
    const { url } = fmpBatchQuote.buildRequest(
      { symbols: ['AAPL', 'BRK.B', 'VOD.L', 'AAPL'] },
      { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/fmp/stable/batch-quote');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbols: 'AAPL,BRK-B,VOD.L', apikey: 'K1' });
  });

  it('normalizes each entry as the single quote does, by the client’s symbol', () => {
    const body = [{ ...aaplEntry(), symbol: 'BRK-B', price: 480.5 }, aaplEntry()];
    expect(classify(body)).toBeNull();
    const result = fmpBatchQuote.transform(body, { symbols: ['AAPL', 'BRK.B'] });
    expect(result.ok && Object.keys(result.value.found).sort()).toEqual(['AAPL', 'BRK.B']);
    expect(result.ok && result.value.found.AAPL).toEqual(
      (fmpQuote.transform(providerFixture(AAPL), { symbol: 'AAPL' }) as { value: unknown }).value,
    );
    expect(result.ok && [result.value.found['BRK.B']?.symbol, result.value.found['BRK.B']?.price]).toEqual([
      'BRK.B',
      480.5,
    ]);
    for (const quote of Object.values(result.ok ? result.value.found : {})) {
      expect(z.safeParse(QuoteSchema, quote).success).toBe(true);
    }
    expect(result.ok && result.value.unknown).toEqual([]);
  });

  it('puts the symbols FMP did not return in unknown', () => {
    const result = fmpBatchQuote.transform([aaplEntry()], { symbols: ['AAPL', 'ZZZZ', 'MSFT'] });
    expect(result.ok && [Object.keys(result.value.found), result.value.unknown]).toEqual([
      ['AAPL'],
      ['ZZZZ', 'MSFT'],
    ]);
  });

  it('reads an empty list as every symbol unknown, not a failure', () => {
    expect(classify([])).toBeNull();
    expect(fmpBatchQuote.transform([], { symbols: ['ZZZZ', 'ZZZY'] })).toEqual({
      ok: true,
      value: { found: {}, unknown: ['ZZZZ', 'ZZZY'] },
    });
  });

  it('fails the batch on a malformed entry, naming the field and the symbol', () => {
    const body = [aaplEntry(), { ...aaplEntry(), symbol: 'MSFT', price: 'N/A' }];
    expect(fmpBatchQuote.transform(body, { symbols: ['AAPL', 'MSFT'] })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP quote answer is malformed: price (MSFT)' },
    });
  });

  it('rejects an answer that is not a list of quotes', () => {
    expect(fmpBatchQuote.transform(aaplEntry(), { symbols: ['AAPL'] })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP batch quote answer is not a list' },
    });
    expect(fmpBatchQuote.transform([{ price: 1 }], { symbols: ['AAPL'] })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP batch quote answer is malformed: symbol' },
    });
  });

  it('reads a refusal of the paid endpoint as a plan restriction', () => {
    const restricted = {
      'Error Message':
        'Restricted Endpoint: This endpoint is not available under your current subscription please visit our subscription page to upgrade your plan at https://site.financialmodelingprep.com/developer/docs/pricing',
    };
    expect(classify(restricted, 402)?.kind).toBe('plan_restricted');
    expect(classify('Premium Query Parameter', 402)?.kind).toBe('plan_restricted');
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
  });
});
