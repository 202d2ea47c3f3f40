import { dayOf, isoDay, parseIsoDay } from './calendar.js';
import type {
  BalanceSheet,
  CashFlowStatement,
  FinancialReport,
  FiscalPeriod,
  IncomeStatement,
  PeriodKind,
} from './financial-statements.js';
import type { Company } from './market-generator.js';
import { between, normal, randomFor } from './random.js';

export type { FinancialReport, FiscalPeriod, PeriodKind } from './financial-statements.js';

/**
 * Deterministic financial statements in one canonical form that the provider modules rename into their own
 * fields. Quarters are generated first and a fiscal year is the sum of its quarters (its balance sheet is the
 * fourth quarter's), so annual and quarterly answers agree. Identities hold exactly: totalAssets =
 * totalLiabilities + totalEquity, grossProfit = revenue − costOfRevenue, netChangeInCash = operating +
 * investing + financing = cash at end − cash at end of the period before. Capital expenditure is negative,
 * as cash-flow statements print it. Fiscal years end on 31 December.
 */

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'] as const;
const FILING_LAG_DAYS = { quarter: 35, annual: 55 } as const;

/** Rounds to whole thousands, as filings report. */
const k = (value: number): number => Math.round(value / 1000) * 1000;

function periodOf(kind: PeriodKind, fiscalYear: number, quarter: 1 | 2 | 3 | 4 | undefined): FiscalPeriod {
  const endDate = `${fiscalYear}-${QUARTER_END[(quarter ?? 4) - 1]}`;
  const filingDay = (parseIsoDay(endDate) ?? 0) + FILING_LAG_DAYS[kind];
  const filingDate = isoDay(filingDay);
  return { kind, fiscalYear, quarter, endDate, filingDate, acceptedDate: `${filingDate} 16:05:12` };
}

/** The latest `count` periods already filed at `now`, newest first. */
export function filedPeriods(now: Date, kind: PeriodKind, count: number): FiscalPeriod[] {
  const today = dayOf(now);
  const periods: FiscalPeriod[] = [];
  let year = now.getUTCFullYear();
  let quarter = 4;
  while (periods.length < count) {
    const period = periodOf(kind, year, kind === 'annual' ? undefined : (quarter as 1 | 2 | 3 | 4));
    if ((parseIsoDay(period.filingDate) ?? 0) <= today) periods.push(period);
    if (kind === 'annual' || quarter === 1) {
      year--;
      quarter = 4;
    } else quarter--;
  }
  return periods;
}

function quarterIncome(company: Company, year: number, quarter: number): IncomeStatement {
  const shape = randomFor('financial-shape', company.symbol);
  const random = randomFor('income', company.symbol, year, quarter);
  const baseRevenue = (company.basePrice * company.sharesOutstanding) / between(shape, 1, 8) / 4;
  const growth = between(shape, -0.03, 0.2);
  const revenue = k(
    baseRevenue * (1 + growth) ** (year - 2020 + quarter / 4) * Math.exp(normal(random) * 0.03),
  );
  const grossMargin = between(shape, 0.2, 0.7);
  const costOfRevenue = k(revenue * (1 - grossMargin) * (1 + normal(random) * 0.01));
  const grossProfit = revenue - costOfRevenue;
  const researchAndDevelopment = k(revenue * between(shape, 0, 0.15));
  const generalAndAdministrative = k(revenue * between(shape, 0.03, 0.08));
  const sellingAndMarketing = k(revenue * between(shape, 0.02, 0.1));
  const sellingGeneralAndAdministrative = generalAndAdministrative + sellingAndMarketing;
  const operatingExpenses = researchAndDevelopment + sellingGeneralAndAdministrative;
  const operatingIncome = grossProfit - operatingExpenses;
  const interestIncome = k(revenue * between(shape, 0.001, 0.01));
  const interestExpense = k(revenue * between(shape, 0.002, 0.02));
  const netInterestIncome = interestIncome - interestExpense;
  const nonOperatingIncome = k(revenue * normal(random) * 0.005);
  const incomeBeforeTax = operatingIncome + netInterestIncome + nonOperatingIncome;
  const incomeTaxExpense = k(Math.max(0, incomeBeforeTax) * 0.21);
  const netIncome = incomeBeforeTax - incomeTaxExpense;
  const depreciationAndAmortization = k(revenue * between(shape, 0.02, 0.08));
  const ebit = incomeBeforeTax + interestExpense;
  const weightedAverageShares = company.sharesOutstanding;
  const weightedAverageSharesDiluted = Math.round(weightedAverageShares * 1.004);
  return {
    revenue,
    costOfRevenue,
    grossProfit,
    researchAndDevelopment,
    generalAndAdministrative,
    sellingAndMarketing,
    sellingGeneralAndAdministrative,
    operatingExpenses,
    costAndExpenses: costOfRevenue + operatingExpenses,
    operatingIncome,
    interestIncome,
    interestExpense,
    netInterestIncome,
    nonOperatingIncome,
    incomeBeforeTax,
    incomeTaxExpense,
    netIncome,
    depreciationAndAmortization,
    ebit,
    ebitda: ebit + depreciationAndAmortization,
    weightedAverageShares,
    weightedAverageSharesDiluted,
    eps: Math.round((netIncome / weightedAverageShares) * 100) / 100,
    epsDiluted: Math.round((netIncome / weightedAverageSharesDiluted) * 100) / 100,
  };
}

