import { isoDay, parseIsoDay } from './calendar.js';
import { type FinancialReport, filedPeriods, reportFor } from './financials-generator.js';
import { type Company, round } from './market-generator.js';
import type { MarketView } from './price-bases.js';
import type { JsonValue } from './provider.js';

/**
 * Alpha Vantage fundamentals (OVERVIEW, INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW) in its wire format:
 * every value a string, amounts as integer strings, and "None" where Alpha Vantage has no figure (fields
 * it rarely fills, and dividend lines of companies that pay none). Keys and their order follow the
 * recorded answers in test/fixtures/providers/alphavantage.
 */

type Row = Record<string, string>;

const NONE = 'None';
const int = (value: number): string => String(Math.round(value));
/** Decimal figure as Alpha Vantage prints ratios: rounded, without trailing zeros. */
const dec = (value: number, digits: number): string =>
  Number.isFinite(value) ? String(round(value, digits)) : NONE;
const positive = (value: number): string => (value === 0 ? NONE : int(Math.abs(value)));

function incomeRow(report: FinancialReport): Row {
  const i = report.income;
  return {
    fiscalDateEnding: report.period.endDate,
    reportedCurrency: 'USD',
    grossProfit: int(i.grossProfit),
    totalRevenue: int(i.revenue),
    costOfRevenue: int(i.costOfRevenue),
    costofGoodsAndServicesSold: int(i.costOfRevenue),
    operatingIncome: int(i.operatingIncome),
    sellingGeneralAndAdministrative: int(i.sellingGeneralAndAdministrative),
    researchAndDevelopment: int(i.researchAndDevelopment),
    operatingExpenses: int(i.operatingExpenses),
    investmentIncomeNet: int(i.interestIncome),
    netInterestIncome: int(i.netInterestIncome),
    interestIncome: int(i.interestIncome),
    interestExpense: int(i.interestExpense),
    nonInterestIncome: NONE,
    otherNonOperatingIncome: int(i.nonOperatingIncome),
    depreciation: NONE,
    depreciationAndAmortization: int(i.depreciationAndAmortization),
    incomeBeforeTax: int(i.incomeBeforeTax),
    incomeTaxExpense: int(i.incomeTaxExpense),
    interestAndDebtExpense: int(i.interestExpense),
    netIncomeFromContinuingOperations: int(i.netIncome),
    comprehensiveIncomeNetOfTax: int(i.netIncome),
    ebit: int(i.ebit),
    ebitda: int(i.ebitda),
    netIncome: int(i.netIncome),
  };
}

function balanceRow(report: FinancialReport): Row {
  const b = report.balance;
  return {
    fiscalDateEnding: report.period.endDate,
    reportedCurrency: 'USD',
    totalAssets: int(b.totalAssets),
    totalCurrentAssets: int(b.totalCurrentAssets),
    cashAndCashEquivalentsAtCarryingValue: int(b.cashAndCashEquivalents),
    cashAndShortTermInvestments: int(b.cashAndShortTermInvestments),
    inventory: int(b.inventory),
    currentNetReceivables: int(b.netReceivables),
    totalNonCurrentAssets: int(b.totalNonCurrentAssets),
    propertyPlantEquipment: int(b.propertyPlantEquipmentNet),
    accumulatedDepreciationAmortizationPPE: NONE,
    intangibleAssets: int(b.intangibleAssets + b.goodwill),
    intangibleAssetsExcludingGoodwill: int(b.intangibleAssets),
    goodwill: int(b.goodwill),
    investments: int(b.shortTermInvestments + b.longTermInvestments),
    longTermInvestments: int(b.longTermInvestments),
    shortTermInvestments: int(b.shortTermInvestments),
    otherCurrentAssets: int(b.otherCurrentAssets),
    otherNonCurrentAssets: int(b.otherNonCurrentAssets),
    totalLiabilities: int(b.totalLiabilities),
    totalCurrentLiabilities: int(b.totalCurrentLiabilities),
    currentAccountsPayable: int(b.accountPayables),
    deferredRevenue: int(b.deferredRevenue),
    currentDebt: int(b.shortTermDebt),
    shortTermDebt: int(b.shortTermDebt),
    totalNonCurrentLiabilities: int(b.totalNonCurrentLiabilities),
    capitalLeaseObligations: NONE,
    longTermDebt: int(b.longTermDebt),
    currentLongTermDebt: NONE,
    longTermDebtNoncurrent: NONE,
    shortLongTermDebtTotal: int(b.shortTermDebt + b.longTermDebt),
    otherCurrentLiabilities: int(b.otherCurrentLiabilities),
    otherNonCurrentLiabilities: int(b.otherNonCurrentLiabilities),
    totalShareholderEquity: int(b.totalEquity),
    treasuryStock: NONE,
    retainedEarnings: int(b.retainedEarnings),
    commonStock: int(b.commonStock),
    commonStockSharesOutstanding: int(b.sharesOutstanding),
  };
}

