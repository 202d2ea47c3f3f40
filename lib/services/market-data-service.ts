import type { CachePolicy, DataType } from '../cache/cache-policy.js';
import type { CachedEntry, CacheLookup, DataCache } from '../cache/data-cache.js';
import { nextMarketClose } from '../cache/market-close.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import type { CompanyProfile } from '../model/company-profile.js';
import type { DailySeries, HistoryQuery } from '../model/daily-bars.js';
import type { FinancialStatements, StatementsQuery } from '../model/financial-statements.js';
import type { Quote } from '../model/quote.js';
import type { SearchResult } from '../model/search-result.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { ProviderEndpoint, ProviderFailure } from '../providers/provider.js';
import type { ProviderId } from '../providers/provider-ids.js';
import type { ProviderAttempt, ProviderChainResult, ProviderManager } from '../providers/provider-manager.js';
import type { QualityReport } from '../quality/report.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';

/** What every data endpoint answers: the data, where it came from, and how far to trust it. */
export interface DataAnswer<T> {
  data: T;
  meta: {
    provider: ProviderId;
    cache: 'hit' | 'miss';
    stale: boolean;
    fetchedAt: string;
    ageSeconds: number;
    /** Whole seconds the data stays fresh from now (0 when stale): the answer's `Cache-Control` max-age. */
    freshForSeconds: number;
    attempts: ProviderAttempt[];
    quality: QualityReport | null;
  };
}

/** One kind of data: who serves it, in priority order, and how an answer is scored. */
export interface DataSource<Query, Value> {
  endpoints: readonly ProviderEndpoint<Query, Value>[];
  score: (value: Value, now: Date) => QualityReport;
  /** For data where "nothing found" is an answer (search): the empty value served instead of a 404. */
  emptyWhenUnknown?: (query: Query) => Value;
}

export interface DataSources {
  quote: DataSource<{ symbol: string }, Quote>;
  daily_history: DataSource<HistoryQuery, DailySeries>;
  financials: DataSource<StatementsQuery, FinancialStatements>;
  company: DataSource<{ symbol: string }, CompanyProfile>;
  search: DataSource<{ query: string }, SearchResult>;
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
  sources: DataSources;
  now: () => Date;
}

/**
 * The layer's service: a fresh cache entry answers at once; otherwise the providers, in order, until
 * one answers with data that validates and scores above the quality floor; when every provider fails,
 * the last good value within its stale window, marked stale; else 503 (or 404 when every provider
 * asked says the symbol does not exist). Only validated, servable data is cached.
 */
export class MarketDataService {
  constructor(private readonly deps: MarketDataServiceDeps) {}

