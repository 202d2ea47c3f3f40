import * as z from 'zod/mini';
import { amount, currency, FULL_UNITS, isoDate, money, symbol } from './fields.js';

export const STATEMENT_KINDS = ['income', 'balance', 'cash'] as const;
export const STATEMENT_PERIODS = ['annual', 'quarterly'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];
export type StatementPeriod = (typeof STATEMENT_PERIODS)[number];

/** An amount of a report: in full units of its `currency` (never thousands or millions). */
const reported = (what: string) => money(what, FULL_UNITS);

/** What every report carries: the period it covers and its currency. Amounts are in full units. */
const reportBase = {
  fiscalDateEnding: isoDate.check(
    z.describe('The last day of the fiscal period the report covers, `YYYY-MM-DD`.'),
  ),
  currency: currency.check(
    z.describe("The ISO 4217 code of the report's amounts; null when the provider does not say."),
  ),
};

export const IncomeStatementSchema = z.object({
  ...reportBase,
  totalRevenue: reported('Total revenue of the period'),
  costOfRevenue: reported('Cost of revenue of the period'),
  grossProfit: reported('Gross profit of the period (revenue minus cost of revenue)'),
  operatingExpenses: reported('Operating expenses of the period'),
  operatingIncome: reported('Operating income of the period'),
  researchAndDevelopment: reported('Research and development expense of the period'),
  sellingGeneralAndAdministrative: reported('Selling, general and administrative expense of the period'),
  interestExpense: reported('Interest expense of the period'),
  incomeBeforeTax: reported('Income before tax of the period'),
  incomeTaxExpense: reported('Income tax expense of the period'),
  netIncome: reported('Net income of the period'),
  ebitda: reported('Earnings before interest, taxes, depreciation and amortization of the period'),
  eps: money('Diluted earnings per share of the period', 'in `currency` per share'),
});

export const BalanceSheetSchema = z.object({
  ...reportBase,
  totalAssets: reported('Total assets at the end of the period'),
  totalCurrentAssets: reported('Current assets at the end of the period'),
  cashAndEquivalents: reported('Cash and cash equivalents at the end of the period'),
  inventory: reported('Inventory at the end of the period'),
  totalLiabilities: reported('Total liabilities at the end of the period'),
  totalCurrentLiabilities: reported('Current liabilities at the end of the period'),
  longTermDebt: reported('Long-term debt at the end of the period'),
  totalShareholderEquity: reported("Total shareholders' equity at the end of the period"),
  retainedEarnings: reported('Retained earnings at the end of the period'),
  sharesOutstanding: amount.check(
    z.describe('Common shares outstanding at the end of the period, a count of shares; null when not given.'),
  ),
});

export const CashFlowSchema = z.object({
  ...reportBase,
  operatingCashflow: reported('Cash flow from operating activities of the period'),
  capitalExpenditures: reported(
    'Capital expenditures of the period, negative (an outflow) whatever sign the provider used',
  ),
  freeCashFlow: reported('Operating cash flow plus the (negative) capital expenditures of the period'),
  cashflowFromInvestment: reported('Cash flow from investing activities of the period'),
  cashflowFromFinancing: reported('Cash flow from financing activities of the period'),
  dividendsPaid: reported('Dividends paid in the period, negative (an outflow)'),
  changeInCash: reported(
    'Net change in cash of the period: operating + investing + financing (+ FX effects)',
  ),
});

export type IncomeStatement = z.infer<typeof IncomeStatementSchema>;
export type BalanceSheet = z.infer<typeof BalanceSheetSchema>;
export type CashFlow = z.infer<typeof CashFlowSchema>;

export interface StatementReport {
  income: IncomeStatement;
  balance: BalanceSheet;
  cash: CashFlow;
}

/** Statements of one kind and period for one symbol, newest first. */
export const FinancialStatementsSchema = z.object({
  symbol,
  statement: z.enum(STATEMENT_KINDS),
  period: z.enum(STATEMENT_PERIODS),
  reports: z.union([z.array(IncomeStatementSchema), z.array(BalanceSheetSchema), z.array(CashFlowSchema)]),
});

export type FinancialStatements = z.infer<typeof FinancialStatementsSchema>;

/** The query for financial statements. */
export interface StatementsQuery {
  symbol: string;
  statement: StatementKind;
  period: StatementPeriod;
}
