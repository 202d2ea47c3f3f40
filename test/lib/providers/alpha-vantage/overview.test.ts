import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { alphaVantageOverview } from '../../../../lib/providers/alpha-vantage/overview.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const classify = (body: unknown, status = 200) => alphaVantageOverview.classify(answerOf(body, status), now);
const IBM = 'alphavantage/overview_IBM_demo.json';
const TSLA = 'alphavantage/overview_TSLA_2023-01-27.json';
const overview = (path: string) => providerFixture(path) as Record<string, string>;

describe('Alpha Vantage OVERVIEW', () => {
  it('builds an OVERVIEW request with the symbol and the key', () => {
    const { url } = alphaVantageOverview.buildRequest(
      { symbol: 'IBM' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/alpha-vantage/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      function: 'OVERVIEW',
      symbol: 'IBM',
      apikey: 'K1',
    });
  });

  it('normalizes the IBM fixture into a company profile', () => {
    const body = providerFixture(IBM);
    expect(classify(body)).toBeNull();
    const result = alphaVantageOverview.transform(body, { symbol: 'IBM' });
    expect(result.ok && { ...result.value, description: undefined }).toEqual({
      symbol: 'IBM',
      name: 'International Business Machines Corporation',
      exchange: 'NYSE',
      currency: 'USD',
      country: 'USA',
      sector: 'TECHNOLOGY',
      industry: 'COMPUTER & OFFICE EQUIPMENT',
      description: undefined,
      website: null,
      marketCapitalization: 106626228000,
      employees: null,
      ipoDate: null,
    });
    expect(result.ok && result.value.description).toMatch(
      /^International Business Machines Corporation \(IBM\)/,
    );
    expect(result.ok && z.safeParse(CompanyProfileSchema, result.value).success).toBe(true);
  });

  it('reads the TSLA fixture with market capitalization in full units', () => {
    const result = alphaVantageOverview.transform(providerFixture(TSLA), { symbol: 'TSLA' });
    expect(
      result.ok && [result.value.name, result.value.exchange, result.value.marketCapitalization],
    ).toEqual(['Tesla Inc', 'NASDAQ', 506092618000]);
    expect(result.ok && z.safeParse(CompanyProfileSchema, result.value).success).toBe(true);
  });

  it('reads the website when Alpha Vantage sends OfficialSite', () => {
    const result = alphaVantageOverview.transform(
      { ...overview(IBM), OfficialSite: 'https://www.ibm.com' },
      { symbol: 'IBM' },
    );
    expect(result.ok && result.value.website).toBe('https://www.ibm.com');
  });

  it('maps "None" to null instead of zero or text', () => {
    const result = alphaVantageOverview.transform(
      { ...overview(TSLA), MarketCapitalization: 'None', Sector: 'None', Currency: 'None' },
      { symbol: 'TSLA' },
    );
    expect(
      result.ok && [result.value.marketCapitalization, result.value.sector, result.value.currency],
    ).toEqual([null, null, null]);
  });

  it('strips markup from provider text', () => {
    const result = alphaVantageOverview.transform(
      { ...overview(IBM), Description: 'IBM <b>builds</b> computers.<script>alert(1)</script>' },
      { symbol: 'IBM' },
    );
    expect(result.ok && result.value.description).toBe('IBM builds computers.');
  });

  it('rejects a profile without a name, naming the field', () => {
    expect(alphaVantageOverview.transform({ ...overview(IBM), Name: 'None' }, { symbol: 'IBM' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'OVERVIEW failed validation: name' },
    });
  });

  it('rejects an answer that is not an object', () => {
    expect(alphaVantageOverview.transform(['IBM'], { symbol: 'IBM' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'OVERVIEW answer is not an object' },
    });
  });

  it('reads an empty answer as an unknown symbol', () => {
    expect(classify({})).toEqual({
      kind: 'unknown_symbol',
      detail: 'Alpha Vantage returned an empty OVERVIEW',
    });
  });

  it('classifies every Alpha Vantage error fixture by meaning', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 503)?.kind).toBe('upstream_error');
  });
});