function quarterBalance(company: Company, year: number, quarter: number): BalanceSheet {
  const shape = randomFor('balance-shape', company.symbol);
  const random = randomFor('balance', company.symbol, year, quarter);
  const assets = quarterIncome(company, year, quarter).revenue * 4 * between(shape, 0.8, 2.5);
  const part = (share: number): number => k(assets * share * (1 + normal(random) * 0.03));
  const current = {
    cash: part(0.08),
    shortTermInvestments: part(0.05),
    receivables: part(0.1),
    inventory: part(between(shape, 0, 0.1)),
    other: part(0.03),
  };
  const nonCurrent = {
    ppe: part(0.3),
    goodwill: part(0.08),
    intangibles: part(0.05),
    lti: part(0.1),
    other: part(0.06),
  };
  const liabilities = {
    payables: part(0.08),
    std: part(0.03),
    deferred: part(0.02),
    otherCurrent: part(0.05),
  };
  const leverage = between(shape, 0.1, 0.45);
  const longTerm = { debt: part(leverage), other: part(0.05) };
  const totalCurrentAssets = Object.values(current).reduce((a, b) => a + b, 0);
  const totalNonCurrentAssets = Object.values(nonCurrent).reduce((a, b) => a + b, 0);
  const totalCurrentLiabilities = Object.values(liabilities).reduce((a, b) => a + b, 0);
  const totalNonCurrentLiabilities = longTerm.debt + longTerm.other;
  const totalAssets = totalCurrentAssets + totalNonCurrentAssets;
  const totalLiabilities = totalCurrentLiabilities + totalNonCurrentLiabilities;
  const totalEquity = totalAssets - totalLiabilities;
  const commonStock = k(totalEquity * 0.3);
  const accumulatedOtherComprehensiveIncome = k(totalEquity * normal(random) * 0.02);
  return {
    cashAndCashEquivalents: current.cash,
    shortTermInvestments: current.shortTermInvestments,
    cashAndShortTermInvestments: current.cash + current.shortTermInvestments,
    netReceivables: current.receivables,
    inventory: current.inventory,
    otherCurrentAssets: current.other,
    totalCurrentAssets,
    propertyPlantEquipmentNet: nonCurrent.ppe,
    goodwill: nonCurrent.goodwill,
    intangibleAssets: nonCurrent.intangibles,
    longTermInvestments: nonCurrent.lti,
    otherNonCurrentAssets: nonCurrent.other,
    totalNonCurrentAssets,
    totalAssets,
    accountPayables: liabilities.payables,
    shortTermDebt: liabilities.std,
    deferredRevenue: liabilities.deferred,
    otherCurrentLiabilities: liabilities.otherCurrent,
    totalCurrentLiabilities,
    longTermDebt: longTerm.debt,
    otherNonCurrentLiabilities: longTerm.other,
    totalNonCurrentLiabilities,
    totalLiabilities,
    commonStock,
    retainedEarnings: totalEquity - commonStock - accumulatedOtherComprehensiveIncome,
    accumulatedOtherComprehensiveIncome,
    totalEquity,
    sharesOutstanding: company.sharesOutstanding,
  };
}