  /** The latest quote of a symbol (already validated and upper-cased), within `deadline` (epoch ms). */
  getQuote(symbol: string, deadline: number): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', symbol, { symbol }, deadline);
  }

  /**
   * Daily bars in [from, to]; fresh until the next market close, when a new bar can appear (or for
   * `CACHE_TTL_DAILY_HISTORY_SECONDS`, when that is sooner).
   */
  getDailyHistory(query: HistoryQuery, deadline: number): Promise<DataAnswer<DailySeries>> {
    const untilClose = Math.ceil((nextMarketClose(this.deps.now()) - this.deps.now().getTime()) / 1000);
    const freshSeconds = Math.max(60, Math.min(untilClose, this.deps.cachePolicy.daily_history.freshSeconds));
    return this.lookup('daily_history', `${query.symbol}#${query.from}#${query.to}`, query, deadline, {
      freshSeconds,
    });
  }

  getStatements(query: StatementsQuery, deadline: number): Promise<DataAnswer<FinancialStatements>> {
    return this.lookup('financials', `${query.symbol}#${query.statement}#${query.period}`, query, deadline);
  }

  getCompany(symbol: string, deadline: number): Promise<DataAnswer<CompanyProfile>> {
    return this.lookup('company', symbol, { symbol }, deadline);
  }

  /** Symbol search; `query` is already trimmed and bounded. */
  search(query: string, deadline: number): Promise<DataAnswer<SearchResult>> {
    return this.lookup('search', query.toLowerCase(), { query }, deadline);
  }

  /**
   * Answers one request from what the cache already holds (for batches, which read the cache for
   * every symbol in one round first); `null` when the entry is not fresh.
   */
  fromFreshEntry<T>(dataType: DataType, found: CacheLookup<T>, key: string): DataAnswer<T> | null {
    if (found.kind === 'not_found') throw new SymbolNotFoundError(key);
    if (found.kind !== 'value' || !found.entry.fresh) return null;
    this.deps.metrics.cacheLookup(dataType, 'hit');
    return fromCache(found.entry, { stale: false, attempts: [] });
  }

  private async lookup<K extends keyof DataSources>(
    dataType: K,
    cacheKey: string,
    query: SourceQuery<K>,
    deadline: number,
    policyOverride: Partial<CachePolicy> = {},
    cachedAlready?: CacheLookup<SourceValue<K>>,
  ): Promise<DataAnswer<SourceValue<K>>> {
    const cached =
      cachedAlready ??
      (await this.tolerate(
        dataType,
        'read',
        () => this.deps.cache.lookup<SourceValue<K>>(dataType, cacheKey),
        {
          kind: 'none' as const,
        },
      ));
    const fresh = this.fromFreshEntry(dataType, cached, cacheKey);
    if (fresh) return fresh;
    this.deps.metrics.cacheLookup(dataType, 'miss');

    const source = this.deps.sources[dataType] as unknown as DataSource<SourceQuery<K>, SourceValue<K>>;
    let result = await this.deps.providers.fetch(source.endpoints, query, deadline, (value) =>
      source.score(value, this.deps.now()),
    );
    if (!result.ok && source.emptyWhenUnknown && saysUnknownSymbol(result.attempts)) {
      const value = source.emptyWhenUnknown(query);
      const provider =
        result.attempts.find((attempt) => attempt.calls > 0)?.provider ?? result.attempts[0]?.provider;
      if (provider) {
        const quality = source.score(value, this.deps.now());
        result = {
          ok: true,
          value,
          provider,
          fetchedAt: this.deps.now(),
          attempts: result.attempts,
          quality,
        };
      }
    }
    if (result.ok) {
      const { value, provider, fetchedAt, attempts, quality } = result;
      const policy = { ...this.deps.cachePolicy[dataType], ...policyOverride };
      await this.tolerate(
        dataType,
        'write',
        () => this.deps.cache.write(dataType, cacheKey, value, { provider, fetchedAt, quality }, policy),
        undefined,
      );
      return {
        data: value,
        meta: {
          provider,
          cache: 'miss',
          stale: false,
          fetchedAt: fetchedAt.toISOString(),
          ageSeconds: 0,
          freshForSeconds: policy.freshSeconds,
          attempts,
          quality,
        },
      };
    }
    return this.whenEveryProviderFailed(dataType, cacheKey, cached, result, source.endpoints);
  }

  /** Batches reuse the single-symbol path for their misses, with the cache already read. */
  quoteAfterCacheRead(
    symbol: string,
    cached: CacheLookup<Quote>,
    deadline: number,
  ): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', symbol, { symbol }, deadline, {}, cached);
  }

  private async whenEveryProviderFailed<T>(
    dataType: DataType,
    cacheKey: string,
    cached: CacheLookup<T>,
    result: Extract<ProviderChainResult<unknown>, { ok: false }>,
    endpoints: readonly { provider: ProviderId }[],
  ): Promise<DataAnswer<T>> {
    if (saysUnknownSymbol(result.attempts)) {
      const seconds = this.deps.negativeCacheSeconds;
      await this.tolerate(
        dataType,
        'write',
        () => this.deps.cache.rememberNotFound(dataType, cacheKey, seconds),
        undefined,
      );
      throw new SymbolNotFoundError(cacheKey.split('#')[0] ?? cacheKey);
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

type SourceQuery<K extends keyof DataSources> = Parameters<
  DataSources[K]['endpoints'][number]['buildRequest']
>[0];
type SourceValue<K extends keyof DataSources> = Parameters<DataSources[K]['score']>[0];

/**
 * Whether "no such symbol" is the answer, not a gap: every provider that was asked said so, and they
 * were either two or more, or all there are (none skipped for an open breaker or a spent key). One
 * provider's "unknown" while the others were not asked could be its coverage, or a misconfigured URL
 * answering 404: that is a 503, not a 404 remembered for ten minutes.
 */
function saysUnknownSymbol(attempts: readonly ProviderAttempt[]): boolean {
  const asked = attempts.filter((attempt) => attempt.calls > 0);
  if (asked.length === 0 || !asked.every((attempt) => attempt.outcome === 'unknown_symbol')) return false;
  return asked.length >= 2 || asked.length === attempts.length;
}

function fromCache<T>(
  entry: CachedEntry<T>,
  extra: { stale: boolean; attempts: ProviderAttempt[] },
): DataAnswer<T> {
  const { value, provider, fetchedAt, ageSeconds, freshForSeconds, quality } = entry;
  return {
    data: value,
    meta: { provider, cache: 'hit', fetchedAt, ageSeconds, freshForSeconds, quality, ...extra },
  };
}
