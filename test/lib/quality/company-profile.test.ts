import { describe, expect, it } from 'vitest';
import type { CompanyProfile } from '../../../lib/model/company-profile.js';
import { scoreCompanyProfile } from '../../../lib/quality/company-profile.js';
import { isServable } from '../../../lib/quality/report.js';
import { toNumber } from '../../../lib/validation/sanitize.js';
import { sanitizeCurrency, sanitizeText } from '../../../lib/validation/text.js';
import { providerFixture } from '../../support/fixtures.js';

/** Tesla's profile from the Alpha Vantage OVERVIEW fixture, which has no website, head count or IPO date. */
function tesla(): CompanyProfile {
  const raw = providerFixture('alphavantage/overview_TSLA_2023-01-27.json') as Record<string, string>;
  return {
    symbol: 'TSLA',
    name: sanitizeText(raw.Name, 200) ?? 'TSLA',
    exchange: sanitizeText(raw.Exchange, 64),
    currency: sanitizeCurrency(raw.Currency),
    country: sanitizeText(raw.Country, 64),
    sector: sanitizeText(raw.Sector, 100),
    industry: sanitizeText(raw.Industry, 150),
    description: sanitizeText(raw.Description, 5000),
    website: null,
    marketCapitalization: toNumber(raw.MarketCapitalization),
    employees: null,
    ipoDate: null,
  };
}

describe('scoreCompanyProfile', () => {
  it("passes Tesla's OVERVIEW profile, whose three missing fields sit at the 30 % limit", () => {
    const report = scoreCompanyProfile(tesla());
    expect(report.checks).toEqual([
      {
        id: 'missing_fields',
        passed: true,
        severity: 'warning',
        detail: '3 of 10 missing: website, employees, ipoDate',
      },
      {
        id: 'market_cap_positive',
        passed: true,
        severity: 'warning',
        detail: 'market capitalization 506092618000',
      },
    ]);
    expect(report.score).toBe(1);
  });

  it('fails only missing_fields when a fourth field is missing', () => {
    const report = scoreCompanyProfile({ ...tesla(), sector: null });
    expect(report.checks.filter((item) => !item.passed).map((item) => item.id)).toEqual(['missing_fields']);
    expect(report.score).toBe(0.5);
    expect(isServable(report)).toBe(false);
  });

  it('fails only market_cap_positive on a market capitalization of 0', () => {
    const report = scoreCompanyProfile({ ...tesla(), marketCapitalization: 0 });
    expect(report.checks.filter((item) => !item.passed).map((item) => item.id)).toEqual([
      'market_cap_positive',
    ]);
  });

  it('skips market_cap_positive when the market capitalization is unknown', () => {
    const report = scoreCompanyProfile({ ...tesla(), marketCapitalization: null });
    expect(report.checks.map((item) => item.id)).toEqual(['missing_fields']);
  });
});