function cashFlowRow(report: FinancialReport): Row {
  const c = report.cashFlow;
  return {
    fiscalDateEnding: report.period.endDate,
    reportedCurrency: 'USD',
    operatingCashflow: int(c.operatingCashFlow),
    paymentsForOperatingActivities: NONE,
    proceedsFromOperatingActivities: NONE,
    changeInOperatingLiabilities: int(Math.max(0, c.changeInWorkingCapital)),
    changeInOperatingAssets: int(Math.min(0, c.changeInWorkingCapital)),
    depreciationDepletionAndAmortization: int(c.depreciationAndAmortization),
    // Alpha Vantage prints capital expenditure as a positive outflow, unlike FMP.
    capitalExpenditures: int(-c.capitalExpenditure),
    changeInReceivables: NONE,
    changeInInventory: NONE,
    profitLoss: int(c.netIncome),
    cashflowFromInvestment: int(c.investingCashFlow),
    cashflowFromFinancing: int(c.financingCashFlow),
    proceedsFromRepaymentsOfShortTermDebt: NONE,
    paymentsForRepurchaseOfCommonStock: positive(c.commonStockRepurchased),
    paymentsForRepurchaseOfEquity: positive(c.commonStockRepurchased),
    paymentsForRepurchaseOfPreferredStock: NONE,
    dividendPayout: positive(c.dividendsPaid),
    dividendPayoutCommonStock: positive(c.dividendsPaid),
    dividendPayoutPreferredStock: NONE,
    proceedsFromIssuanceOfCommonStock: NONE,
    proceedsFromIssuanceOfLongTermDebtAndCapitalSecuritiesNet: int(c.netDebtIssuance),
    proceedsFromIssuanceOfPreferredStock: NONE,
    proceedsFromRepurchaseOfEquity: NONE,
    proceedsFromSaleOfTreasuryStock: NONE,
    changeInCashAndCashEquivalents: int(c.netChangeInCash),
    changeInExchangeRate: NONE,
    netIncome: int(c.netIncome),
  };
}

const ROWS = { INCOME_STATEMENT: incomeRow, BALANCE_SHEET: balanceRow, CASH_FLOW: cashFlowRow } as const;

/** The fundamentals functions served, besides OVERVIEW. */
export type StatementFunction = keyof typeof ROWS;

/** INCOME_STATEMENT, BALANCE_SHEET or CASH_FLOW: 5 fiscal years and 20 quarters, newest first. */
export function statementBody(fn: StatementFunction, company: Company, now: Date): JsonValue {
  const row = ROWS[fn];
  return {
    symbol: company.symbol,
    annualReports: filedPeriods(now, 'annual', 5).map((p) => row(reportFor(company, p))),
    quarterlyReports: filedPeriods(now, 'quarter', 20).map((p) => row(reportFor(company, p))),
  };
}

/**
 * OVERVIEW: the company profile and trailing-twelve-month ratios as of the latest trading day, its
 * per-share figures in that day's shares (the statements' are in the generator's, before any split).
 */
