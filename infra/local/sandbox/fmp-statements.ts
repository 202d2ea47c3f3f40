import { type FinancialReport, filedPeriods, type PeriodKind, reportFor } from './financials-generator.js';
import type { Company } from './market-generator.js';
import type { JsonValue } from './provider.js';

/**
 * FMP `/stable/income-statement`, `/stable/balance-sheet-statement` and `/stable/cash-flow-statement`:
 * arrays of periods, newest first, with JSON numbers and the keys (in order) of FMP's recorded answers.
 * Outflows are negative (`capitalExpenditure`, `commonDividendsPaid`), as FMP sends them.
 */

type Row = Record<string, JsonValue>;

function header(company: Company, report: FinancialReport): Row {
  const { period } = report;
  return {
    date: period.endDate,
    symbol: company.symbol,
    reportedCurrency: 'USD',
    cik: company.cik,
    filingDate: period.filingDate,
    acceptedDate: period.acceptedDate,
    fiscalYear: String(period.fiscalYear),
    period: period.quarter === undefined ? 'FY' : `Q${period.quarter}`,
  };
}

function incomeRow(company: Company, report: FinancialReport): Row {
  const i = report.income;
  return {
    ...header(company, report),
    revenue: i.revenue,
    costOfRevenue: i.costOfRevenue,
    grossProfit: i.grossProfit,
    researchAndDevelopmentExpenses: i.researchAndDevelopment,
    generalAndAdministrativeExpenses: i.generalAndAdministrative,
    sellingAndMarketingExpenses: i.sellingAndMarketing,
    sellingGeneralAndAdministrativeExpenses: i.sellingGeneralAndAdministrative,
    otherExpenses: 0,
    operatingExpenses: i.operatingExpenses,
    costAndExpenses: i.costAndExpenses,
    netInterestIncome: i.netInterestIncome,
    interestIncome: i.interestIncome,
    interestExpense: i.interestExpense,
    depreciationAndAmortization: i.depreciationAndAmortization,
    ebitda: i.ebitda,
    ebit: i.ebit,
    nonOperatingIncomeExcludingInterest: i.nonOperatingIncome,
    operatingIncome: i.operatingIncome,
    totalOtherIncomeExpensesNet: i.netInterestIncome + i.nonOperatingIncome,
    incomeBeforeTax: i.incomeBeforeTax,
    incomeTaxExpense: i.incomeTaxExpense,
    netIncomeFromContinuingOperations: i.netIncome,
    netIncomeFromDiscontinuedOperations: 0,
    otherAdjustmentsToNetIncome: 0,
    netIncome: i.netIncome,
    netIncomeDeductions: 0,
    bottomLineNetIncome: i.netIncome,
    eps: i.eps,
    epsDiluted: i.epsDiluted,
    weightedAverageShsOut: i.weightedAverageShares,
    weightedAverageShsOutDil: i.weightedAverageSharesDiluted,
  };
}

function balanceRow(company: Company, report: FinancialReport): Row {
  const b = report.balance;
  const totalDebt = b.shortTermDebt + b.longTermDebt;
  return {
    ...header(company, report),
    cashAndCashEquivalents: b.cashAndCashEquivalents,
    shortTermInvestments: b.shortTermInvestments,
    cashAndShortTermInvestments: b.cashAndShortTermInvestments,
    netReceivables: b.netReceivables,
    accountsReceivables: b.netReceivables,
    otherReceivables: 0,
    inventory: b.inventory,
    prepaids: 0,
    otherCurrentAssets: b.otherCurrentAssets,
    totalCurrentAssets: b.totalCurrentAssets,
    propertyPlantEquipmentNet: b.propertyPlantEquipmentNet,
    goodwill: b.goodwill,
    intangibleAssets: b.intangibleAssets,
    goodwillAndIntangibleAssets: b.goodwill + b.intangibleAssets,
    longTermInvestments: b.longTermInvestments,
    taxAssets: 0,
    otherNonCurrentAssets: b.otherNonCurrentAssets,
    totalNonCurrentAssets: b.totalNonCurrentAssets,
    otherAssets: 0,
    totalAssets: b.totalAssets,
    totalPayables: b.accountPayables,
    accountPayables: b.accountPayables,
    otherPayables: 0,
    accruedExpenses: 0,
    shortTermDebt: b.shortTermDebt,
    capitalLeaseObligationsCurrent: 0,
    taxPayables: 0,
    deferredRevenue: b.deferredRevenue,
    otherCurrentLiabilities: b.otherCurrentLiabilities,
    totalCurrentLiabilities: b.totalCurrentLiabilities,
    longTermDebt: b.longTermDebt,
    capitalLeaseObligationsNonCurrent: 0,
    deferredRevenueNonCurrent: 0,
    deferredTaxLiabilitiesNonCurrent: 0,
    otherNonCurrentLiabilities: b.otherNonCurrentLiabilities,
    totalNonCurrentLiabilities: b.totalNonCurrentLiabilities,
    otherLiabilities: 0,
    capitalLeaseObligations: 0,
    totalLiabilities: b.totalLiabilities,
    treasuryStock: 0,
    preferredStock: 0,
    commonStock: b.commonStock,
    retainedEarnings: b.retainedEarnings,
    additionalPaidInCapital: 0,
    accumulatedOtherComprehensiveIncomeLoss: b.accumulatedOtherComprehensiveIncome,
    otherTotalStockholdersEquity: 0,
    totalStockholdersEquity: b.totalEquity,
    totalEquity: b.totalEquity,
    minorityInterest: 0,
    totalLiabilitiesAndTotalEquity: b.totalLiabilities + b.totalEquity,
    totalInvestments: b.shortTermInvestments + b.longTermInvestments,
    totalDebt,
    netDebt: totalDebt - b.cashAndCashEquivalents,
  };
}

