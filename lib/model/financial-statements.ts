import * as z from 'zod/mini';
import { amount, currency, isoDate, symbol } from './fields.js';

export const STATEMENT_KINDS = ['income', 'balance', 'cash'] as const;
export const STATEMENT_PERIODS = ['annual', 'quarterly'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];
export type StatementPeriod = (typeof STATEMENT_PERIODS)[number];

/** What every report carries: the period it covers and its currency. Amounts are in full units. */
const reportBase = {
  fiscalDateEnding: isoDate,
  currency,
};

export const IncomeStatementSchema = z.object({
  ...reportBase,
  totalRevenue: amount,
  costOfRevenue: amount,
  grossProfit: amount,
  operatingExpenses: amount,
  operatingIncome: amount,
  researchAndDevelopment: amount,
  sellingGeneralAndAdministrative: amount,
  interestExpense: amount,
  incomeBeforeTax: amount,
  incomeTaxExpense: amount,
  netIncome: amount,
  ebitda: amount,
  /** Diluted earnings per share where given. */
  eps: amount,
});

export const BalanceSheetSchema = z.object({
  ...reportBase,
  totalAssets: amount,
  totalCurrentAssets: amount,
  cashAndEquivalents: amount,
  inventory: amount,
  totalLiabilities: amount,
  totalCurrentLiabilities: amount,
  longTermDebt: amount,
  totalShareholderEquity: amount,
  retainedEarnings: amount,
  sharesOutstanding: amount,
});

export const CashFlowSchema = z.object({
  ...reportBase,
  operatingCashflow: amount,
  /** Negative: an outflow, whatever sign the provider used. */
  capitalExpenditures: amount,
  /** Operating cash flow plus (negative) capital expenditures. */
  freeCashFlow: amount,
  cashflowFromInvestment: amount,
  cashflowFromFinancing: amount,
  /** Negative: an outflow. */
  dividendsPaid: amount,
  /** Net change in cash: operating + investing + financing (+ FX effects). */
  changeInCash: amount,
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
