import type { CachePolicy, DataType } from '../cache/cache-policy.js';
import type { DataCache } from '../cache/data-cache.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import type { Quote } from '../model/quote.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { ProviderEndpoint } from '../providers/provider.js';
import type { ProviderId } from '../providers/provider-ids.js';
import type { ProviderAttempt, ProviderManager } from '../providers/provider-manager.js';

/** What every data endpoint answers: the data, and where it came from. */
export interface DataAnswer<T> {
  data: T;
  meta: {
    provider: ProviderId;
    cache: 'hit' | 'miss';
    stale: boolean;
    fetchedAt: string;
    ageSeconds: number;
    attempts: ProviderAttempt[];
  };
}

/** When no provider gives a reason to wait longer, clients are told to come back after this. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export interface MarketDataServiceDeps {
  cache: DataCache;
  providers: ProviderManager;
  metrics: DataLayerMetrics;
  cachePolicy: Record<DataType, CachePolicy>;
  quoteEndpoints: readonly ProviderEndpoint<{ symbol: string }, Quote>[];
}

/** The layer's service: cache first, then the providers, and only validated data into the cache. */
export class MarketDataService {
  constructor(private readonly deps: MarketDataServiceDeps) {}

  /** The latest quote of a symbol (already validated and upper-cased). */
  getQuote(symbol: string): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', symbol, this.deps.quoteEndpoints, { symbol });
  }

  private async lookup<Query, Value>(
    dataType: DataType,
    cacheKey: string,
    endpoints: readonly ProviderEndpoint<Query, Value>[],
    query: Query,
  ): Promise<DataAnswer<Value>> {
    const cached = await this.deps.cache.read<Value>(dataType, cacheKey);
    if (cached?.fresh) {
      this.deps.metrics.cacheLookup(dataType, 'hit');
      const { value, provider, fetchedAt, ageSeconds } = cached;
      return {
        data: value,
        meta: { provider, cache: 'hit', stale: false, fetchedAt, ageSeconds, attempts: [] },
      };
    }
    this.deps.metrics.cacheLookup(dataType, 'miss');

    const result = await this.deps.providers.fetch(endpoints, query);
    if (!result.ok) {
      if (result.failures.length > 0 && result.failures.every((f) => f.kind === 'unknown_symbol')) {
        throw new SymbolNotFoundError(cacheKey);
      }
      const waits = result.failures.flatMap((f) =>
        f.retryAfterSeconds === undefined ? [] : [f.retryAfterSeconds],
      );
      const retryAfter = waits.length > 0 ? Math.min(...waits) : DEFAULT_RETRY_AFTER_SECONDS;
      throw new ProvidersUnavailableError('no provider could answer', Math.max(1, retryAfter));
    }

    await this.deps.cache.write(
      dataType,
      cacheKey,
      result.value,
      { provider: result.provider, fetchedAt: result.fetchedAt },
      this.deps.cachePolicy[dataType],
    );
    return {
      data: result.value,
      meta: {
        provider: result.provider,
        cache: 'miss',
        stale: false,
        fetchedAt: result.fetchedAt.toISOString(),
        ageSeconds: 0,
        attempts: result.attempts,
      },
    };
  }
}
