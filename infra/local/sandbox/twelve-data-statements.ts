import { filedPeriods, reportFor } from './financials-generator.js';
import type { Company } from './market-generator.js';
import type { JsonValue } from './provider.js';

/**
 * Twelve Data `/income_statement`: the listing's `meta` and the periods newest first, with the keys
 * (in order) of the recorded answer (test/fixtures/providers/twelvedata/income_statement.json). Amounts
 * are JSON numbers; lines the generator does not make are `null`, as Twelve Data sends them.
 */

const MAX_PERIODS = 50;

/** `period` is `annual` (default) or `quarterly`; `count` caps the number of periods. */
export function incomeStatementBody(company: Company, now: Date, period: string, count: number): JsonValue {
  const quarterly = period === 'quarterly';
  const periods = filedPeriods(
    now,
    quarterly ? 'quarter' : 'annual',
    Math.min(Math.max(1, count), MAX_PERIODS),
  );
  return {
    meta: {
      symbol: company.symbol,
      name: company.name,
      currency: 'USD',
      exchange: company.exchange,
      mic_code: company.exchange === 'NASDAQ' ? 'XNGS' : 'XNYS',
      exchange_timezone: 'America/New_York',
      period: quarterly ? 'Quarterly' : 'Annual',
    },
    income_statement: periods.map((p) => {
      const i = reportFor(company, p).income;
      return {
        fiscal_date: p.endDate,
        // The recording's `year` is the year after the fiscal year's end (its filing year).
        year: p.fiscalYear + 1,
        sales: i.revenue,
        cost_of_goods: i.costOfRevenue,
        gross_profit: i.grossProfit,
        operating_expense: {
          research_and_development: i.researchAndDevelopment,
          selling_general_and_administrative: i.sellingGeneralAndAdministrative,
          other_operating_expenses: null,
        },
        operating_income: i.operatingIncome,
        non_operating_interest: { income: i.interestIncome, expense: i.interestExpense },
        other_income_expense: i.nonOperatingIncome,
        pretax_income: i.incomeBeforeTax,
        income_tax: i.incomeTaxExpense,
        net_income: i.netIncome,
        eps_basic: i.eps,
        eps_diluted: i.epsDiluted,
        basic_shares_outstanding: i.weightedAverageShares,
        diluted_shares_outstanding: i.weightedAverageSharesDiluted,
        ebit: i.ebit,
        ebitda: i.ebitda,
        net_income_continuous_operations: i.netIncome,
        minority_interests: null,
        preferred_stock_dividends: null,
      };
    }),
    status: 'ok',
  };
}
