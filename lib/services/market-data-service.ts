import type { CachePolicy, DataType } from '../cache/cache-policy.js';
import type { CachedEntry, DataCache } from '../cache/data-cache.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import type { Quote } from '../model/quote.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { ProviderEndpoint, ProviderFailure } from '../providers/provider.js';
import type { ProviderId } from '../providers/provider-ids.js';
import type { ProviderAttempt, ProviderManager } from '../providers/provider-manager.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';

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

/** When neither a provider nor a breaker gives a reason to wait longer, clients come back after this. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export interface MarketDataServiceDeps {
  cache: DataCache;
  providers: ProviderManager;
  breaker: CircuitBreaker;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  cachePolicy: Record<DataType, CachePolicy>;
  negativeCacheSeconds: number;
  quoteEndpoints: readonly ProviderEndpoint<{ symbol: string }, Quote>[];
}

/**
 * The layer's service: a fresh cache entry answers at once; otherwise the providers, in order; when
 * every provider fails, the last good value within its stale window, marked stale; else 503 (or 404
 * when every provider asked says the symbol does not exist). Only validated data is cached.
 */
export class MarketDataService {
  constructor(private readonly deps: MarketDataServiceDeps) {}

  /** The latest quote of a symbol (already validated and upper-cased), within `deadline` (epoch ms). */
  getQuote(symbol: string, deadline: number): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', symbol, this.deps.quoteEndpoints, { symbol }, deadline);
  }

  private async lookup<Query, Value>(
    dataType: DataType,
    cacheKey: string,
    endpoints: readonly ProviderEndpoint<Query, Value>[],
    query: Query,
    deadline: number,
  ): Promise<DataAnswer<Value>> {
    const cached = await this.tolerate(
      dataType,
      'read',
      () => this.deps.cache.lookup<Value>(dataType, cacheKey),
      {
        kind: 'none' as const,
      },
    );
    if (cached.kind === 'not_found') {
      this.deps.metrics.cacheLookup(dataType, 'hit');
      throw new SymbolNotFoundError(cacheKey);
    }
    if (cached.kind === 'value' && cached.entry.fresh) {
      this.deps.metrics.cacheLookup(dataType, 'hit');
      return fromCache(cached.entry, { stale: false, attempts: [] });
    }
    this.deps.metrics.cacheLookup(dataType, 'miss');

    const result = await this.deps.providers.fetch(endpoints, query, deadline);
    if (result.ok) {
      const source = { provider: result.provider, fetchedAt: result.fetchedAt };
      const policy = this.deps.cachePolicy[dataType];
      await this.tolerate(
        dataType,
        'write',
        () => this.deps.cache.write(dataType, cacheKey, result.value, source, policy),
        undefined,
      );
      const { value, provider, fetchedAt, attempts } = result;
      return {
        data: value,
        meta: {
          provider,
          cache: 'miss',
          stale: false,
          fetchedAt: fetchedAt.toISOString(),
          ageSeconds: 0,
          attempts,
        },
      };
    }

    const asked = result.attempts.filter((attempt) => attempt.calls > 0);
    if (asked.length > 0 && asked.every((attempt) => attempt.outcome === 'unknown_symbol')) {
      const seconds = this.deps.negativeCacheSeconds;
      await this.tolerate(
        dataType,
        'write',
        () => this.deps.cache.rememberNotFound(dataType, cacheKey, seconds),
        undefined,
      );
      throw new SymbolNotFoundError(cacheKey);
    }
    if (cached.kind === 'value') {
      this.deps.metrics.cacheLookup(dataType, 'stale');
      return fromCache(cached.entry, { stale: true, attempts: result.attempts });
    }
    throw new ProvidersUnavailableError(
      'no provider could answer',
      await this.retryAfterSeconds(
        endpoints.map((e) => e.provider),
        result.failures,
      ),
    );
  }

  /**
   * The cache is an optimization: when DynamoDB fails, requests still go to the providers. The fault
   * is counted and logged, and the request goes on as a miss (read) or uncached (write).
   */
  private async tolerate<T>(
    dataType: DataType,
    operation: 'read' | 'write',
    run: () => Promise<T>,
    fallback: T,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.deps.metrics.cacheError(dataType, operation);
      this.deps.logger.warn('cache unavailable; going on without it', {
        dataType,
        operation,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return fallback;
    }
  }

  /** The earliest moment worth coming back: a breaker's next probe, or what a provider asked for. */
  private async retryAfterSeconds(providers: ProviderId[], failures: ProviderFailure[]): Promise<number> {
    const waits = failures.flatMap((f) => (f.retryAfterSeconds === undefined ? [] : [f.retryAfterSeconds]));
    const breakerWait = await this.deps.breaker.retryAfterSeconds(providers);
    if (breakerWait !== undefined) waits.push(breakerWait);
    return Math.max(1, Math.ceil(waits.length > 0 ? Math.min(...waits) : DEFAULT_RETRY_AFTER_SECONDS));
  }
}

function fromCache<T>(
  entry: CachedEntry<T>,
  extra: { stale: boolean; attempts: ProviderAttempt[] },
): DataAnswer<T> {
  const { value, provider, fetchedAt, ageSeconds } = entry;
  return { data: value, meta: { provider, cache: 'hit', fetchedAt, ageSeconds, ...extra } };
}
