import { withinPlanReach } from '../cache/series.js';
import type { DataType } from '../model/data-types.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { AlphaVantageEntitlement } from '../providers/alpha-vantage/entitlement.js';
import type { ProviderPlan } from '../providers/provider.js';
import { ENDPOINTS, inPriorityOrder, quoteEndpoints } from '../providers/registry.js';
import { scoreCompanyProfile } from '../quality/company-profile.js';
import { scoreCorporateActions } from '../quality/corporate-actions.js';
import { scoreDailySeries } from '../quality/daily-bars.js';
import { scoreStatements } from '../quality/financial-statements.js';
import { scoreQuote } from '../quality/quote.js';
import { scoreSearchResult } from '../quality/search-result.js';
import type { DataSources } from './market-data-service.js';

/** What picks each data type's providers: the operator's order and plans (the layer's configuration). */
export interface ProviderSelection {
  providerOrder: Readonly<Record<DataType, readonly ProviderId[]>>;
  providerPlans: Readonly<Record<ProviderId, ProviderPlan>>;
  /** The US data a premium Alpha Vantage key asks `GLOBAL_QUOTE` for; `null`: the default data. */
  alphaVantageEntitlement: AlphaVantageEntitlement | null;
}

/** Each data type's providers in the configured order and plans, with its quality scorer. */
export function dataSources(config: ProviderSelection): DataSources {
  const { providerOrder: order, providerPlans: plans } = config;
  return {
    quote: {
      // Premium US data (`entitlement=`) is asked for only on a paid plan: a free key is refused it.
      endpoints: inPriorityOrder(
        quoteEndpoints(plans['alpha-vantage'] === 'paid' ? config.alphaVantageEntitlement : null),
        order.quote,
        plans,
      ),
      score: (value, now) => scoreQuote(value, { now }),
    },
    daily_history: {
      // Each endpoint is asked only what its plan reaches, and its answer records the range its bars
      // cover: the cache slices any range within it.
      endpoints: inPriorityOrder(ENDPOINTS.daily_history, order.daily_history, plans).map((endpoint) =>
        withinPlanReach(endpoint, plans[endpoint.provider]),
      ),
      score: (value, now) => scoreDailySeries(value, { now }),
    },
    financials: {
      endpoints: inPriorityOrder(ENDPOINTS.financials, order.financials, plans),
      score: (value) => scoreStatements(value),
    },
    company: {
      endpoints: inPriorityOrder(ENDPOINTS.company, order.company, plans),
      score: (value) => scoreCompanyProfile(value),
    },
    search: {
      endpoints: inPriorityOrder(ENDPOINTS.search, order.search, plans),
      score: (value) => scoreSearchResult(value),
      emptyWhenUnknown: ({ query }) => ({ query, matches: [] }),
    },
    corporate_actions: {
      // Asked as two parts, `{ symbol, kind: 'splits' | 'dividends' }`: each endpoint serves one kind.
      endpoints: inPriorityOrder(ENDPOINTS.corporate_actions, order.corporate_actions, plans),
      score: (value, now) => scoreCorporateActions(value, { now }),
    },
  };
}
