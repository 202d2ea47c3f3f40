import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { alphaVantageSymbolSearch } from '../../../../lib/providers/alpha-vantage/symbol-search.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const classify = (body: unknown, status = 200) =>
  alphaVantageSymbolSearch.classify(answerOf(body, status), now);
const TESCO = 'alphavantage/symbol_search_tesco.json';
/** The Tesco fixture's matches, to build variants from. */
const tescoMatches = () => (providerFixture(TESCO) as { bestMatches: Record<string, string>[] }).bestMatches;

describe('Alpha Vantage SYMBOL_SEARCH', () => {
  it('builds a SYMBOL_SEARCH request with the keywords and the key', () => {
    const { url } = alphaVantageSymbolSearch.buildRequest(
      { query: 'tesco plc' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/alpha-vantage/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      function: 'SYMBOL_SEARCH',
      keywords: 'tesco plc',
      apikey: 'K1',
    });
  });

  it('normalizes the Tesco fixture into scored matches, best first', () => {
    const body = providerFixture(TESCO);
    expect(classify(body)).toBeNull();
    const result = alphaVantageSymbolSearch.transform(body, { query: 'tesco' });
    expect(result.ok && result.value.matches[0]).toEqual({
      symbol: 'TSCO.LON',
      name: 'Tesco PLC',
      type: 'Equity',
      exchange: null,
      region: 'United Kingdom',
      currency: 'GBX',
      matchScore: 0.7273,
    });
    expect(
      result.ok && result.value.matches.map((match) => [match.symbol, match.currency, match.matchScore]),
    ).toEqual([
      ['TSCO.LON', 'GBX', 0.7273],
      ['TSCDF', 'USD', 0.7143],
      ['TSCDY', 'USD', 0.7143],
      ['TCO2.FRK', 'EUR', 0.5455],
      ['TCO0.FRK', 'EUR', 0.5455],
    ]);
    expect(result.ok && result.value.query).toBe('tesco');
    expect(result.ok && z.safeParse(SearchResultSchema, result.value).success).toBe(true);
  });

  it('answers no matches with an empty list', () => {
    expect(alphaVantageSymbolSearch.transform({ bestMatches: [] }, { query: 'zzzz' })).toEqual({
      ok: true,
      value: { query: 'zzzz', matches: [] },
    });
  });

  it('leaves out listings whose symbol the layer cannot serve', () => {
    const [first, ...rest] = tescoMatches();
    const body = { bestMatches: [{ ...first, '1. symbol': 'TESCO PLC/ADR' }, ...rest] };
    const result = alphaVantageSymbolSearch.transform(body, { query: 'tesco' });
    expect(result.ok && result.value.matches.map((match) => match.symbol)).toEqual([
      'TSCDF',
      'TSCDY',
      'TCO2.FRK',
      'TCO0.FRK',
    ]);
  });

  it('rejects a match score outside 0..1, naming the field', () => {
    const [first, ...rest] = tescoMatches();
    const body = { bestMatches: [{ ...first, '9. matchScore': '72.73' }, ...rest] };
    expect(alphaVantageSymbolSearch.transform(body, { query: 'tesco' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'SYMBOL_SEARCH failed validation: matches.matchScore' },
    });
  });

  it('rejects an answer without a bestMatches list', () => {
    expect(alphaVantageSymbolSearch.transform({ matches: [] }, { query: 'tesco' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'SYMBOL_SEARCH answer has no "bestMatches" list' },
    });
  });

  it('classifies every Alpha Vantage error fixture by meaning', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 429)?.kind).toBe('throttled');
  });
});
