import { describe, expect, it } from 'vitest';
import type {
  BalanceSheet,
  CashFlow,
  FinancialStatements,
  IncomeStatement,
} from '../../../lib/model/financial-statements.js';
import { scoreStatements } from '../../../lib/quality/financial-statements.js';
import { isServable, type QualityReport } from '../../../lib/quality/report.js';
import { toNumber } from '../../../lib/validation/sanitize.js';
import { providerFixture } from '../../support/fixtures.js';

type RawReports = { annualReports: Record<string, string>[]; quarterlyReports: Record<string, string>[] };

function reportsOf(file: string, period: 'annualReports' | 'quarterlyReports' = 'annualReports') {
  return (providerFixture(`alphavantage/${file}`) as RawReports)[period];
}

/** A negative amount whatever sign the provider used: the model's convention for outflows. */
function outflow(raw: string | undefined): number | null {
  const value = toNumber(raw);
  return value === null ? null : -Math.abs(value);
}

/** Tesla's income statements, read field by field from the Alpha Vantage fixture. */
function teslaIncome(): IncomeStatement[] {
  return reportsOf('income_statement_TSLA_2023-01-27.json').map((r) => ({
    fiscalDateEnding: r.fiscalDateEnding ?? '',
    currency: r.reportedCurrency ?? null,
    totalRevenue: toNumber(r.totalRevenue),
    costOfRevenue: toNumber(r.costOfRevenue),
    grossProfit: toNumber(r.grossProfit),
    operatingExpenses: toNumber(r.operatingExpenses),
    operatingIncome: toNumber(r.operatingIncome),
    researchAndDevelopment: toNumber(r.researchAndDevelopment),
    sellingGeneralAndAdministrative: toNumber(r.sellingGeneralAndAdministrative),
    interestExpense: toNumber(r.interestExpense),
    incomeBeforeTax: toNumber(r.incomeBeforeTax),
    incomeTaxExpense: toNumber(r.incomeTaxExpense),
    netIncome: toNumber(r.netIncome),
    ebitda: toNumber(r.ebitda),
    // INCOME_STATEMENT carries no EPS.
    eps: null,
  }));
}

/** Tesla's balance sheets, read field by field from the Alpha Vantage fixture. */
function teslaBalance(period: 'annualReports' | 'quarterlyReports' = 'annualReports'): BalanceSheet[] {
  return reportsOf('balance_sheet_TSLA_2023-01-27.json', period).map((r) => ({
    fiscalDateEnding: r.fiscalDateEnding ?? '',
    currency: r.reportedCurrency ?? null,
    totalAssets: toNumber(r.totalAssets),
    totalCurrentAssets: toNumber(r.totalCurrentAssets),
    cashAndEquivalents: toNumber(r.cashAndCashEquivalentsAtCarryingValue),
    inventory: toNumber(r.inventory),
    totalLiabilities: toNumber(r.totalLiabilities),
    totalCurrentLiabilities: toNumber(r.totalCurrentLiabilities),
    longTermDebt: toNumber(r.longTermDebt),
    totalShareholderEquity: toNumber(r.totalShareholderEquity),
    retainedEarnings: toNumber(r.retainedEarnings),
    sharesOutstanding: toNumber(r.commonStockSharesOutstanding),
  }));
}

/** Tesla's cash flows from the fixture, capex turned into the model's outflow (Alpha Vantage sends it positive). */
function teslaCashFlow(): CashFlow[] {
  return reportsOf('cash_flow_TSLA_2023-01-27.json').map((r) => {
    const operatingCashflow = toNumber(r.operatingCashflow);
    const capitalExpenditures = outflow(r.capitalExpenditures);
    return {
      fiscalDateEnding: r.fiscalDateEnding ?? '',
      currency: r.reportedCurrency ?? null,
      operatingCashflow,
      capitalExpenditures,
      freeCashFlow:
        operatingCashflow === null || capitalExpenditures === null
          ? null
          : operatingCashflow + capitalExpenditures,
      cashflowFromInvestment: toNumber(r.cashflowFromInvestment),
      cashflowFromFinancing: toNumber(r.cashflowFromFinancing),
      dividendsPaid: outflow(r.dividendPayout),
      changeInCash: toNumber(r.changeInCashAndCashEquivalents),
    };
  });
}

