import { describe, expect, it } from 'vitest';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { polygonTickerDetails } from '../../../../lib/providers/polygon/ticker-details.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-06-27T15:00:00Z');
const DETAILS = 'polygon/v3_reference_tickers_AAPL.json';
type Details = { results: Record<string, unknown> } & Record<string, unknown>;
const details = () => providerFixture(DETAILS) as Details;

describe('Polygon /v3/reference/tickers/{T}', () => {
  it('is a free-plan company endpoint of Polygon', () => {
    expect([polygonTickerDetails.provider, polygonTickerDetails.dataType, polygonTickerDetails.plan]).toEqual(
      ['polygon', 'company', 'free'],
    );
  });

  it('builds the request with the ticker in the path', () => {
    const { url } = polygonTickerDetails.buildRequest(
      { symbol: 'BRK.B' },
      { baseUrl: 'https://api.massive.com', apiKey: 'K' },
    );
    expect(url.href).toBe('https://api.massive.com/v3/reference/tickers/BRK.B');
  });

  it('normalizes the AAPL fixture; market cap is already in full units', () => {
    const body = providerFixture(DETAILS);
    expect(polygonTickerDetails.classify(answerOf(body), now)).toBeNull();
    const result = polygonTickerDetails.transform(body, { symbol: 'AAPL' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(CompanyProfileSchema.safeParse(result.value).success).toBe(true);
    expect(result.value).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'XNAS',
      currency: 'USD',
      country: 'US',
      sector: null,
      industry: 'ELECTRONIC COMPUTERS',
      website: 'https://www.apple.com',
      marketCapitalization: 2_488_795_282_370,
      employees: 154_000,
      ipoDate: '1980-12-12',
    });
    expect(result.value.description).toMatch(/^Apple designs a wide variety/);
  });

  it('reads the recorded 404 as an unknown symbol', () => {
    const answer = answerOf(providerFixture('polygon/errors/ticker_not_found_404.json'), 404);
    expect(polygonTickerDetails.classify(answer, now)?.kind).toBe('unknown_symbol');
  });

  it('leaves out what Polygon does not give instead of inventing it', () => {
    const { market_cap: _cap, total_employees: _employees, ...rest } = details().results;
    const result = polygonTickerDetails.transform(
      { ...details(), results: { ...rest, locale: 'global' } },
      { symbol: 'AAPL' },
    );
    expect(
      result.ok && [result.value.marketCapitalization, result.value.employees, result.value.country],
    ).toEqual([null, null, null]);
  });

  it('rejects details without a name as bad data', () => {
    const { name: _name, ...noName } = details().results;
    expect(polygonTickerDetails.transform({ ...details(), results: noName }, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Polygon ticker details are malformed: results.name' },
    });
  });
});
