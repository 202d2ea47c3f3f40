import { describe, expect, it } from 'vitest';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { polygonSearch } from '../../../../lib/providers/polygon/search.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-06-27T15:00:00Z');

/**
 * A search answer built from the recorded AAPL overview: Polygon's search hits are overviews cut to
 * the list keys (`ticker`, `name`, `market`, `locale`, `primary_exchange`, `type`, `active`,
 * `currency_name`, ...), with the answer's `status`, `request_id` and `count`.
 */
function searchAnswer(): Record<string, unknown> {
  const overview = providerFixture('polygon/v3_reference_tickers_AAPL.json') as {
    results: Record<string, unknown>;
  } & Record<string, unknown>;
  const keys = [
    'ticker',
    'name',
    'market',
    'locale',
    'primary_exchange',
    'type',
    'active',
    'currency_name',
    'cik',
  ];
  const hit = Object.fromEntries(keys.map((key) => [key, overview.results[key]]));
  return {
    results: [
      hit,
      { ...hit, ticker: 'APLE', name: 'Apple Hospitality REIT, Inc.', primary_exchange: 'XNYS' },
    ],
    status: overview.status,
    request_id: overview.request_id,
    count: 2,
  };
}

describe('Polygon /v3/reference/tickers?search=', () => {
  it('is a free-plan search endpoint of Polygon', () => {
    expect([polygonSearch.provider, polygonSearch.dataType, polygonSearch.plan]).toEqual([
      'polygon',
      'search',
      'free',
    ]);
  });

  it('searches active stock listings only', () => {
    const { url } = polygonSearch.buildRequest(
      { query: 'apple' },
      { baseUrl: 'https://api.massive.com', apiKey: 'K' },
    );
    expect(url.pathname).toBe('/v3/reference/tickers');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      search: 'apple',
      market: 'stocks',
      active: 'true',
      limit: '30',
    });
  });

  it('normalizes the hits into valid matches', () => {
    const body = searchAnswer();
    expect(polygonSearch.classify(answerOf(body), now)).toBeNull();
    const result = polygonSearch.transform(body, { query: 'apple' });
    expect(result.ok && SearchResultSchema.safeParse(result.value).success).toBe(true);
    expect(result.ok && result.value.matches).toEqual([
      {
        symbol: 'AAPL',
        name: 'Apple Inc.',
        type: 'CS',
        exchange: 'XNAS',
        region: 'US',
        currency: 'USD',
        matchScore: null,
      },
      {
        symbol: 'APLE',
        name: 'Apple Hospitality REIT, Inc.',
        type: 'CS',
        exchange: 'XNYS',
        region: 'US',
        currency: 'USD',
        matchScore: null,
      },
    ]);
  });

  it('answers nothing found (no results key) with an empty list', () => {
    const { results: _results, ...empty } = searchAnswer();
    expect(polygonSearch.transform({ ...empty, count: 0 }, { query: 'zzz' })).toEqual({
      ok: true,
      value: { query: 'zzz', matches: [] },
    });
  });

  it('rejects results that are not a list as bad data', () => {
    const result = polygonSearch.transform({ results: 'N/A' }, { query: 'a' });
    expect(result.ok || result.failure.detail).toBe('Polygon search answer is malformed: results');
  });
});
