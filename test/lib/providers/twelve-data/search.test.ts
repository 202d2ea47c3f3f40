import { describe, expect, it } from 'vitest';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { twelveDataSearch } from '../../../../lib/providers/twelve-data/search.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-11-22T15:30:00Z');
type Entry = Record<string, unknown>;

/**
 * A `/symbol_search` answer built from the recorded batch quote's listings (no search answer was
 * recorded): each hit carries the documented keys, with the values Twelve Data gave for the listing.
 */
function searchAnswer(): { data: Entry[]; status: string } {
  const listings = Object.values(providerFixture('twelvedata/batch_quote.json') as Record<string, Entry>);
  const hit = (listing: Entry) => ({
    symbol: listing.symbol,
    instrument_name: listing.name,
    exchange: listing.exchange,
    mic_code: listing.mic_code,
    exchange_timezone: 'America/New_York',
    instrument_type: 'Common Stock',
    country: 'United States',
    currency: listing.currency,
  });
  const [apple] = listings;
  return {
    data: [
      ...listings.map(hit),
      { ...hit(apple ?? {}), exchange: 'LSE', mic_code: 'XLON', country: 'United Kingdom', currency: 'GBp' },
      { ...hit(apple ?? {}), exchange: 'BMV', mic_code: 'XMEX', country: 'Mexico', currency: 'MXN' },
    ],
    status: 'ok',
  };
}

describe('Twelve Data /symbol_search', () => {
  it('is a free-plan search endpoint of Twelve Data', () => {
    expect([twelveDataSearch.provider, twelveDataSearch.dataType, twelveDataSearch.plan]).toEqual([
      'twelve-data',
      'search',
      'free',
    ]);
  });

  it('builds the request with the text as symbol', () => {
    const { url } = twelveDataSearch.buildRequest(
      { query: 'apple' },
      { baseUrl: 'https://api.twelvedata.com', apiKey: 'K' },
    );
    expect(url.pathname).toBe('/symbol_search');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'apple', outputsize: '30', apikey: 'K' });
  });

  it('names each listing in the clients’ form and leaves out venues it cannot name', () => {
    const body = searchAnswer();
    expect(twelveDataSearch.classify(answerOf(body), now)).toBeNull();
    const result = twelveDataSearch.transform(body, { query: 'a' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(SearchResultSchema.safeParse(result.value).success).toBe(true);
    expect(result.value.matches.map((m) => [m.symbol, m.exchange, m.currency])).toEqual([
      ['AAPL', 'NASDAQ', 'USD'],
      ['MSFT', 'NASDAQ', 'USD'],
      ['AAPL.L', 'LSE', 'GBX'],
    ]);
    expect(result.value.matches[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc',
      type: 'Common Stock',
      exchange: 'NASDAQ',
      region: 'United States',
      currency: 'USD',
      matchScore: null,
    });
  });

  it('answers nothing found with an empty list', () => {
    expect(twelveDataSearch.transform({ data: [], status: 'ok' }, { query: 'zzz' })).toEqual({
      ok: true,
      value: { query: 'zzz', matches: [] },
    });
  });

  it('rejects an answer without data as bad data', () => {
    const result = twelveDataSearch.transform({ status: 'ok' }, { query: 'a' });
    expect(result.ok || result.failure.detail).toBe('Twelve Data search answer is malformed: data');
  });
});
