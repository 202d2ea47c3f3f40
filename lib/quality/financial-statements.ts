import type {
  BalanceSheet,
  CashFlow,
  FinancialStatements,
  IncomeStatement,
  StatementKind,
} from '../model/financial-statements.js';
import {
  check,
  isNear,
  missingFieldsCheck,
  percent,
  type QualityCheck,
  type QualityReport,
  reportOf,
} from './report.js';

/** `grossProfit` may differ from `totalRevenue - costOfRevenue` by this share of revenue. */
export const GROSS_PROFIT_TOLERANCE = 0.01;

/** `totalLiabilities + totalShareholderEquity` may differ from `totalAssets` by this share of assets. */
export const BALANCE_TOLERANCE = 0.02;

/**
 * How much further `totalLiabilities + totalShareholderEquity` may fall SHORT of `totalAssets`, as a
 * share of assets. The model's equity is the parent's: noncontrolling (minority) interests are in
 * neither figure, so assets exceed the sum by them. Tesla's 2021 gap of $1,394M (2.24 % of assets)
 * is exactly its redeemable plus other noncontrolling interests; its 2017–2019 gaps reach 4.95 %.
 * Holding companies whose minority interests pass 12 % of assets fail the check.
 */
export const MINORITY_INTEREST_ALLOWANCE = 0.1;

/** `freeCashFlow` may differ from `operatingCashflow - |capitalExpenditures|` by this share of the two. */
export const FREE_CASH_FLOW_TOLERANCE = 0.01;

/**
 * `changeInCash` may differ from operating + investing + financing by this share of the three flows'
 * magnitudes: exchange-rate effects and restricted-cash definitions sit in between. The share is of
 * the flows, not of the change, which is a small net of large numbers.
 */
export const CASH_FLOW_TOLERANCE = 0.05;

/** Amounts are in full units; a unit of slack keeps rounding in tiny figures from failing identities. */
const ROUNDING = 1;

type Report = IncomeStatement | BalanceSheet | CashFlow;

/**
 * Scores financial statements, report by report; each check's `subject` is the report's
 * `fiscalDateEnding`. Income: `gross_profit_identity` (error), `missing_fields` (warning),
 * `zero_for_missing` (warning). Balance: `balance_identity` (error), `missing_fields`. Cash flow:
 * `capex_is_outflow` (error), `free_cash_flow_identity` (warning), `cash_flow_identity` (warning;
 * a failed `info` when `changeInCash` alone is missing), `missing_fields`.
 *
 * The schema does not tie `reports` to `statement`; a report of another kind than `statement` names
 * fails `reports_match_statement` (error). That check is listed only when it fails: it is the
 * precondition of the others, not a quality measure, and listing it always would lift every score.
 */
export function scoreStatements(statements: FinancialStatements): QualityReport {
  const checks: QualityCheck[] = [];
  for (const report of statements.reports) {
    const subject = report.fiscalDateEnding;
    const kindChecks = checksFor(statements.statement, report);
    checks.push(
      ...(kindChecks ?? [
        check('reports_match_statement', 'error', false, {
          subject,
          detail: `not a ${statements.statement} statement`,
        }),
      ]),
    );
  }
  return reportOf(checks);
}

/** The checks of one report, or `null` when it is not of the declared kind. */
function checksFor(kind: StatementKind, report: Report): QualityCheck[] | null {
  switch (kind) {
    case 'income':
      return 'grossProfit' in report ? incomeChecks(report) : null;
    case 'balance':
      return 'totalAssets' in report ? balanceChecks(report) : null;
    case 'cash':
      return 'operatingCashflow' in report ? cashFlowChecks(report) : null;
  }
}

