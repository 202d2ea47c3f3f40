import { describe, expect, it } from 'vitest';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { twelveDataProfile } from '../../../../lib/providers/twelve-data/profile.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2024-11-22T15:30:00Z');
const PROFILE = 'twelvedata/profile.json';
const aapl = () => providerFixture(PROFILE) as Record<string, unknown>;

describe('Twelve Data /profile', () => {
  it('is a paid-plan company endpoint of Twelve Data', () => {
    expect([twelveDataProfile.provider, twelveDataProfile.dataType, twelveDataProfile.plan]).toEqual([
      'twelve-data',
      'company',
      'paid',
    ]);
  });

  it('builds the request on /profile', () => {
    const { url } = twelveDataProfile.buildRequest(
      { symbol: 'AAPL' },
      { baseUrl: 'https://api.twelvedata.com', apiKey: 'K' },
    );
    expect(url.href).toBe('https://api.twelvedata.com/profile?symbol=AAPL&apikey=K');
  });

  it('normalizes the AAPL fixture into a valid company profile', () => {
    const body = providerFixture(PROFILE);
    expect(twelveDataProfile.classify(answerOf(body), now)).toBeNull();
    const result = twelveDataProfile.transform(body, { symbol: 'AAPL' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(CompanyProfileSchema.safeParse(result.value).success).toBe(true);
    expect(result.value).toMatchObject({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: 'NASDAQ',
      currency: null,
      country: 'United States',
      sector: 'Technology',
      industry: 'Consumer Electronics',
      website: 'https://www.apple.com',
      marketCapitalization: null,
      employees: 164_000,
      ipoDate: null,
    });
    expect(result.value.description).toMatch(/^Apple Inc\. is a leading corporation/);
  });

  it('reads the Basic plan’s refusal as a plan restriction', () => {
    const refusal = {
      code: 403,
      message:
        '/profile is available exclusively with grow or pro or ultra or venture or enterprise plans. Consider upgrading your API Key now at https://twelvedata.com/pricing',
      status: 'error',
    };
    expect(twelveDataProfile.classify(answerOf(refusal), now)?.kind).toBe('plan_restricted');
    expect(twelveDataProfile.classify(answerOf(refusal, 403), now)?.kind).toBe('plan_restricted');
  });

  it('sanitizes the description and reads a zero head count as missing', () => {
    const result = twelveDataProfile.transform(
      { ...aapl(), description: 'Makes <script>alert(1)</script>phones.', employees: 0 },
      { symbol: 'AAPL' },
    );
    expect(result.ok && [result.value.description, result.value.employees]).toEqual(['Makes phones.', null]);
  });

  it('rejects a profile without a name as bad data', () => {
    const { name: _name, ...noName } = aapl();
    expect(twelveDataProfile.transform(noName, { symbol: 'AAPL' })).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Twelve Data profile is malformed: name' },
    });
  });
});
