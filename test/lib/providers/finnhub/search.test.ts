import { describe, expect, it } from 'vitest';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { finnhubSearch } from '../../../../lib/providers/finnhub/search.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-05-22T21:00:00Z');
const SEARCH = 'finnhub/search_apple.json';
type Hit = Record<string, unknown>;
const hits = () => (providerFixture(SEARCH) as { result: Hit[] }).result;

describe('Finnhub /api/v1/search', () => {
  it('is a free-plan search endpoint of Finnhub', () => {
    expect([finnhubSearch.provider, finnhubSearch.dataType, finnhubSearch.plan]).toEqual([
      'finnhub',
      'search',
      'free',
    ]);
  });

  it('builds the request with the text as q', () => {
    const { url } = finnhubSearch.buildRequest(
      { query: 'apple inc' },
      { baseUrl: 'https://finnhub.io', apiKey: 'K' },
    );
    expect(url.pathname).toBe('/api/v1/search');
    expect(url.searchParams.get('q')).toBe('apple inc');
  });

  it('normalizes the apple fixture into valid matches, in Finnhub’s order', () => {
    const body = providerFixture(SEARCH);
    expect(finnhubSearch.classify(answerOf(body), now)).toBeNull();
    const result = finnhubSearch.transform(body, { query: 'apple' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(SearchResultSchema.safeParse(result.value).success).toBe(true);
    expect(result.value.matches).toHaveLength(11);
    expect(result.value.matches[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc',
      type: 'Common Stock',
      exchange: null,
      region: null,
      currency: null,
      matchScore: null,
    });
    expect(result.value.matches.map((m) => m.symbol)).toContain('603020.SS');
    expect(result.value.matches[2]?.name).toBe('Apple Flavor & Fragrance Group Co Ltd');
  });

  it('leaves out hits the layer cannot name and keeps the rest', () => {
    const body = {
      count: 3,
      result: [
        ...hits().slice(0, 1),
        { description: 'Bitcoin', displaySymbol: 'BTC/USDT', symbol: 'BINANCE:BTCUSDT', type: 'Crypto' },
        { description: '', displaySymbol: 'XX', symbol: 'XX', type: '' },
      ],
    };
    const result = finnhubSearch.transform(body, { query: 'apple' });
    expect(result.ok && result.value.matches.map((m) => m.symbol)).toEqual(['AAPL']);
  });

  it('answers nothing found with an empty list, not a failure', () => {
    expect(finnhubSearch.transform({ count: 0, result: [] }, { query: 'zzz' })).toEqual({
      ok: true,
      value: { query: 'zzz', matches: [] },
    });
  });

  it('rejects an answer without a result list as bad data', () => {
    expect(finnhubSearch.transform({ count: 'N/A' }, { query: 'apple' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Finnhub search answer is malformed: count, result' },
    });
  });

  it('classifies the error fixtures like every Finnhub endpoint', () => {
    const answer = answerOf(providerFixture('finnhub/errors/invalid_api_key_401.json'), 401);
    expect(finnhubSearch.classify(answer, now)?.kind).toBe('invalid_key');
  });
});