function incomeChecks(income: IncomeStatement): QualityCheck[] {
  const subject = income.fiscalDateEnding;
  const checks: QualityCheck[] = [];
  const { totalRevenue, costOfRevenue, grossProfit } = income;
  if (totalRevenue !== null && costOfRevenue !== null && grossProfit !== null) {
    const expected = totalRevenue - costOfRevenue;
    const tolerance = Math.max(GROSS_PROFIT_TOLERANCE * Math.abs(totalRevenue), ROUNDING);
    checks.push(
      check('gross_profit_identity', 'error', isNear(grossProfit, expected, tolerance), {
        subject,
        detail: `gross profit ${grossProfit}, revenue - cost of revenue ${expected}`,
      }),
    );
  }
  const { fiscalDateEnding: _date, currency: _currency, ...amounts } = income;
  checks.push(...missingFieldsCheck(amounts, { subject }));

  // A total of exactly 0 next to a non-zero part of it: a provider's 0 standing in for "missing".
  const totals = [
    ['totalRevenue', [costOfRevenue, grossProfit]],
    ['operatingExpenses', [income.researchAndDevelopment, income.sellingGeneralAndAdministrative]],
  ] as const;
  const applicable = totals.filter(([total]) => income[total] !== null);
  if (applicable.length > 0) {
    const zeros = applicable
      .filter(([total, parts]) => income[total] === 0 && parts.some((part) => part !== null && part !== 0))
      .map(([total]) => total);
    checks.push(
      check('zero_for_missing', 'warning', zeros.length === 0, {
        subject,
        detail: zeros.length === 0 ? undefined : `0 with non-zero parts: ${zeros.join(', ')}`,
      }),
    );
  }
  return checks;
}

function balanceChecks(balance: BalanceSheet): QualityCheck[] {
  const subject = balance.fiscalDateEnding;
  const checks: QualityCheck[] = [];
  const { totalAssets, totalLiabilities, totalShareholderEquity } = balance;
  if (totalAssets !== null && totalLiabilities !== null && totalShareholderEquity !== null) {
    const gap = totalAssets - (totalLiabilities + totalShareholderEquity);
    const scale = Math.max(Math.abs(totalAssets), ROUNDING);
    const share = gap / scale;
    const passed = share >= -BALANCE_TOLERANCE && share <= BALANCE_TOLERANCE + MINORITY_INTEREST_ALLOWANCE;
    checks.push(
      check('balance_identity', 'error', passed, {
        subject,
        detail:
          share > BALANCE_TOLERANCE && passed
            ? `assets exceed liabilities + equity by ${percent(share)}, read as minority interest`
            : `assets - (liabilities + equity) is ${percent(share)} of assets`,
      }),
    );
  }
  const { fiscalDateEnding: _date, currency: _currency, ...amounts } = balance;
  checks.push(...missingFieldsCheck(amounts, { subject }));
  return checks;
}

function cashFlowChecks(cash: CashFlow): QualityCheck[] {
  const subject = cash.fiscalDateEnding;
  const checks: QualityCheck[] = [];
  const { operatingCashflow, capitalExpenditures, freeCashFlow, changeInCash } = cash;
  if (capitalExpenditures !== null) {
    checks.push(
      check('capex_is_outflow', 'error', capitalExpenditures <= 0, {
        subject,
        detail: `capital expenditures ${capitalExpenditures}`,
      }),
    );
  }
  if (operatingCashflow !== null && capitalExpenditures !== null && freeCashFlow !== null) {
    // By magnitude: the sign of capex is `capex_is_outflow`'s business, so one wrong sign fails one check.
    const expected = operatingCashflow - Math.abs(capitalExpenditures);
    const scale = Math.abs(operatingCashflow) + Math.abs(capitalExpenditures);
    checks.push(
      check(
        'free_cash_flow_identity',
        'warning',
        isNear(freeCashFlow, expected, Math.max(FREE_CASH_FLOW_TOLERANCE * scale, ROUNDING)),
        { subject, detail: `free cash flow ${freeCashFlow}, operating - |capex| ${expected}` },
      ),
    );
  }
  const { cashflowFromInvestment: investing, cashflowFromFinancing: financing } = cash;
  if (operatingCashflow !== null && investing !== null && financing !== null) {
    const sum = operatingCashflow + investing + financing;
    if (changeInCash === null) {
      checks.push(
        check('cash_flow_identity', 'info', false, {
          subject,
          detail: 'changeInCash missing: the flows cannot be reconciled',
        }),
      );
    } else {
      const scale = Math.abs(operatingCashflow) + Math.abs(investing) + Math.abs(financing);
      checks.push(
        check(
          'cash_flow_identity',
          'warning',
          isNear(changeInCash, sum, Math.max(CASH_FLOW_TOLERANCE * scale, ROUNDING)),
          { subject, detail: `change in cash ${changeInCash}, operating + investing + financing ${sum}` },
        ),
      );
    }
  }
  const { fiscalDateEnding: _date, currency: _currency, ...amounts } = cash;
  checks.push(...missingFieldsCheck(amounts, { subject }));
  return checks;
}
