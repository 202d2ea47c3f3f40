import { describe, expect, it } from 'vitest';
import type {
  BalanceSheet,
  CashFlow,
  FinancialStatements,
  IncomeStatement,
} from '../../../lib/model/financial-statements.js';
import { scoreStatements } from '../../../lib/quality/financial-statements.js';
import type { QualityCheck, QualityReport } from '../../../lib/quality/report.js';

const date = '2025-12-31';

/** An income statement whose identities hold: 1,000 of revenue, 600 of cost, 400 of gross profit. */
function income(change: Partial<IncomeStatement> = {}): IncomeStatement {
  return {
    fiscalDateEnding: date,
    currency: 'USD',
    totalRevenue: 1000,
    costOfRevenue: 600,
    grossProfit: 400,
    operatingExpenses: 250,
    operatingIncome: 150,
    researchAndDevelopment: 100,
    sellingGeneralAndAdministrative: 150,
    interestExpense: 10,
    incomeBeforeTax: 140,
    incomeTaxExpense: 30,
    netIncome: 110,
    ebitda: 200,
    eps: 1.1,
    ...change,
  };
}

/** A balance sheet that balances: 1,000 of assets, 600 of liabilities, 400 of equity. */
function balance(change: Partial<BalanceSheet> = {}): BalanceSheet {
  return {
    fiscalDateEnding: date,
    currency: 'USD',
    totalAssets: 1000,
    totalCurrentAssets: 500,
    cashAndEquivalents: 200,
    inventory: 100,
    totalLiabilities: 600,
    totalCurrentLiabilities: 300,
    longTermDebt: 200,
    totalShareholderEquity: 400,
    retainedEarnings: 300,
    sharesOutstanding: 100,
    ...change,
  };
}

/** A cash flow that reconciles: 1,000 operating, -500 capex, 500 free, -700 + 300 around a change of 600. */
function cash(change: Partial<CashFlow> = {}): CashFlow {
  return {
    fiscalDateEnding: date,
    currency: 'USD',
    operatingCashflow: 1000,
    capitalExpenditures: -500,
    freeCashFlow: 500,
    cashflowFromInvestment: -700,
    cashflowFromFinancing: 300,
    dividendsPaid: -100,
    changeInCash: 600,
    ...change,
  };
}

function score(statement: 'income', report: IncomeStatement): QualityReport;
function score(statement: 'balance', report: BalanceSheet): QualityReport;
function score(statement: 'cash', report: CashFlow): QualityReport;
function score(statement: FinancialStatements['statement'], report: FinancialStatements['reports'][number]) {
  return scoreStatements({
    symbol: 'TEST',
    statement,
    period: 'annual',
    reports: [report],
  } as FinancialStatements);
}

const checkOf = (report: QualityReport, id: string): QualityCheck | undefined =>
  report.checks.find((item) => item.id === id);
const ids = (report: QualityReport) => report.checks.map((item) => item.id);

describe('scoreStatements: income checks', () => {
  it('reports gross_profit_identity as an error that shows both figures', () => {
    expect(checkOf(score('income', income({ grossProfit: 389 })), 'gross_profit_identity')).toStrictEqual({
      id: 'gross_profit_identity',
      passed: false,
      severity: 'error',
      subject: date,
      detail: 'gross profit 389, revenue - cost of revenue 400',
    });
  });

  it('skips gross_profit_identity when revenue, cost of revenue or gross profit is missing', () => {
    for (const missing of ['totalRevenue', 'costOfRevenue', 'grossProfit'] as const) {
      expect(ids(score('income', income({ [missing]: null })))).not.toContain('gross_profit_identity');
    }
  });

  it('names the total that is 0 beside a non-zero part, as a warning, even when its other part is missing', () => {
    const report = score('income', income({ totalRevenue: 0, costOfRevenue: 600, grossProfit: null }));
    expect(checkOf(report, 'zero_for_missing')).toStrictEqual({
      id: 'zero_for_missing',
      passed: false,
      severity: 'warning',
      subject: date,
      detail: '0 with non-zero parts: totalRevenue',
    });
    const both = score('income', income({ totalRevenue: 0, operatingExpenses: 0 }));
    expect(checkOf(both, 'zero_for_missing')?.detail).toBe(
      '0 with non-zero parts: totalRevenue, operatingExpenses',
    );
  });

  it('passes zero_for_missing when a total of 0 has parts that are 0 or missing', () => {
    for (const parts of [
      { costOfRevenue: 0, grossProfit: 0 },
      { costOfRevenue: null, grossProfit: null },
    ]) {
      const report = score('income', income({ totalRevenue: 0, ...parts }));
      expect(checkOf(report, 'zero_for_missing')).toStrictEqual({
        id: 'zero_for_missing',
        passed: true,
        severity: 'warning',
        subject: date,
      });
    }
  });

  it('skips zero_for_missing when both totals are missing', () => {
    const report = score('income', income({ totalRevenue: null, operatingExpenses: null }));
    expect(ids(report)).not.toContain('zero_for_missing');
  });
});

