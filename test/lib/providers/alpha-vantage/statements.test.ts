import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  BalanceSheetSchema,
  CashFlowSchema,
  FinancialStatementsSchema,
  IncomeStatementSchema,
  type StatementsQuery,
} from '../../../../lib/model/financial-statements.js';
import { alphaVantageStatements } from '../../../../lib/providers/alpha-vantage/statements.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const classify = (body: unknown, status = 200) =>
  alphaVantageStatements.classify(answerOf(body, status), now);
const FIXTURES = {
  income: 'alphavantage/income_statement_TSLA_2023-01-27.json',
  balance: 'alphavantage/balance_sheet_TSLA_2023-01-27.json',
  cash: 'alphavantage/cash_flow_TSLA_2023-01-27.json',
} as const;
const REPORT_SCHEMAS = { income: IncomeStatementSchema, balance: BalanceSheetSchema, cash: CashFlowSchema };
type Answer = {
  symbol: string;
  annualReports: Record<string, string>[];
  quarterlyReports: Record<string, string>[];
};
const answerFor = (statement: keyof typeof FIXTURES) => providerFixture(FIXTURES[statement]) as Answer;
const tsla = (statement: StatementsQuery['statement'], period: StatementsQuery['period'] = 'annual') =>
  alphaVantageStatements.transform(providerFixture(FIXTURES[statement]), {
    symbol: 'TSLA',
    statement,
    period,
  });
/** The first report of a successful result, for field checks. */
const latest = (result: ReturnType<typeof tsla>) =>
  result.ok ? (result.value.reports[0] as Record<string, unknown>) : {};

