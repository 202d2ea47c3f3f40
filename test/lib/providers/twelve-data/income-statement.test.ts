import { describe, expect, it } from 'vitest';
import {
  FinancialStatementsSchema,
  type IncomeStatement,
} from '../../../../lib/model/financial-statements.js';
import { twelveDataIncomeStatement } from '../../../../lib/providers/twelve-data/income-statement.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-03-01T12:00:00Z');
const INCOME = 'twelvedata/income_statement.json';
type Answer = { meta: Record<string, unknown>; income_statement: Record<string, unknown>[] };
const alt = () => providerFixture(INCOME) as Answer;
const query = { symbol: 'ALT', statement: 'income', period: 'annual' } as const;

describe('Twelve Data /income_statement', () => {
  it('is a paid-plan financials endpoint of Twelve Data', () => {
    expect([
      twelveDataIncomeStatement.provider,
      twelveDataIncomeStatement.dataType,
      twelveDataIncomeStatement.plan,
    ]).toEqual(['twelve-data', 'financials', 'paid']);
  });

  it('builds the request with the period and refuses statements it does not serve', () => {
    const access = { baseUrl: 'https://api.twelvedata.com', apiKey: 'K' };
    const { url } = twelveDataIncomeStatement.buildRequest({ ...query, period: 'quarterly' }, access);
    expect(url.pathname).toBe('/income_statement');
    expect(Object.fromEntries(url.searchParams)).toEqual({ symbol: 'ALT', period: 'quarterly', apikey: 'K' });
    expect(twelveDataIncomeStatement.supports?.({ ...query, statement: 'income' })).toBe(true);
    expect(twelveDataIncomeStatement.supports?.({ ...query, statement: 'cash' })).toBe(false);
    expect(() => twelveDataIncomeStatement.buildRequest({ ...query, statement: 'balance' }, access)).toThrow(
      TypeError,
    );
  });

  it('normalizes the ALT fixture, newest first, keeping Twelve Data’s nulls as null', () => {
    const body = providerFixture(INCOME);
    expect(twelveDataIncomeStatement.classify(answerOf(body), now)).toBeNull();
    const result = twelveDataIncomeStatement.transform(body, query);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(FinancialStatementsSchema.safeParse(result.value).success).toBe(true);
    const reports = result.value.reports as IncomeStatement[];
    expect(reports.map((r) => r.fiscalDateEnding)).toEqual(['2025-12-31', '2024-12-31', '2023-12-31']);
    expect(reports[0]).toEqual({
      fiscalDateEnding: '2025-12-31',
      currency: 'USD',
      totalRevenue: 41_000,
      costOfRevenue: null,
      grossProfit: null,
      // R&D 66,432,000 + SG&A 28,098,000; the unreported "other" line adds nothing.
      operatingExpenses: 94_530_000,
      operatingIncome: -94_489_000,
      researchAndDevelopment: 66_432_000,
      sellingGeneralAndAdministrative: 28_098_000,
      interestExpense: 1_636_000,
      incomeBeforeTax: -88_774_000,
      incomeTaxExpense: -681_000,
      netIncome: -88_093_000,
      ebitda: -87_026_000,
      eps: -1,
    });
    // A tax line Twelve Data does not report is null; one it reports as 0 stays 0.
    expect([reports[1]?.incomeTaxExpense, reports[2]?.incomeTaxExpense]).toEqual([null, 0]);
  });

  it('sorts reports newest first whatever order they came in', () => {
    const body = alt();
    const reversed = { ...body, income_statement: [...body.income_statement].reverse() };
    const result = twelveDataIncomeStatement.transform(reversed, query);
    expect(result.ok && result.value.reports.map((r) => r.fiscalDateEnding)).toEqual([
      '2025-12-31',
      '2024-12-31',
      '2023-12-31',
    ]);
  });

  it('rejects a garbled amount as bad data naming the field', () => {
    const body = alt();
    const garbled = { ...body, income_statement: [{ ...body.income_statement[0], net_income: 'N/A' }] };
    expect(twelveDataIncomeStatement.transform(garbled, query)).toEqual({
      ok: false,
      failure: {
        kind: 'bad_data',
        detail: 'Twelve Data income statement is malformed: income_statement.net_income',
      },
    });
  });
});
