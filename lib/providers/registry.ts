import type { Quote } from '../model/quote.js';
import { alphaVantageGlobalQuote } from './alpha-vantage/global-quote.js';
import { fmpQuote } from './fmp/quote.js';
import type { ProviderEndpoint } from './provider.js';
import type { ProviderId } from './provider-ids.js';

type Registry<Query, Value> = Partial<Record<ProviderId, ProviderEndpoint<Query, Value>>>;

/** Every provider endpoint that serves quotes. A new provider registers its adapter here. */
export const QUOTE_ENDPOINTS: Registry<{ symbol: string }, Quote> = {
  'alpha-vantage': alphaVantageGlobalQuote,
  fmp: fmpQuote,
};

/** The endpoints of `registry` in the configured priority order; providers that do not serve it are left out. */
export function inPriorityOrder<Query, Value>(
  registry: Registry<Query, Value>,
  order: readonly ProviderId[],
): ProviderEndpoint<Query, Value>[] {
  return order.flatMap((provider) => {
    const endpoint = registry[provider];
    return endpoint ? [endpoint] : [];
  });
}
