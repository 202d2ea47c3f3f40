import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { fmpSearch } from '../../../../lib/providers/fmp/search.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200) => fmpSearch.classify(answerOf(body, status), now);
/**
 * There is no recorded `/stable/search-symbol` answer; its matches carry the symbol, name, currency and
 * venue of the recorded AAPL profile, which is what the endpoint returns.
 */
const profileMatch = (overrides: Record<string, unknown> = {}) => {
  const { symbol, companyName, currency, exchange, exchangeShortName } =
    (providerFixture('fmp/profile_v3_AAPL_2024-01-30.json') as Record<string, unknown>[])[0] ?? {};
  return {
    symbol,
    name: companyName,
    currency,
    exchangeFullName: exchange,
    exchange: exchangeShortName,
    ...overrides,
  };
};

describe('FMP /stable/search-symbol', () => {
  it('builds a /stable/search-symbol request with the query and the key', () => {
    const { url } = fmpSearch.buildRequest(
      { query: 'apple inc' },
      { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/fmp/stable/search-symbol');
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'apple inc', apikey: 'K1' });
  });

  it('normalizes matches, without a score FMP does not give', () => {
    const body = [profileMatch(), profileMatch({ symbol: 'AAPL.NE', currency: 'CAD', exchange: 'NEO' })];
    expect(classify(body)).toBeNull();
    const result = fmpSearch.transform(body, { query: 'AAPL' });
    expect(result).toEqual({
      ok: true,
      value: {
        query: 'AAPL',
        matches: [
          {
            symbol: 'AAPL',
            name: 'Apple Inc.',
            type: null,
            exchange: 'NASDAQ',
            region: null,
            currency: 'USD',
            matchScore: null,
          },
          {
            symbol: 'AAPL.NE',
            name: 'Apple Inc.',
            type: null,
            exchange: 'NEO',
            region: null,
            currency: 'CAD',
            matchScore: null,
          },
        ],
      },
    });
    expect(result.ok && z.safeParse(SearchResultSchema, result.value).success).toBe(true);
  });

  it('gives class shares in the clients’ dot form', () => {
    const result = fmpSearch.transform([profileMatch({ symbol: 'BRK-B', name: 'Berkshire Hathaway Inc.' })], {
      query: 'berkshire',
    });
    expect(result.ok && result.value.matches[0]?.symbol).toBe('BRK.B');
  });

  it('answers no matches with an empty list, not a failure', () => {
    expect(classify([])).toBeNull();
    expect(fmpSearch.transform([], { query: 'zzzz' })).toEqual({
      ok: true,
      value: { query: 'zzzz', matches: [] },
    });
  });

  it('leaves out listings whose symbol the layer cannot serve', () => {
    const result = fmpSearch.transform([profileMatch({ symbol: 'APPLE INC/ADR' }), profileMatch()], {
      query: 'apple',
    });
    expect(result.ok && result.value.matches.map((match) => match.symbol)).toEqual(['AAPL']);
  });

  it('rejects a match without a name, naming the field', () => {
    expect(fmpSearch.transform([profileMatch({ name: '' })], { query: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP search failed validation: matches.name' },
    });
  });

  it('rejects a match whose symbol is not text, naming the field', () => {
    expect(fmpSearch.transform([profileMatch({ symbol: 42 })], { query: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP search answer is malformed: symbol' },
    });
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
  });
});