function statements(statement: 'income', reports: IncomeStatement[]): FinancialStatements;
function statements(statement: 'balance', reports: BalanceSheet[]): FinancialStatements;
function statements(statement: 'cash', reports: CashFlow[]): FinancialStatements;
function statements(
  statement: FinancialStatements['statement'],
  reports: FinancialStatements['reports'],
): FinancialStatements {
  return { symbol: 'TSLA', statement, period: 'annual', reports };
}

/** The reports with the one for `fiscalDateEnding` changed. */
function changed<T extends { fiscalDateEnding: string }>(
  reports: T[],
  date: string,
  change: Partial<T>,
): T[] {
  return reports.map((report) => (report.fiscalDateEnding === date ? { ...report, ...change } : report));
}

const failed = (report: QualityReport) =>
  report.checks.filter((item) => !item.passed).map((item) => [item.id, item.subject]);

describe('scoreStatements: income', () => {
  it("passes every check on Tesla's income statements", () => {
    const report = scoreStatements(statements('income', teslaIncome()));
    expect(report.checks.filter((item) => item.subject === '2021-12-31').map((item) => item.id)).toEqual([
      'gross_profit_identity',
      'missing_fields',
      'zero_for_missing',
    ]);
    expect(report.checks).toHaveLength(15);
    expect(failed(report)).toEqual([]);
  });

  it('fails only gross_profit_identity when gross profit is off by more than 1 % of revenue', () => {
    const income = teslaIncome();
    // 2021: revenue 53,823M; 1 % is 538.23M.
    const within = changed(income, '2021-12-31', { grossProfit: 13_606e6 + 538e6 });
    expect(failed(scoreStatements(statements('income', within)))).toEqual([]);
    const beyond = changed(income, '2021-12-31', { grossProfit: 13_606e6 + 539e6 });
    const report = scoreStatements(statements('income', beyond));
    expect(failed(report)).toEqual([['gross_profit_identity', '2021-12-31']]);
    expect(isServable(report)).toBe(false);
  });

  it('fails only zero_for_missing when a total is 0 next to its non-zero parts', () => {
    const broken = changed(teslaIncome(), '2020-12-31', { operatingExpenses: 0 });
    expect(failed(scoreStatements(statements('income', broken)))).toEqual([
      ['zero_for_missing', '2020-12-31'],
    ]);
  });

  it('fails only missing_fields when over 30 % of the amounts are missing', () => {
    const broken = changed(teslaIncome(), '2019-12-31', {
      interestExpense: null,
      incomeTaxExpense: null,
      ebitda: null,
      researchAndDevelopment: null,
    });
    expect(failed(scoreStatements(statements('income', broken)))).toEqual([['missing_fields', '2019-12-31']]);
  });
});

describe('scoreStatements: balance', () => {
  it("passes balance_identity on Tesla's balance sheets, reading the gap as minority interest", () => {
    for (const period of ['annualReports', 'quarterlyReports'] as const) {
      expect(failed(scoreStatements(statements('balance', teslaBalance(period))))).toEqual([]);
    }
    // 62,131M of assets against 30,548M + 30,189M: Tesla's 1,394M of noncontrolling interests.
    expect(teslaBalance()[0]).toMatchObject({
      totalAssets: 62_131e6,
      totalLiabilities: 30_548e6,
      totalShareholderEquity: 30_189e6,
    });
    const identity = scoreStatements(statements('balance', teslaBalance())).checks[0];
    expect(identity).toEqual({
      id: 'balance_identity',
      passed: true,
      severity: 'error',
      subject: '2021-12-31',
      detail: 'assets exceed liabilities + equity by 2.24 %, read as minority interest',
    });
  });

  it('fails only balance_identity when liabilities and equity exceed assets by more than 2 %', () => {
    // 2021: +2 % of 62,131M assets is 1,242.62M over; the sum is 60,737M, so 2,637M more breaks it.
    const broken = changed(teslaBalance(), '2021-12-31', { totalLiabilities: 30_548e6 + 2_637e6 });
    const report = scoreStatements(statements('balance', broken));
    expect(failed(report)).toEqual([['balance_identity', '2021-12-31']]);
    expect(isServable(report)).toBe(false);
  });

  it('fails only balance_identity when the gap is beyond what minority interest explains', () => {
    const broken = changed(teslaBalance(), '2020-12-31', { totalShareholderEquity: 22_225e6 - 6_000e6 });
    expect(failed(scoreStatements(statements('balance', broken)))).toEqual([
      ['balance_identity', '2020-12-31'],
    ]);
  });
});