describe('scoreStatements: balance_identity', () => {
  it('skips the identity when assets, liabilities or equity is missing', () => {
    for (const missing of ['totalAssets', 'totalLiabilities', 'totalShareholderEquity'] as const) {
      expect(ids(score('balance', balance({ [missing]: null })))).not.toContain('balance_identity');
    }
  });

  it('passes a gap of exactly -2 % and exactly 2 % + 10 % of assets, and fails just beyond either', () => {
    const passed = (sheet: BalanceSheet) => checkOf(score('balance', sheet), 'balance_identity')?.passed;
    // Liabilities and equity over assets by 2 %.
    expect(passed(balance({ totalLiabilities: 620 }))).toBe(true);
    expect(passed(balance({ totalLiabilities: 621 }))).toBe(false);
    // 9 - 7.92 = 1.08 is 12 % of 9 in floating point exactly as 0.02 + 0.1 is.
    expect(passed(balance({ totalAssets: 9, totalLiabilities: 4, totalShareholderEquity: 3.92 }))).toBe(true);
    expect(passed(balance({ totalAssets: 9, totalLiabilities: 4, totalShareholderEquity: 3.9 }))).toBe(false);
  });

  it('reads a gap as minority interest only beyond 2 % and only when it passes', () => {
    const detail = (sheet: BalanceSheet) => checkOf(score('balance', sheet), 'balance_identity')?.detail;
    expect(detail(balance({ totalShareholderEquity: 390 }))).toBe(
      'assets - (liabilities + equity) is 1.00 % of assets',
    );
    expect(detail(balance({ totalShareholderEquity: 380 }))).toBe(
      'assets - (liabilities + equity) is 2.00 % of assets',
    );
    expect(detail(balance({ totalShareholderEquity: 350 }))).toBe(
      'assets exceed liabilities + equity by 5.00 %, read as minority interest',
    );
    expect(detail(balance({ totalShareholderEquity: 200 }))).toBe(
      'assets - (liabilities + equity) is 20.00 % of assets',
    );
  });

  it("names the report in the balance sheet's missing_fields", () => {
    expect(checkOf(score('balance', balance()), 'missing_fields')).toStrictEqual({
      id: 'missing_fields',
      passed: true,
      severity: 'warning',
      subject: date,
      detail: '0 of 10 missing',
    });
  });
});

describe('scoreStatements: cash flow checks', () => {
  it('passes capex of 0 as an outflow, and shows the figure', () => {
    expect(
      checkOf(score('cash', cash({ capitalExpenditures: 0, freeCashFlow: 1000 })), 'capex_is_outflow'),
    ).toStrictEqual({
      id: 'capex_is_outflow',
      passed: true,
      severity: 'error',
      subject: date,
      detail: 'capital expenditures 0',
    });
    expect(ids(score('cash', cash({ capitalExpenditures: null })))).not.toContain('capex_is_outflow');
  });

  it('allows free cash flow 1 % of operating and capex magnitudes off, and shows both figures', () => {
    // 1 % of 1,000 + 500 is 15.
    expect(checkOf(score('cash', cash({ freeCashFlow: 515 })), 'free_cash_flow_identity')).toStrictEqual({
      id: 'free_cash_flow_identity',
      passed: true,
      severity: 'warning',
      subject: date,
      detail: 'free cash flow 515, operating - |capex| 500',
    });
    expect(checkOf(score('cash', cash({ freeCashFlow: 516 })), 'free_cash_flow_identity')?.passed).toBe(
      false,
    );
  });

  it('skips free_cash_flow_identity when operating cash flow, capex or free cash flow is missing', () => {
    for (const missing of ['operatingCashflow', 'capitalExpenditures', 'freeCashFlow'] as const) {
      expect(ids(score('cash', cash({ [missing]: null })))).not.toContain('free_cash_flow_identity');
    }
  });

  it('skips cash_flow_identity when a flow is missing, and shows both sides when it runs', () => {
    for (const missing of ['operatingCashflow', 'cashflowFromInvestment', 'cashflowFromFinancing'] as const) {
      expect(ids(score('cash', cash({ [missing]: null })))).not.toContain('cash_flow_identity');
    }
    expect(checkOf(score('cash', cash()), 'cash_flow_identity')?.detail).toBe(
      'change in cash 600, operating + investing + financing 600',
    );
  });
});

describe('scoreStatements: reports of another kind', () => {
  it('fails reports_match_statement as an error naming the declared kind', () => {
    const report = scoreStatements({
      symbol: 'TEST',
      statement: 'income',
      period: 'annual',
      reports: [balance()],
    });
    expect(report.checks).toStrictEqual([
      {
        id: 'reports_match_statement',
        passed: false,
        severity: 'error',
        subject: date,
        detail: 'not a income statement',
      },
    ]);
  });
});
