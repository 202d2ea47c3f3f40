import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  FinancialStatementsSchema,
  IncomeStatementSchema,
} from '../../../../lib/model/financial-statements.js';
import { fmpStatements } from '../../../../lib/providers/fmp/statements.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2025-09-23T15:30:00Z');
const classify = (body: unknown, status = 200) => fmpStatements.classify(answerOf(body, status), now);
const AAPL = 'fmp/income_statement_stable_AAPL_annual_limit1_2025-09-23.json';
const income = { symbol: 'AAPL', statement: 'income', period: 'annual' } as const;
/** The AAPL fixture's one report, to build variants from. */
const aaplReport = () => (providerFixture(AAPL) as Record<string, unknown>[])[0] ?? {};
/** A cash-flow report in the stable shape, built from the AAPL report's header (no real cash-flow fixture). */
const cashReport = (fields: Record<string, unknown>) => {
  const { date, symbol, reportedCurrency, cik, filingDate, acceptedDate, fiscalYear, period } = aaplReport();
  return { date, symbol, reportedCurrency, cik, filingDate, acceptedDate, fiscalYear, period, ...fields };
};
const cash = { symbol: 'AAPL', statement: 'cash', period: 'annual' } as const;
const first = (result: ReturnType<typeof fmpStatements.transform>) =>
  result.ok ? (result.value.reports[0] as Record<string, unknown>) : {};

describe('FMP statements', () => {
  it.each([
    ['income', '/stable/income-statement'],
    ['balance', '/stable/balance-sheet-statement'],
    ['cash', '/stable/cash-flow-statement'],
  ] as const)('builds a %s request on %s with FMP’s symbol, the period and the key', (statement, path) => {
    const { url } = fmpStatements.buildRequest(
      { symbol: 'BRK.B', statement, period: 'quarterly' },
      { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' },
    );
    expect(url.pathname).toBe(`/fmp${path}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      symbol: 'BRK-B',
      period: 'quarter',
      apikey: 'K1',
    });
  });

  it('asks for annual periods as annual', () => {
    const { url } = fmpStatements.buildRequest(income, { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' });
    expect(url.searchParams.get('period')).toBe('annual');
  });

  it('normalizes the AAPL income statement fixture', () => {
    const body = providerFixture(AAPL);
    expect(classify(body)).toBeNull();
    const result = fmpStatements.transform(body, income);
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        statement: 'income',
        period: 'annual',
        reports: [
          {
            fiscalDateEnding: '2024-09-28',
            currency: 'USD',
            totalRevenue: 391035000000,
            costOfRevenue: 210352000000,
            grossProfit: 180683000000,
            operatingExpenses: 57467000000,
            operatingIncome: 123216000000,
            researchAndDevelopment: 31370000000,
            sellingGeneralAndAdministrative: 26097000000,
            // FMP sends 0 where Apple reports no separate line; 0 is what FMP says, kept as such.
            interestExpense: 0,
            incomeBeforeTax: 123485000000,
            incomeTaxExpense: 29749000000,
            netIncome: 93736000000,
            ebitda: 134661000000,
            // Diluted, where FMP gives both (eps 6.11, epsDiluted 6.08).
            eps: 6.08,
          },
        ],
      },
    });
    expect(result.ok && z.safeParse(FinancialStatementsSchema, result.value).success).toBe(true);
    expect(result.ok && z.safeParse(IncomeStatementSchema, result.value.reports[0]).success).toBe(true);
  });

  it('maps missing figures to null instead of zero', () => {
    const { ebitda: _ebitda, ...withoutEbitda } = aaplReport();
    const report = first(fmpStatements.transform([{ ...withoutEbitda, interestExpense: null }], income));
    expect([report.ebitda, report.interestExpense]).toEqual([null, null]);
  });

  it('orders reports newest first and drops a period sent twice', () => {
    const report = aaplReport();
    const older = { ...report, date: '2023-09-30', fiscalYear: '2023' };
    const result = fmpStatements.transform([older, report, older], income);
    expect(result.ok && result.value.reports.map((r) => r.fiscalDateEnding)).toEqual([
      '2024-09-28',
      '2023-09-30',
    ]);
  });

  it('keeps capital expenditure and dividends negative and reads FMP’s free cash flow', () => {
    const report = first(
      fmpStatements.transform(
        [
          cashReport({
            operatingCashFlow: 118254000000,
            capitalExpenditure: -9447000000,
            freeCashFlow: 108807000000,
            netCashProvidedByInvestingActivities: 2935000000,
            netCashProvidedByFinancingActivities: -121983000000,
            netDividendsPaid: -15234000000,
            netChangeInCash: -794000000,
          }),
        ],
        cash,
      ),
    );
    expect(report).toEqual({
      fiscalDateEnding: '2024-09-28',
      currency: 'USD',
      operatingCashflow: 118254000000,
      capitalExpenditures: -9447000000,
      freeCashFlow: 108807000000,
      cashflowFromInvestment: 2935000000,
      cashflowFromFinancing: -121983000000,
      dividendsPaid: -15234000000,
      changeInCash: -794000000,
    });
  });

  it('makes outflows negative and derives free cash flow when FMP does not give it', () => {
    const report = first(
      fmpStatements.transform(
        [cashReport({ operatingCashFlow: 1000, capitalExpenditure: 300, commonDividendsPaid: 50 })],
        cash,
      ),
    );
    expect([report.capitalExpenditures, report.freeCashFlow, report.dividendsPaid]).toEqual([-300, 700, -50]);
  });

  it('rejects a figure that is not a number, naming the field', () => {
    expect(fmpStatements.transform([{ ...aaplReport(), revenue: '391035000000' }], income)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP /stable/income-statement answer is malformed: revenue' },
    });
  });

  it('rejects a report without a valid period end, naming the field', () => {
    const result = fmpStatements.transform([{ ...aaplReport(), date: 'FY2024' }], income);
    expect(result.ok || result.failure.detail).toBe(
      'FMP /stable/income-statement failed validation: reports.fiscalDateEnding',
    );
  });

  it('rejects an answer that is not a list', () => {
    expect(fmpStatements.transform(aaplReport(), income)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP /stable/income-statement answer is not a list' },
    });
  });

  it('reads an empty list as an unknown symbol', () => {
    expect(classify([])).toEqual({ kind: 'unknown_symbol', detail: 'FMP returned no statements' });
  });

  it('classifies every FMP error fixture with its HTTP status', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 402)?.kind).toBe('plan_restricted');
  });
});