export function overviewBody(market: MarketView, company: Company, tradingDay: number, now: Date): JsonValue {
  const quote = market.quote(company.symbol, tradingDay);
  const shares = company.sharesOutstanding * market.prices(company.symbol).actions.splitFactor(tradingDay);
  const price = quote.bar.close;
  const quarters = filedPeriods(now, 'quarter', 8).map((p) => reportFor(company, p));
  const ttm = quarters.slice(0, 4);
  const sum = (pick: (r: FinancialReport) => number): number => ttm.reduce((total, r) => total + pick(r), 0);
  const latest = quarters[0];
  const yearAgo = quarters[4];
  if (latest === undefined || yearAgo === undefined) return {};
  const revenue = sum((r) => r.income.revenue);
  const netIncome = sum((r) => r.income.netIncome);
  const ebitda = sum((r) => r.income.ebitda);
  const eps = netIncome / shares;
  const pe = eps > 0 ? dec(price / eps, 2) : NONE;
  const equity = latest.balance.totalEquity;
  const enterpriseValue =
    quote.marketCap +
    latest.balance.shortTermDebt +
    latest.balance.longTermDebt -
    latest.balance.cashAndCashEquivalents;
  const dividend = company.dividendYield > 0;
  // The ex-dividend date follows the quarterly filing; payment comes two weeks later.
  const exDividendDay = parseIsoDay(latest.period.filingDate) ?? 0;
  return {
    Symbol: company.symbol,
    AssetType: 'Common Stock',
    Name: company.name,
    Description: `${company.name} is a synthetic company of the ${company.industry.toLowerCase()} industry, generated by the market-data sandbox.`,
    CIK: String(Number(company.cik)),
    Exchange: company.exchange,
    Currency: 'USD',
    Country: 'USA',
    Sector: company.sector.toUpperCase(),
    Industry: company.industry.toUpperCase(),
    Address: '1 SANDBOX WAY, SPRINGFIELD, IL, US',
    FiscalYearEnd: 'December',
    LatestQuarter: latest.period.endDate,
    MarketCapitalization: int(quote.marketCap),
    EBITDA: int(ebitda),
    PERatio: pe,
    PEGRatio: eps > 0 ? dec(price / eps / 15, 3) : NONE,
    BookValue: dec(equity / shares, 2),
    DividendPerShare: dividend ? dec(price * company.dividendYield, 2) : '0',
    DividendYield: dividend ? dec(company.dividendYield, 4) : '0',
    EPS: dec(eps, 2),
    RevenuePerShareTTM: dec(revenue / shares, 2),
    ProfitMargin: dec(netIncome / revenue, 3),
    OperatingMarginTTM: dec(latest.income.operatingIncome / latest.income.revenue, 3),
    ReturnOnAssetsTTM: dec(netIncome / latest.balance.totalAssets, 4),
    ReturnOnEquityTTM: dec(netIncome / equity, 4),
    RevenueTTM: int(revenue),
    GrossProfitTTM: int(sum((r) => r.income.grossProfit)),
    DilutedEPSTTM: dec(netIncome / (shares * 1.004), 2),
    QuarterlyEarningsGrowthYOY: dec(latest.income.netIncome / yearAgo.income.netIncome - 1, 3),
    QuarterlyRevenueGrowthYOY: dec(latest.income.revenue / yearAgo.income.revenue - 1, 3),
    AnalystTargetPrice: dec(price * 1.1, 2),
    TrailingPE: pe,
    ForwardPE: eps > 0 ? dec((price / eps) * 0.85, 2) : NONE,
    PriceToSalesRatioTTM: dec(quote.marketCap / revenue, 3),
    PriceToBookRatio: dec(quote.marketCap / equity, 3),
    EVToRevenue: dec(enterpriseValue / revenue, 3),
    EVToEBITDA: dec(enterpriseValue / ebitda, 2),
    Beta: dec(company.beta, 3),
    '52WeekHigh': dec(quote.yearHigh, 2),
    '52WeekLow': dec(quote.yearLow, 2),
    '50DayMovingAverage': dec(quote.priceAvg50, 2),
    '200DayMovingAverage': dec(quote.priceAvg200, 2),
    SharesOutstanding: int(shares),
    DividendDate: dividend ? isoDay(exDividendDay + 14) : NONE,
    ExDividendDate: dividend ? isoDay(exDividendDay) : NONE,
  };
}
