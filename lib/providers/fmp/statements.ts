import * as z from 'zod/mini';
import {
  BalanceSheetSchema,
  CashFlowSchema,
  type FinancialStatements,
  IncomeStatementSchema,
  type StatementKind,
  type StatementsQuery,
} from '../../model/financial-statements.js';
import { toIsoDate } from '../../validation/sanitize.js';
import { sanitizeCurrency } from '../../validation/text.js';
import {
  checkedAgainst,
  fieldsIn,
  newestFirst,
  outflow,
  type ReportCandidate,
  reportsOf,
} from '../normalize.js';
import { failure, isEmptyList, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { toFmpSymbol } from './symbols.js';

/** A report read into the model's field names, before validation. */
type Report = ReportCandidate;

/** FMP sends JSON numbers; a figure it does not have is absent or `null`. */
const amount = z.optional(z.nullable(z.number()));

/** What every FMP report carries: its period end and currency. Other fields are ignored. */
const reportBase = { date: z.string(), reportedCurrency: z.optional(z.nullable(z.string())) };

/** One `/stable/income-statement` report: the fields this layer reads. */
const FmpIncomeSchema = z.looseObject({
  ...reportBase,
  revenue: amount,
  costOfRevenue: amount,
  grossProfit: amount,
  operatingExpenses: amount,
  operatingIncome: amount,
  researchAndDevelopmentExpenses: amount,
  sellingGeneralAndAdministrativeExpenses: amount,
  interestExpense: amount,
  incomeBeforeTax: amount,
  incomeTaxExpense: amount,
  netIncome: amount,
  ebitda: amount,
  eps: amount,
  epsDiluted: amount,
});

/** One `/stable/balance-sheet-statement` report: the fields this layer reads. */
const FmpBalanceSchema = z.looseObject({
  ...reportBase,
  totalAssets: amount,
  totalCurrentAssets: amount,
  cashAndCashEquivalents: amount,
  inventory: amount,
  totalLiabilities: amount,
  totalCurrentLiabilities: amount,
  longTermDebt: amount,
  totalStockholdersEquity: amount,
  retainedEarnings: amount,
});

/** One `/stable/cash-flow-statement` report: the fields this layer reads. Outflows come negative. */
const FmpCashFlowSchema = z.looseObject({
  ...reportBase,
  operatingCashFlow: amount,
  netCashProvidedByOperatingActivities: amount,
  capitalExpenditure: amount,
  investmentsInPropertyPlantAndEquipment: amount,
  freeCashFlow: amount,
  netCashProvidedByInvestingActivities: amount,
  netCashProvidedByFinancingActivities: amount,
  netDividendsPaid: amount,
  commonDividendsPaid: amount,
  netChangeInCash: amount,
});

/** Each statement's path, its raw report and how that reads into the model, and the model schema that checks it. */
const STATEMENTS = {
  income: {
    path: '/stable/income-statement',
    read: reader(FmpIncomeSchema, incomeOf),
    schema: reportsOf(IncomeStatementSchema),
  },
  balance: {
    path: '/stable/balance-sheet-statement',
    read: reader(FmpBalanceSchema, balanceOf),
    schema: reportsOf(BalanceSheetSchema),
  },
  cash: {
    path: '/stable/cash-flow-statement',
    read: reader(FmpCashFlowSchema, cashFlowOf),
    schema: reportsOf(CashFlowSchema),
  },
} as const satisfies Record<StatementKind, { path: string; read: unknown; schema: unknown }>;

/**
 * FMP's `/stable/income-statement`, `/stable/balance-sheet-statement` and `/stable/cash-flow-statement`
 * as one endpoint: the path follows the statement asked for and `period` is `annual` or `quarter`. No
 * `limit` is sent: FMP's default applies, as larger limits may need a paid plan (FMP then answers with a
 * plan refusal, classified as `plan_restricted`).
 */
export const fmpStatements: ProviderEndpoint<StatementsQuery, FinancialStatements> = {
  provider: 'fmp',
  dataType: 'financials',

  buildRequest: ({ symbol, statement, period }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, STATEMENTS[statement].path, {
      symbol: toFmpSymbol(symbol),
      period: period === 'annual' ? 'annual' : 'quarter',
    }),

  // FMP answers a symbol it does not list with HTTP 200 and an empty list.
  classify: unknownSymbolWhen(classifyFmpAnswer, isEmptyList, 'FMP returned no statements'),

  transform(body, { symbol, statement, period }) {
    const { path, read, schema } = STATEMENTS[statement];
    if (!Array.isArray(body)) return failure('bad_data', `FMP ${path} answer is not a list`);
    const reports = read(body);
    if ('malformed' in reports)
      return failure('bad_data', `FMP ${path} answer is malformed: ${reports.malformed}`);
    const candidate = { symbol, statement, period, reports: newestFirst(reports.rows) };
    return checkedAgainst(schema, candidate, `FMP ${path}`);
  },
};

/** Reads a list of raw reports into the model's field names, or names the raw fields that are malformed. */
function reader<Raw extends z.ZodMiniType>(raw: Raw, read: (row: z.infer<Raw>) => Report) {
  const list = z.array(raw);
  return (body: unknown): { rows: Report[] } | { malformed: string } => {
    const parsed = z.safeParse(list, body);
    return parsed.success ? { rows: parsed.data.map(read) } : { malformed: fieldsIn(parsed.error, 'entry') };
  };
}

function header(row: { date: string; reportedCurrency?: string | null | undefined }) {
  return { fiscalDateEnding: toIsoDate(row.date), currency: sanitizeCurrency(row.reportedCurrency) };
}

function incomeOf(row: z.infer<typeof FmpIncomeSchema>): Report {
  return {
    ...header(row),
    totalRevenue: row.revenue ?? null,
    costOfRevenue: row.costOfRevenue ?? null,
    grossProfit: row.grossProfit ?? null,
    operatingExpenses: row.operatingExpenses ?? null,
    operatingIncome: row.operatingIncome ?? null,
    researchAndDevelopment: row.researchAndDevelopmentExpenses ?? null,
    sellingGeneralAndAdministrative: row.sellingGeneralAndAdministrativeExpenses ?? null,
    interestExpense: row.interestExpense ?? null,
    incomeBeforeTax: row.incomeBeforeTax ?? null,
    incomeTaxExpense: row.incomeTaxExpense ?? null,
    netIncome: row.netIncome ?? null,
    ebitda: row.ebitda ?? null,
    // The model's EPS is diluted where given.
    eps: row.epsDiluted ?? row.eps ?? null,
  };
}

function balanceOf(row: z.infer<typeof FmpBalanceSchema>): Report {
  return {
    ...header(row),
    totalAssets: row.totalAssets ?? null,
    totalCurrentAssets: row.totalCurrentAssets ?? null,
    cashAndEquivalents: row.cashAndCashEquivalents ?? null,
    inventory: row.inventory ?? null,
    totalLiabilities: row.totalLiabilities ?? null,
    totalCurrentLiabilities: row.totalCurrentLiabilities ?? null,
    longTermDebt: row.longTermDebt ?? null,
    // The shareholders' own equity, without minority interest (`totalEquity`), as Alpha Vantage reports it.
    totalShareholderEquity: row.totalStockholdersEquity ?? null,
    retainedEarnings: row.retainedEarnings ?? null,
    // FMP's balance sheet has no share count (the income statement's is a period average).
    sharesOutstanding: null,
  };
}

function cashFlowOf(row: z.infer<typeof FmpCashFlowSchema>): Report {
  const operatingCashflow = row.operatingCashFlow ?? row.netCashProvidedByOperatingActivities ?? null;
  // FMP sends outflows negative already; forcing the sign keeps the model's rule if it ever does not.
  const capitalExpenditures = outflow(
    row.capitalExpenditure ?? row.investmentsInPropertyPlantAndEquipment ?? null,
  );
  return {
    ...header(row),
    operatingCashflow,
    capitalExpenditures,
    freeCashFlow:
      row.freeCashFlow ??
      (operatingCashflow === null || capitalExpenditures === null
        ? null
        : operatingCashflow + capitalExpenditures),
    cashflowFromInvestment: row.netCashProvidedByInvestingActivities ?? null,
    cashflowFromFinancing: row.netCashProvidedByFinancingActivities ?? null,
    // Common and preferred together, as Alpha Vantage's `dividendPayout`.
    dividendsPaid: outflow(row.netDividendsPaid ?? row.commonDividendsPaid ?? null),
    changeInCash: row.netChangeInCash ?? null,
  };
}
