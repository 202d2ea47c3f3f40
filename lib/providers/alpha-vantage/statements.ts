import * as z from 'zod/mini';
import {
  BalanceSheetSchema,
  CashFlowSchema,
  type FinancialStatements,
  IncomeStatementSchema,
  type StatementKind,
  type StatementsQuery,
} from '../../model/financial-statements.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency } from '../../validation/text.js';
import { checkedAgainst, newestFirst, outflow, type ReportCandidate, reportsOf } from '../normalize.js';
import { failure, isEmptyObject, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

type Row = ReportCandidate;

/** The raw statement answer: both period lists, each report a flat object of strings ("None" for no figure). */
const StatementsAnswerSchema = z.object({
  annualReports: z.optional(z.array(z.record(z.string(), z.unknown()))),
  quarterlyReports: z.optional(z.array(z.record(z.string(), z.unknown()))),
});

/** Each statement's function and how one of its reports reads into the model, with the schema that checks it. */
const STATEMENTS = {
  income: { fn: 'INCOME_STATEMENT', read: incomeOf, schema: reportsOf(IncomeStatementSchema) },
  balance: { fn: 'BALANCE_SHEET', read: balanceOf, schema: reportsOf(BalanceSheetSchema) },
  cash: { fn: 'CASH_FLOW', read: cashFlowOf, schema: reportsOf(CashFlowSchema) },
} as const satisfies Record<StatementKind, { fn: string; read: (row: Row) => Row; schema: unknown }>;

/**
 * Alpha Vantage's `INCOME_STATEMENT`, `BALANCE_SHEET` and `CASH_FLOW` as one endpoint: the function
 * follows the statement asked for; each answer carries both annual and quarterly reports.
 */
export const alphaVantageStatements: ProviderEndpoint<StatementsQuery, FinancialStatements> = {
  provider: 'alpha-vantage',
  dataType: 'financials',

  buildRequest: ({ symbol, statement }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: STATEMENTS[statement].fn, symbol }),

  // The fundamentals functions answer a symbol they do not cover with HTTP 200 and `{}`.
  classify: unknownSymbolWhen(
    classifyAlphaVantageAnswer,
    isEmptyObject,
    'Alpha Vantage returned an empty statement answer',
  ),

  transform(body, { symbol, statement, period }) {
    const { fn, read, schema } = STATEMENTS[statement];
    const list = period === 'annual' ? 'annualReports' : 'quarterlyReports';
    const raw = z.safeParse(StatementsAnswerSchema, body);
    const rows = raw.success ? raw.data[list] : undefined;
    if (!rows) return failure('bad_data', `${fn} answer has no ${list} list`);
    const candidate = { symbol, statement, period, reports: newestFirst(rows.map(read)) };
    return checkedAgainst(schema, candidate, fn);
  },
};

function header(row: Row) {
  return {
    fiscalDateEnding: toIsoDate(row.fiscalDateEnding),
    currency: sanitizeCurrency(row.reportedCurrency),
  };
}

function incomeOf(row: Row): Row {
  return {
    ...header(row),
    totalRevenue: toNumber(row.totalRevenue),
    costOfRevenue: toNumber(row.costOfRevenue),
    grossProfit: toNumber(row.grossProfit),
    operatingExpenses: toNumber(row.operatingExpenses),
    operatingIncome: toNumber(row.operatingIncome),
    researchAndDevelopment: toNumber(row.researchAndDevelopment),
    sellingGeneralAndAdministrative: toNumber(row.sellingGeneralAndAdministrative),
    interestExpense: toNumber(row.interestExpense),
    incomeBeforeTax: toNumber(row.incomeBeforeTax),
    incomeTaxExpense: toNumber(row.incomeTaxExpense),
    netIncome: toNumber(row.netIncome),
    ebitda: toNumber(row.ebitda),
    // The statement has no per-share figures; earnings per share come from Alpha Vantage's EARNINGS.
    eps: null,
  };
}

function balanceOf(row: Row): Row {
  return {
    ...header(row),
    totalAssets: toNumber(row.totalAssets),
    totalCurrentAssets: toNumber(row.totalCurrentAssets),
    cashAndEquivalents: toNumber(row.cashAndCashEquivalentsAtCarryingValue),
    inventory: toNumber(row.inventory),
    totalLiabilities: toNumber(row.totalLiabilities),
    totalCurrentLiabilities: toNumber(row.totalCurrentLiabilities),
    // Some filers fill only the non-current line.
    longTermDebt: toNumber(row.longTermDebt) ?? toNumber(row.longTermDebtNoncurrent),
    totalShareholderEquity: toNumber(row.totalShareholderEquity),
    retainedEarnings: toNumber(row.retainedEarnings),
    sharesOutstanding: toNumber(row.commonStockSharesOutstanding),
  };
}

function cashFlowOf(row: Row): Row {
  const operatingCashflow = toNumber(row.operatingCashflow);
  // Alpha Vantage prints capital expenditure and dividends as positive amounts; the model wants outflows.
  const capitalExpenditures = outflow(toNumber(row.capitalExpenditures));
  return {
    ...header(row),
    operatingCashflow,
    capitalExpenditures,
    // Alpha Vantage gives no free cash flow; it is defined as operating cash flow less capital expenditure.
    freeCashFlow:
      operatingCashflow === null || capitalExpenditures === null
        ? null
        : operatingCashflow + capitalExpenditures,
    cashflowFromInvestment: toNumber(row.cashflowFromInvestment),
    cashflowFromFinancing: toNumber(row.cashflowFromFinancing),
    dividendsPaid: outflow(toNumber(row.dividendPayout) ?? toNumber(row.dividendPayoutCommonStock)),
    changeInCash: toNumber(row.changeInCashAndCashEquivalents),
  };
}