function cashFlowRow(company: Company, report: FinancialReport): Row {
  const c = report.cashFlow;
  return {
    ...header(company, report),
    netIncome: c.netIncome,
    depreciationAndAmortization: c.depreciationAndAmortization,
    deferredIncomeTax: 0,
    stockBasedCompensation: c.stockBasedCompensation,
    changeInWorkingCapital: c.changeInWorkingCapital,
    accountsReceivables: 0,
    inventory: 0,
    accountsPayables: 0,
    otherWorkingCapital: c.changeInWorkingCapital,
    otherNonCashItems: 0,
    netCashProvidedByOperatingActivities: c.operatingCashFlow,
    investmentsInPropertyPlantAndEquipment: c.capitalExpenditure,
    acquisitionsNet: 0,
    purchasesOfInvestments: c.purchasesOfInvestments,
    salesMaturitiesOfInvestments: c.salesMaturitiesOfInvestments,
    otherInvestingActivities: 0,
    netCashProvidedByInvestingActivities: c.investingCashFlow,
    netDebtIssuance: c.netDebtIssuance,
    longTermNetDebtIssuance: c.netDebtIssuance,
    shortTermNetDebtIssuance: 0,
    netStockIssuance: c.commonStockRepurchased,
    netCommonStockIssuance: c.commonStockRepurchased,
    commonStockIssuance: 0,
    commonStockRepurchased: c.commonStockRepurchased,
    netPreferredStockIssuance: 0,
    netDividendsPaid: c.dividendsPaid,
    commonDividendsPaid: c.dividendsPaid,
    preferredDividendsPaid: 0,
    otherFinancingActivities: c.otherFinancingActivities,
    netCashProvidedByFinancingActivities: c.financingCashFlow,
    effectOfForexChangesOnCash: 0,
    netChangeInCash: c.netChangeInCash,
    cashAtEndOfPeriod: c.cashAtEndOfPeriod,
    cashAtBeginningOfPeriod: c.cashAtBeginningOfPeriod,
    operatingCashFlow: c.operatingCashFlow,
    capitalExpenditure: c.capitalExpenditure,
    freeCashFlow: c.freeCashFlow,
    incomeTaxesPaid: report.income.incomeTaxExpense,
    interestPaid: report.income.interestExpense,
  };
}

const ROWS = {
  'income-statement': incomeRow,
  'balance-sheet-statement': balanceRow,
  'cash-flow-statement': cashFlowRow,
} as const;

/** Statement endpoints under `/stable/`. */
export type FmpStatement = keyof typeof ROWS;

/** True for a statement endpoint name. */
export function isFmpStatement(name: string): name is FmpStatement {
  return Object.hasOwn(ROWS, name);
}

const MAX_LIMIT = 100;

/**
 * One statement endpoint. `period` is `annual` (default, also `FY`), `quarter`, or `Q1`..`Q4` for one
 * quarter of each year; `limit` (default 5) caps the number of periods.
 */
export function statementRows(
  name: FmpStatement,
  company: Company,
  now: Date,
  period: string,
  limit: number,
): JsonValue {
  const count = Math.min(Math.max(1, limit), MAX_LIMIT);
  const quarterOnly = /^Q[1-4]$/.exec(period) ? Number(period.slice(1)) : undefined;
  const kind: PeriodKind = period === 'quarter' || quarterOnly !== undefined ? 'quarter' : 'annual';
  const periods = filedPeriods(now, kind, quarterOnly === undefined ? count : count * 4)
    .filter((p) => quarterOnly === undefined || p.quarter === quarterOnly)
    .slice(0, count);
  return periods.map((p) => ROWS[name](company, reportFor(company, p)));
}