describe('Alpha Vantage INCOME_STATEMENT, BALANCE_SHEET and CASH_FLOW', () => {
  it.each([
    ['income', 'INCOME_STATEMENT'],
    ['balance', 'BALANCE_SHEET'],
    ['cash', 'CASH_FLOW'],
  ] as const)('builds a %s request with the %s function and the key', (statement, fn) => {
    const { url } = alphaVantageStatements.buildRequest(
      { symbol: 'TSLA', statement, period: 'quarterly' },
      { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' },
    );
    expect(url.pathname).toBe('/alpha-vantage/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({ function: fn, symbol: 'TSLA', apikey: 'K1' });
  });

  it('normalizes the TSLA income statement, 2021 first', () => {
    expect(classify(providerFixture(FIXTURES.income))).toBeNull();
    const result = tsla('income');
    expect(result.ok && [result.value.symbol, result.value.statement, result.value.period]).toEqual([
      'TSLA',
      'income',
      'annual',
    ]);
    expect(latest(result)).toEqual({
      fiscalDateEnding: '2021-12-31',
      currency: 'USD',
      totalRevenue: 53823000000,
      costOfRevenue: 40217000000,
      grossProfit: 13606000000,
      operatingExpenses: 7083000000,
      operatingIncome: 6523000000,
      researchAndDevelopment: 2593000000,
      sellingGeneralAndAdministrative: 4517000000,
      interestExpense: 371000000,
      incomeBeforeTax: 6218000000,
      incomeTaxExpense: 699000000,
      netIncome: 5519000000,
      ebitda: 7055000000,
      eps: null,
    });
  });

  it('normalizes the TSLA balance sheet, with "None" read as null', () => {
    const report = latest(tsla('balance'));
    expect(report).toMatchObject({
      fiscalDateEnding: '2021-12-31',
      totalAssets: 62131000000,
      cashAndEquivalents: 17576000000,
      longTermDebt: 4254000000,
      totalShareholderEquity: 30189000000,
      sharesOutstanding: 1033000000,
    });
    const withoutDebt = { ...answerFor('balance').annualReports[0], longTermDebt: 'None' };
    const result = alphaVantageStatements.transform(
      { annualReports: [withoutDebt] },
      { symbol: 'TSLA', statement: 'balance', period: 'annual' },
    );
    // Neither debt line has a figure (longTermDebtNoncurrent is "None" too): null, not 0.
    expect(latest(result).longTermDebt).toBeNull();
  });

  it('makes capital expenditure an outflow although Alpha Vantage sends it positive', () => {
    const report = latest(tsla('cash'));
    expect(answerFor('cash').annualReports[0]?.capitalExpenditures).toBe('7982000000');
    expect(report).toEqual({
      fiscalDateEnding: '2021-12-31',
      currency: 'USD',
      operatingCashflow: 11497000000,
      capitalExpenditures: -7982000000,
      // 11497000000 - 7982000000: Alpha Vantage gives no free cash flow.
      freeCashFlow: 3515000000,
      cashflowFromInvestment: -7868000000,
      cashflowFromFinancing: -5203000000,
      // TSLA pays no dividend: "None".
      dividendsPaid: null,
      changeInCash: -1574000000,
    });
  });

  it('makes dividends paid an outflow whatever sign they come with', () => {
    const row = answerFor('cash').annualReports[0];
    const read = (dividendPayout: string) =>
      latest(
        alphaVantageStatements.transform(
          { annualReports: [{ ...row, dividendPayout }] },
          { symbol: 'TSLA', statement: 'cash', period: 'annual' },
        ),
      ).dividendsPaid;
    expect(read('1200000000')).toBe(-1200000000);
    expect(read('-1200000000')).toBe(-1200000000);
    expect(read('0')).toBe(0);
  });

  it.each(['income', 'balance', 'cash'] as const)(
    'keeps every %s report valid and newest first',
    (statement) => {
      for (const period of ['annual', 'quarterly'] as const) {
        const result = tsla(statement, period);
        expect(result.ok, `${statement} ${period}`).toBe(true);
        if (!result.ok) continue;
        expect(z.safeParse(FinancialStatementsSchema, result.value).success).toBe(true);
        for (const report of result.value.reports) {
          expect(z.safeParse(REPORT_SCHEMAS[statement], report).success).toBe(true);
        }
        const dates = result.value.reports.map((report) => report.fiscalDateEnding);
        expect(dates).toEqual([...dates].sort().reverse());
        expect(dates.length).toBe(period === 'annual' ? 5 : 20);
      }
    },
  );

  it('reads the quarterly list for quarterly statements', () => {
    const result = tsla('income', 'quarterly');
    expect(result.ok && result.value.reports[0]?.fiscalDateEnding).toBe('2022-09-30');
    expect(result.ok && result.value.period).toBe('quarterly');
  });

  it('orders reports newest first and drops a period sent twice', () => {
    const [newest, older] = answerFor('income').annualReports;
    const result = alphaVantageStatements.transform(
      { annualReports: [older, newest, older] },
      { symbol: 'TSLA', statement: 'income', period: 'annual' },
    );
    expect(result.ok && result.value.reports.map((report) => report.fiscalDateEnding)).toEqual([
      '2021-12-31',
      '2020-12-31',
    ]);
  });

  it('rejects a report without a valid period end, naming the field', () => {
    const row = answerFor('income').annualReports[0];
    expect(
      alphaVantageStatements.transform(
        { annualReports: [{ ...row, fiscalDateEnding: 'FY2021' }] },
        { symbol: 'TSLA', statement: 'income', period: 'annual' },
      ),
    ).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'INCOME_STATEMENT failed validation: reports.fiscalDateEnding' },
    });
  });

  it('rejects an answer without the list of the asked period', () => {
    const { annualReports } = answerFor('cash');
    expect(
      alphaVantageStatements.transform(
        { annualReports },
        { symbol: 'TSLA', statement: 'cash', period: 'quarterly' },
      ),
    ).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'CASH_FLOW answer has no quarterlyReports list' },
    });
  });

  it('reads an empty answer as an unknown symbol', () => {
    expect(classify({})?.kind).toBe('unknown_symbol');
  });

  it('classifies every Alpha Vantage error fixture by meaning', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
    expect(classify('<html>gateway</html>')?.kind).toBe('bad_data');
  });
});
