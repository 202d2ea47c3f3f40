import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { fmpProfile } from '../../../../lib/providers/fmp/profile.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200) => fmpProfile.classify(answerOf(body, status), now);
const AAPL = 'fmp/profile_v3_AAPL_2024-01-30.json';
/** The AAPL fixture's one entry, to build variants from. */
const aaplEntry = (): Record<string, unknown> =>
  (providerFixture(AAPL) as Record<string, unknown>[])[0] ?? {};
/** The same entry with the stable endpoint's names: `marketCap`, and the short venue name in `exchange`. */
const stableEntry = (): Record<string, unknown> => {
  const { mktCap, exchange, exchangeShortName, ...rest } = aaplEntry();
  return { ...rest, marketCap: mktCap, exchangeFullName: exchange, exchange: exchangeShortName };
};

describe('FMP /stable/profile', () => {
  it('builds a /stable/profile request with FMP’s symbol and the key', () => {
    const { url } = fmpProfile.buildRequest(
      { symbol: 'BRK.B' },
      { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/fmp/stable/profile');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'BRK-B', apikey: 'K1' });
  });

  it('normalizes the AAPL fixture (legacy names) into a company profile', () => {
    const body = providerFixture(AAPL);
    expect(classify(body)).toBeNull();
    const result = fmpProfile.transform(body, { symbol: 'AAPL' });
    expect(result.ok && { ...result.value, description: undefined }).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'NASDAQ',
      currency: 'USD',
      country: 'US',
      sector: 'Technology',
      industry: 'Consumer Electronics',
      description: undefined,
      website: 'https://www.apple.com',
      marketCapitalization: 2964510087000,
      employees: 161000,
      ipoDate: '1980-12-12',
    });
    expect(result.ok && result.value.description).toMatch(/^Apple Inc\. designs, manufactures/);
    expect(result.ok && z.safeParse(CompanyProfileSchema, result.value).success).toBe(true);
  });

  it('reads the stable names marketCap and exchange the same way', () => {
    const legacy = fmpProfile.transform(providerFixture(AAPL), { symbol: 'AAPL' });
    const stable = fmpProfile.transform([stableEntry()], { symbol: 'AAPL' });
    expect(stable).toEqual(legacy);
  });

  it('answers in the client’s spelling of a class share', () => {
    const result = fmpProfile.transform([{ ...stableEntry(), symbol: 'BRK-B' }], { symbol: 'BRK.B' });
    expect(result.ok && result.value.symbol).toBe('BRK.B');
  });

  it('maps empty and missing values to null instead of zero or text', () => {
    const { fullTimeEmployees: _employees, ...rest } = stableEntry();
    const result = fmpProfile.transform([{ ...rest, ipoDate: '', website: '', marketCap: null }], {
      symbol: 'AAPL',
    });
    expect(
      result.ok && [
        result.value.ipoDate,
        result.value.website,
        result.value.marketCapitalization,
        result.value.employees,
      ],
    ).toEqual([null, null, null, null]);
  });

  it('strips markup from provider text', () => {
    const result = fmpProfile.transform(
      [{ ...stableEntry(), description: '<p>Apple&nbsp;Inc. <i>designs</i></p>' }],
      {
        symbol: 'AAPL',
      },
    );
    expect(result.ok && result.value.description).toBe('Apple Inc. designs');
  });

  it('rejects a market capitalization that is not a number, naming the field', () => {
    expect(fmpProfile.transform([{ ...stableEntry(), marketCap: '2.9T' }], { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP profile answer is malformed: marketCap' },
    });
  });

  it('rejects a profile without a company name, naming the field', () => {
    const result = fmpProfile.transform([{ ...stableEntry(), companyName: null }], { symbol: 'AAPL' });
    expect(result.ok || result.failure.detail).toBe('FMP profile failed validation: name');
  });

  it('rejects an answer that is not a list', () => {
    expect(fmpProfile.transform(aaplEntry(), { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP profile answer is not a list' },
    });
  });

  it('reads an empty list as an unknown symbol', () => {
    expect(classify([])).toEqual({ kind: 'unknown_symbol', detail: 'FMP returned an empty profile list' });
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
  });
});
