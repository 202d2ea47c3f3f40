import type { CompanyProfile } from '../model/company-profile.js';
import type { CorporateActions, CorporateActionsQuery } from '../model/corporate-actions.js';
import type { DataType } from '../model/data-types.js';
import type { FinancialStatements, StatementsQuery } from '../model/financial-statements.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { Quote } from '../model/quote.js';
import type { SearchResult } from '../model/search-result.js';
import { alphaVantageCorporateActions } from './alpha-vantage/corporate-actions.js';
import type { AlphaVantageEntitlement } from './alpha-vantage/entitlement.js';
import { alphaVantageGlobalQuote, alphaVantageGlobalQuoteWith } from './alpha-vantage/global-quote.js';
import { alphaVantageOverview } from './alpha-vantage/overview.js';
import { alphaVantageStatements } from './alpha-vantage/statements.js';
import { alphaVantageSymbolSearch } from './alpha-vantage/symbol-search.js';
import { alphaVantageDailySeries } from './alpha-vantage/time-series-daily.js';
import { finnhubCandles } from './finnhub/candles.js';
import { finnhubCorporateActions } from './finnhub/corporate-actions.js';
import { finnhubProfile } from './finnhub/profile.js';
import { finnhubQuote } from './finnhub/quote.js';
import { finnhubSearch } from './finnhub/search.js';
import { fmpBatchQuote } from './fmp/batch-quote.js';
import { fmpCorporateActions } from './fmp/corporate-actions.js';
import { fmpHistoricalPrices } from './fmp/historical-prices.js';
import { fmpProfile } from './fmp/profile.js';
import { fmpQuote } from './fmp/quote.js';
import { fmpSearch } from './fmp/search.js';
import { fmpStatements } from './fmp/statements.js';
import { polygonCorporateActions } from './polygon/corporate-actions.js';
import { polygonDailyBars } from './polygon/daily-bars.js';
import { polygonPreviousClose } from './polygon/previous-close.js';
import { polygonSearch } from './polygon/search.js';
import { polygonTickerDetails } from './polygon/ticker-details.js';
import type { BatchQuoteEndpoint, HistoryEndpoint, ProviderEndpoint, ProviderPlan } from './provider.js';
import { twelveDataBatchQuote } from './twelve-data/batch-quote.js';
import { twelveDataCorporateActions } from './twelve-data/corporate-actions.js';
import { twelveDataIncomeStatement } from './twelve-data/income-statement.js';
import { twelveDataProfile } from './twelve-data/profile.js';
import { twelveDataQuote } from './twelve-data/quote.js';
import { twelveDataSearch } from './twelve-data/search.js';
import { twelveDataTimeSeries } from './twelve-data/time-series.js';

type Registry<Query, Value> = Partial<Record<ProviderId, ProviderEndpoint<Query, Value>>>;

/**
 * Every provider endpoint, by data type. A new provider (or an operator's custom one) registers its
 * adapters here: one line per data type it serves.
 */
export const ENDPOINTS: {
  quote: Registry<{ symbol: string }, Quote>;
  daily_history: Partial<Record<ProviderId, HistoryEndpoint>>;
  financials: Registry<StatementsQuery, FinancialStatements>;
  company: Registry<{ symbol: string }, CompanyProfile>;
  search: Registry<{ query: string }, SearchResult>;
  /** One endpoint a provider for both kinds: it asks the splits or the dividends path by `query.kind`. */
  corporate_actions: Registry<CorporateActionsQuery, CorporateActions>;
} = {
  quote: {
    'alpha-vantage': alphaVantageGlobalQuote,
    fmp: fmpQuote,
    finnhub: finnhubQuote,
    'twelve-data': twelveDataQuote,
    polygon: polygonPreviousClose,
  },
  daily_history: {
    'alpha-vantage': alphaVantageDailySeries,
    fmp: fmpHistoricalPrices,
    finnhub: finnhubCandles,
    'twelve-data': twelveDataTimeSeries,
    polygon: polygonDailyBars,
  },
  financials: {
    'alpha-vantage': alphaVantageStatements,
    fmp: fmpStatements,
    'twelve-data': twelveDataIncomeStatement,
  },
  company: {
    'alpha-vantage': alphaVantageOverview,
    fmp: fmpProfile,
    finnhub: finnhubProfile,
    'twelve-data': twelveDataProfile,
    polygon: polygonTickerDetails,
  },
  search: {
    'alpha-vantage': alphaVantageSymbolSearch,
    fmp: fmpSearch,
    finnhub: finnhubSearch,
    'twelve-data': twelveDataSearch,
    polygon: polygonSearch,
  },
  corporate_actions: {
    polygon: polygonCorporateActions,
    fmp: fmpCorporateActions,
    'alpha-vantage': alphaVantageCorporateActions,
    finnhub: finnhubCorporateActions,
    'twelve-data': twelveDataCorporateActions,
  },
} satisfies Record<DataType, unknown>;

/**
 * The quote endpoints as the operator's plans have them: Alpha Vantage's `GLOBAL_QUOTE` asks for the
 * premium US data the key is entitled to (`delayed` or `realtime`), or for the default data (`null`).
 */
export function quoteEndpoints(
  alphaVantageEntitlement: AlphaVantageEntitlement | null,
): typeof ENDPOINTS.quote {
  if (alphaVantageEntitlement === null) return ENDPOINTS.quote;
  return { ...ENDPOINTS.quote, 'alpha-vantage': alphaVantageGlobalQuoteWith(alphaVantageEntitlement) };
}

/**
 * The endpoints of `registry` in the configured priority order, leaving out providers that do not
 * serve the data type and endpoints that need a paid plan the operator does not have.
 */
export function inPriorityOrder<Endpoint extends { readonly plan?: ProviderPlan }>(
  registry: Partial<Record<ProviderId, Endpoint>>,
  order: readonly ProviderId[],
  plans: Readonly<Record<ProviderId, ProviderPlan>>,
): Endpoint[] {
  return order.flatMap((provider) => {
    const endpoint = registry[provider];
    if (!endpoint) return [];
    return endpoint.plan === 'paid' && plans[provider] !== 'paid' ? [] : [endpoint];
  });
}

/** Providers' multi-symbol quote endpoints, for batch prices. */
export const BATCH_QUOTE_ENDPOINTS: Partial<Record<ProviderId, BatchQuoteEndpoint<Quote>>> = {
  fmp: fmpBatchQuote,
  'twelve-data': twelveDataBatchQuote,
};

/**
 * The multi-symbol endpoints worth using, in quote priority order: only on a paid plan. On free plans
 * they are either closed (FMP) or charge a credit per symbol against a tiny budget (Twelve Data: 8 a
 * minute), so one call per symbol through the key budgets is no worse and keeps fallback per symbol.
 */
export function batchEndpointsInOrder(
  order: readonly ProviderId[],
  plans: Readonly<Record<ProviderId, ProviderPlan>>,
): BatchQuoteEndpoint<Quote>[] {
  return order.flatMap((provider) => {
    const endpoint = BATCH_QUOTE_ENDPOINTS[provider];
    return endpoint && plans[provider] === 'paid' ? [endpoint] : [];
  });
}