function quarterCashFlow(company: Company, year: number, quarter: number): CashFlowStatement {
  const random = randomFor('cash-flow', company.symbol, year, quarter);
  const income = quarterIncome(company, year, quarter);
  const cashAtEndOfPeriod = quarterBalance(company, year, quarter).cashAndCashEquivalents;
  const previous = quarter === 1 ? [year - 1, 4] : [year, quarter - 1];
  const cashAtBeginningOfPeriod = quarterBalance(
    company,
    previous[0] ?? year,
    previous[1] ?? 4,
  ).cashAndCashEquivalents;
  const flow = (share: number): number => k(income.revenue * share * (1 + normal(random) * 0.2));
  const stockBasedCompensation = flow(0.02);
  const changeInWorkingCapital = k(income.revenue * normal(random) * 0.02);
  const operatingCashFlow =
    income.netIncome + income.depreciationAndAmortization + stockBasedCompensation + changeInWorkingCapital;
  const capitalExpenditure = -flow(0.05);
  const purchasesOfInvestments = -flow(0.04);
  const salesMaturitiesOfInvestments = flow(0.04);
  const investingCashFlow = capitalExpenditure + purchasesOfInvestments + salesMaturitiesOfInvestments;
  const netDebtIssuance = k(income.revenue * normal(random) * 0.01);
  const commonStockRepurchased = company.dividendYield > 0 ? -flow(0.03) : 0;
  const dividendsPaid = -k((company.dividendYield * company.basePrice * company.sharesOutstanding) / 4);
  const netChangeInCash = cashAtEndOfPeriod - cashAtBeginningOfPeriod;
  // The residual keeps the cash bridge exact: the statements reconcile like a real filing's.
  const otherFinancingActivities =
    netChangeInCash -
    operatingCashFlow -
    investingCashFlow -
    netDebtIssuance -
    commonStockRepurchased -
    dividendsPaid;
  return {
    netIncome: income.netIncome,
    depreciationAndAmortization: income.depreciationAndAmortization,
    stockBasedCompensation,
    changeInWorkingCapital,
    operatingCashFlow,
    capitalExpenditure,
    purchasesOfInvestments,
    salesMaturitiesOfInvestments,
    investingCashFlow,
    netDebtIssuance,
    commonStockRepurchased,
    dividendsPaid,
    otherFinancingActivities,
    financingCashFlow: netDebtIssuance + commonStockRepurchased + dividendsPaid + otherFinancingActivities,
    netChangeInCash,
    cashAtBeginningOfPeriod,
    cashAtEndOfPeriod,
    freeCashFlow: operatingCashFlow + capitalExpenditure,
  };
}

/** Field-by-field sum of flow statements (the fiscal year from its quarters). */
function sumOf<T extends object>(items: readonly T[]): T {
  const total: Record<string, number> = {};
  for (const item of items) {
    for (const [key, value] of Object.entries(item) as [string, number][])
      total[key] = (total[key] ?? 0) + value;
  }
  return total as T;
}

/** The statements of a company for a period. */
export function reportFor(company: Company, period: FiscalPeriod): FinancialReport {
  const year = period.fiscalYear;
  if (period.quarter !== undefined) {
    return {
      period,
      income: quarterIncome(company, year, period.quarter),
      balance: quarterBalance(company, year, period.quarter),
      cashFlow: quarterCashFlow(company, year, period.quarter),
    };
  }
  const quarters = [1, 2, 3, 4] as const;
  const income = sumOf(quarters.map((q) => quarterIncome(company, year, q)));
  // Per-share and share-count lines are not additive.
  income.weightedAverageShares = company.sharesOutstanding;
  income.weightedAverageSharesDiluted = Math.round(company.sharesOutstanding * 1.004);
  income.eps = Math.round((income.netIncome / income.weightedAverageShares) * 100) / 100;
  income.epsDiluted = Math.round((income.netIncome / income.weightedAverageSharesDiluted) * 100) / 100;
  const cashFlow = sumOf(quarters.map((q) => quarterCashFlow(company, year, q)));
  cashFlow.cashAtBeginningOfPeriod = quarterCashFlow(company, year, 1).cashAtBeginningOfPeriod;
  cashFlow.cashAtEndOfPeriod = quarterCashFlow(company, year, 4).cashAtEndOfPeriod;
  return { period, income, balance: quarterBalance(company, year, 4), cashFlow };
}
