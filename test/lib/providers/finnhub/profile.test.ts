import { describe, expect, it } from 'vitest';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { finnhubProfile } from '../../../../lib/providers/finnhub/profile.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-05-22T21:00:00Z');
const PROFILE = 'finnhub/profile2_AAPL.json';
const aapl = () => providerFixture(PROFILE) as Record<string, unknown>;

describe('Finnhub /api/v1/stock/profile2', () => {
  it('is a free-plan company endpoint of Finnhub', () => {
    expect([finnhubProfile.provider, finnhubProfile.dataType, finnhubProfile.plan]).toEqual([
      'finnhub',
      'company',
      'free',
    ]);
  });

  it('builds the request on /api/v1/stock/profile2', () => {
    const { url } = finnhubProfile.buildRequest(
      { symbol: 'VOD.L' },
      { baseUrl: 'https://finnhub.io', apiKey: 'K' },
    );
    expect(url.href).toBe('https://finnhub.io/api/v1/stock/profile2?symbol=VOD.L');
  });

  it('normalizes the AAPL fixture, market capitalization from millions to full units', () => {
    const body = providerFixture(PROFILE);
    expect(finnhubProfile.classify(answerOf(body), now)).toBeNull();
    const result = finnhubProfile.transform(body, { symbol: 'AAPL' });
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        name: 'Apple Inc',
        exchange: 'NASDAQ NMS - GLOBAL MARKET',
        currency: 'USD',
        country: 'US',
        sector: null,
        industry: 'Technology',
        description: null,
        website: 'https://www.apple.com/',
        // 4535749.272209372 million.
        marketCapitalization: 4_535_749_272_209,
        employees: null,
        ipoDate: '1980-12-12',
      },
    });
    expect(result.ok && CompanyProfileSchema.safeParse(result.value).success).toBe(true);
  });

  it('reads the empty profile Finnhub sends for a symbol it does not list as unknown', () => {
    expect(finnhubProfile.classify(answerOf({}), now)).toEqual({
      kind: 'unknown_symbol',
      detail: 'Finnhub returned an empty profile',
    });
  });

  it('strips markup from provider text and reads a zero market capitalization as missing', () => {
    const result = finnhubProfile.transform(
      { ...aapl(), name: '<b>Apple</b> Inc', marketCapitalization: 0, currency: 'dollars' },
      { symbol: 'AAPL' },
    );
    expect(
      result.ok && [result.value.name, result.value.marketCapitalization, result.value.currency],
    ).toEqual(['Apple Inc', null, null]);
  });

  it('classifies a 403 on the profile as a plan restriction', () => {
    const failure = finnhubProfile.classify(
      answerOf({ error: "You don't have access to this resource." }, 403),
      now,
    );
    expect(failure?.kind).toBe('plan_restricted');
  });

  it('rejects a profile without a usable name, naming the field', () => {
    expect(finnhubProfile.transform({ ...aapl(), name: 42 }, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Finnhub profile answer is malformed: name' },
    });
    const blank = finnhubProfile.transform({ ...aapl(), name: ' <i></i> ' }, { symbol: 'AAPL' });
    expect(blank.ok || blank.failure.detail).toBe('Finnhub profile failed validation: name');
  });
});
