/**
 * The canonical financial statements the sandbox generates (financials-generator.ts) and the provider
 * modules rename into their own fields. Amounts are integers in the reporting currency (USD).
 */

export type PeriodKind = 'annual' | 'quarter';

/** A reporting period and its filing dates. */
export interface FiscalPeriod {
  readonly kind: PeriodKind;
  readonly fiscalYear: number;
  /** 1..4 for a quarter; undefined for a fiscal year. */
  readonly quarter: 1 | 2 | 3 | 4 | undefined;
  readonly endDate: string;
  readonly filingDate: string;
  readonly acceptedDate: string;
}

/** Flow lines of a period (currency units, integers). */
export interface IncomeStatement {
  revenue: number;
  costOfRevenue: number;
  grossProfit: number;
  researchAndDevelopment: number;
  generalAndAdministrative: number;
  sellingAndMarketing: number;
  sellingGeneralAndAdministrative: number;
  operatingExpenses: number;
  costAndExpenses: number;
  operatingIncome: number;
  interestIncome: number;
  interestExpense: number;
  netInterestIncome: number;
  nonOperatingIncome: number;
  incomeBeforeTax: number;
  incomeTaxExpense: number;
  netIncome: number;
  depreciationAndAmortization: number;
  ebit: number;
  ebitda: number;
  weightedAverageShares: number;
  weightedAverageSharesDiluted: number;
  eps: number;
  epsDiluted: number;
}

/** Stock lines at the end of a period. */
export interface BalanceSheet {
  cashAndCashEquivalents: number;
  shortTermInvestments: number;
  cashAndShortTermInvestments: number;
  netReceivables: number;
  inventory: number;
  otherCurrentAssets: number;
  totalCurrentAssets: number;
  propertyPlantEquipmentNet: number;
  goodwill: number;
  intangibleAssets: number;
  longTermInvestments: number;
  otherNonCurrentAssets: number;
  totalNonCurrentAssets: number;
  totalAssets: number;
  accountPayables: number;
  shortTermDebt: number;
  deferredRevenue: number;
  otherCurrentLiabilities: number;
  totalCurrentLiabilities: number;
  longTermDebt: number;
  otherNonCurrentLiabilities: number;
  totalNonCurrentLiabilities: number;
  totalLiabilities: number;
  commonStock: number;
  retainedEarnings: number;
  accumulatedOtherComprehensiveIncome: number;
  totalEquity: number;
  sharesOutstanding: number;
}

/** Cash-flow lines of a period; outflows are negative. */
export interface CashFlowStatement {
  netIncome: number;
  depreciationAndAmortization: number;
  stockBasedCompensation: number;
  changeInWorkingCapital: number;
  operatingCashFlow: number;
  capitalExpenditure: number;
  purchasesOfInvestments: number;
  salesMaturitiesOfInvestments: number;
  investingCashFlow: number;
  netDebtIssuance: number;
  commonStockRepurchased: number;
  dividendsPaid: number;
  otherFinancingActivities: number;
  financingCashFlow: number;
  netChangeInCash: number;
  cashAtBeginningOfPeriod: number;
  cashAtEndOfPeriod: number;
  freeCashFlow: number;
}

/** The three statements of one period. */
export interface FinancialReport {
  readonly period: FiscalPeriod;
  readonly income: IncomeStatement;
  readonly balance: BalanceSheet;
  readonly cashFlow: CashFlowStatement;
}