describe('scoreStatements: cash flow', () => {
  it("passes every check on Tesla's cash flows, capex turned into an outflow", () => {
    const report = scoreStatements(statements('cash', teslaCashFlow()));
    expect(report.checks.filter((item) => item.subject === '2021-12-31').map((item) => item.id)).toEqual([
      'capex_is_outflow',
      'free_cash_flow_identity',
      'cash_flow_identity',
      'missing_fields',
    ]);
    // 2017 reconciles only within the tolerance: -61M - 4,196M + 4,415M = 158M against a change of -25.3M.
    expect(failed(report)).toEqual([]);
    expect(report.score).toBe(1);
  });

  it("fails only capex_is_outflow when capex keeps Alpha Vantage's positive sign", () => {
    const broken = changed(teslaCashFlow(), '2021-12-31', { capitalExpenditures: 7_982e6 });
    const report = scoreStatements(statements('cash', broken));
    expect(failed(report)).toEqual([['capex_is_outflow', '2021-12-31']]);
    expect(isServable(report)).toBe(false);
  });

  it('fails only free_cash_flow_identity when free cash flow ignores capex', () => {
    const broken = changed(teslaCashFlow(), '2021-12-31', { freeCashFlow: 11_497e6 });
    expect(failed(scoreStatements(statements('cash', broken)))).toEqual([
      ['free_cash_flow_identity', '2021-12-31'],
    ]);
  });

  it('fails only cash_flow_identity when the change in cash does not reconcile within 5 % of the flows', () => {
    // 2021 flows: 11,497M + 7,868M + 5,203M = 24,568M; 5 % is 1,228.4M around the -1,574M change.
    const broken = changed(teslaCashFlow(), '2021-12-31', { changeInCash: -1_574e6 + 1_229e6 });
    expect(failed(scoreStatements(statements('cash', broken)))).toEqual([
      ['cash_flow_identity', '2021-12-31'],
    ]);
  });

  it('notes as info, without blocking, that flows cannot be reconciled without a change in cash', () => {
    const report = scoreStatements(
      statements('cash', changed(teslaCashFlow(), '2021-12-31', { changeInCash: null })),
    );
    expect(
      report.checks.find((item) => item.id === 'cash_flow_identity' && item.subject === '2021-12-31'),
    ).toEqual({
      id: 'cash_flow_identity',
      passed: false,
      severity: 'info',
      subject: '2021-12-31',
      detail: 'changeInCash missing: the flows cannot be reconciled',
    });
    expect(isServable(report)).toBe(true);
  });
});

describe('scoreStatements: shape', () => {
  it('fails reports_match_statement when the reports are not of the kind the statement names', () => {
    const mislabeled: FinancialStatements = { ...statements('balance', teslaBalance()), statement: 'income' };
    const report = scoreStatements(mislabeled);
    expect(report.checks.every((item) => item.id === 'reports_match_statement' && !item.passed)).toBe(true);
    expect(report.checks).toHaveLength(5);
    expect(isServable(report)).toBe(false);
  });

  it('has no checks and scores 1 without reports', () => {
    expect(scoreStatements(statements('cash', []))).toEqual({ score: 1, checks: [] });
  });
});
