import type { CompanyProfile } from '../model/company-profile.js';
import { check, missingFieldsCheck, type QualityCheck, type QualityReport, reportOf } from './report.js';

/**
 * Scores a company profile: `missing_fields` (warning) over the optional fields (exchange, currency,
 * country, sector, industry, description, website, market capitalization, employees, IPO date), and
 * `market_cap_positive` (warning: a 0 is usually a provider's stand-in for "unknown"; skipped when null).
 * Funds and ETFs lack sector, industry and employees, so they sit near the missing-fields limit.
 */
export function scoreCompanyProfile(profile: CompanyProfile): QualityReport {
  const checks: QualityCheck[] = missingFieldsCheck({
    exchange: profile.exchange,
    currency: profile.currency,
    country: profile.country,
    sector: profile.sector,
    industry: profile.industry,
    description: profile.description,
    website: profile.website,
    marketCapitalization: profile.marketCapitalization,
    employees: profile.employees,
    ipoDate: profile.ipoDate,
  });
  if (profile.marketCapitalization !== null) {
    checks.push(
      check('market_cap_positive', 'warning', profile.marketCapitalization > 0, {
        detail: `market capitalization ${profile.marketCapitalization}`,
      }),
    );
  }
  return reportOf(checks);
}
