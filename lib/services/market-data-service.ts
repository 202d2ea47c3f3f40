import type { CachePolicy } from '../cache/cache-policy.js';
import { type CacheReader, cacheFault } from '../cache/cache-reader.js';
import type { CachedEntry, CacheLookup, DataCache } from '../cache/data-cache.js';
import type { CacheFillCoordinator, FillClaim, Filled } from '../cache/fill-coordinator.js';
import { staleHandling } from '../cache/fill-lease-state.js';
import { nextMarketClose } from '../cache/market-close.js';
import {
  type CoveredSeries,
  reachesBack,
  type SeriesFetchQuery,
  seriesFetchQuery,
  seriesLookupFor,
  sliceSeries,
  withoutCoverage,
} from '../cache/series.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import type { CompanyProfile } from '../model/company-profile.js';
import type { CorporateActions, CorporateActionsQuery } from '../model/corporate-actions.js';
import type { DailySeries, HistoryQuery } from '../model/daily-bars.js';
import type { DataType } from '../model/data-types.js';
import type { FinancialStatements, StatementsQuery } from '../model/financial-statements.js';
import { type Adjustment, type AdjustmentMeta, DEFAULT_ADJUSTMENT } from '../model/price-basis.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { Quote } from '../model/quote.js';
import type { SearchResult } from '../model/search-result.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { PriceActions } from '../prices/adjust.js';
import { actionsCheck, presentSeries } from '../prices/present.js';
import type { ProviderEndpoint, ProviderFailure } from '../providers/provider.js';
import type { ProviderAttempt, ProviderChainResult, ProviderManager } from '../providers/provider-manager.js';
import { AGREEMENT_CHECK_ID, type Sighting } from '../quality/agreement.js';
import { type QualityReport, reportOf } from '../quality/report.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { providerWorkEnd, workDueBy } from '../resilience/request-end.js';
import type { AgreementReview } from './agreement-review.js';
import {
  type CorporateActionKind,
  corporateActionsKey,
  mergeCorporateActions,
} from './corporate-actions-answer.js';

/** What every data endpoint answers: the data, where it came from, and how far to trust it. */
export interface DataAnswer<T> {
  data: T;
  meta: {
    provider: ProviderId;
    /** An answer made of parts each fetched apart (corporate actions): each part's provider. */
    providers?: Record<CorporateActionKind, ProviderId>;
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

/** Each data type's query and value. */
interface DataKinds {
  quote: { query: { symbol: string }; value: Quote };
  daily_history: { query: SeriesFetchQuery; value: CoveredSeries };
  financials: { query: StatementsQuery; value: FinancialStatements };
  company: { query: { symbol: string }; value: CompanyProfile };
  search: { query: { query: string }; value: SearchResult };
  corporate_actions: { query: CorporateActionsQuery; value: CorporateActions };
}

/**
 * Every data type's source. A mapped type, so `sources[dataType]` of a generic data type is that
 * type's `DataSource` without a cast.
 */
export type DataSources = {
  [K in keyof DataKinds]: DataSource<DataKinds[K]['query'], DataKinds[K]['value']>;
};

/** When neither a provider nor a breaker gives a reason to wait longer, clients come back after this. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export interface MarketDataServiceDeps {
  /** Where fetched values are written (and unknown symbols remembered). */
  cache: Pick<DataCache, 'write' | 'rememberNotFound'>;
  /** How a request reads the cache: a fault is counted and goes on with what memory holds. */
  reader: Pick<CacheReader, 'read' | 'readMany'>;
  providers: Pick<ProviderManager, 'fetch'>;
  /** Read for a 503's `Retry-After` (a breaker's next probe). */
  breaker: Pick<CircuitBreaker, 'retryAfterSeconds'>;
  metrics: Pick<DataLayerMetrics, 'cacheLookup' | 'cacheError'>;
  logger: DomainLogger;
  cachePolicy: Record<DataType, CachePolicy>;
  /** How far past fresh a value is answered at once while one request refreshes it (RFC 5861). */
  staleWhileRevalidateSeconds: Record<DataType, number>;
  /** One provider call per missing key, fleet-wide; one refresh per value in its soft window. */
  fills: Pick<CacheFillCoordinator, 'isFilling' | 'share' | 'join' | 'turn' | 'refreshTurn' | 'finish'>;
  negativeCacheSeconds: number;
  sources: DataSources;
  /** Compares a fill with another provider's value (cached, or an audit's); none in some unit tests. */
  agreement?: AgreementReview;
  now: () => Date;
}

/**
 * The layer's service: a fresh cache entry answers at once; otherwise the providers, in order, until
 * one answers with data that validates and scores above the quality floor; when every provider fails,
 * the last good value within its stale window, marked stale; else 503 (or 404 when every provider
 * asked says the symbol does not exist). Only validated, servable data is cached. A miss makes one
 * provider call fleet-wide (the others wait for it); a value just past fresh is answered at once,
 * marked stale, while one request refreshes it (see `CacheFillCoordinator`).
 */
export class MarketDataService {
  constructor(private readonly deps: MarketDataServiceDeps) {}

  /** The latest quote of a symbol (already validated and upper-cased), within the request's time (`runUntil`). */
  getQuote(symbol: string): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', { key: symbol, symbol, query: { symbol } });
  }

  /**
   * Daily bars in [from, to], sliced from the symbol's one cached series whatever range is asked
   * (`lib/cache/series.ts`); fresh until the next market close, when a new bar can appear (or for
   * `CACHE_TTL_DAILY_HISTORY_SECONDS`, when that is sooner). A miss, or a range the cached series
   * does not reach back to, fetches the series once, at least two years deep and up to today, and
   * replaces it. `meta` is the series': a slice of a cached series is a hit with its `fetchedAt`; its
   * quality is the slice's, scored as at that time.
   *
   * One price basis whatever the provider: the symbol's corporate actions are read alongside the
   * series; a fetch carries them to its conversion to as traded (the series is cached so), and the
   * answer is adjusted to `adjustment` (default `splits`) with them, so a split learned after the
   * series was cached re-adjusts it without a new history call. When the actions cannot be had, the
   * ones stored with the series serve, and `meta.adjustment` and a quality check say so.
   */
  async getDailyHistory(query: HistoryQuery & { adjustment?: Adjustment }): Promise<DailyHistoryAnswer> {
    const now = this.deps.now();
    const untilClose = Math.ceil((nextMarketClose(now) - now.getTime()) / 1000);
    const freshSeconds = Math.max(60, Math.min(untilClose, this.deps.cachePolicy.daily_history.freshSeconds));
    const [cached, current] = await Promise.all([
      this.deps.reader.read<CoveredSeries>('daily_history', query.symbol),
      this.currentActions(query.symbol, now.getTime() + Math.max(0, providerWorkEnd() - now.getTime()) / 3),
    ]);
    const known = current ?? (cached.kind === 'value' ? cached.entry.value.asTraded : undefined);
    const fetchQuery = seriesFetchQuery(query, cached, now, known);
    const fetchSeries = (found: CacheLookup<CoveredSeries>) =>
      this.lookup('daily_history', {
        key: query.symbol,
        symbol: query.symbol,
        query: fetchQuery,
        policy: { freshSeconds },
        cached: found,
        // A series another request just cached serves this one only if it reaches back far enough.
        accepts: (series) => reachesBack(series, query),
      });
    let answer = await fetchSeries(seriesLookupFor(cached, query));
    if (!reachesBack(answer.data, query) && answer.meta.cache === 'hit') {
      // A series another request fetched, shallower (a wait for a concurrent fetch of the same
      // symbol): it cannot serve this range, so ask once more for the deeper one.
      answer = await fetchSeries({ kind: 'none' });
    }
    if (!reachesBack(answer.data, query) && answer.meta.cache === 'hit') {
      throw new ProvidersUnavailableError(
        'no series reaching back to the range',
        DEFAULT_RETRY_AFTER_SECONDS,
      );
    }
    // A series fetched for this very range that starts later than asked is all the providers' plans
    // hold (a listing inside the range, or history past every plan's reach): answered as it is.
    const slice = sliceSeries(answer.data, query);
    const scored = this.sliceScore(slice, answer);
    const today = now.toISOString().slice(0, 10);
    const basis = presentSeries(answer.data, query, query.adjustment ?? DEFAULT_ADJUSTMENT, current, today);
    const sliceQuality = reportOf([...scored.checks, actionsCheck(basis.adjustment)]);
    // The series' comparisons with other providers (made when it was fetched) hold for every slice.
    const quality = this.deps.agreement?.carryOver(sliceQuality, answer.meta.quality) ?? sliceQuality;
    const data = { ...withoutCoverage(slice), bars: basis.bars };
    return { data, meta: { ...answer.meta, quality, adjustment: basis.adjustment } };
  }

  /**
   * A slice's own checks, scored as at the series' fetch. The series was scored when it was fetched
   * (its report is cached with it): a slice holding every bar of it takes those checks rather than
   * scoring the same bars a second time; a narrower slice is scored on its own bars.
   */
  private sliceScore(slice: CoveredSeries, series: DataAnswer<CoveredSeries>): QualityReport {
    const { quality, fetchedAt } = series.meta;
    if (quality && slice.bars.length === series.data.bars.length) {
      return reportOf(quality.checks.filter((check) => check.id !== AGREEMENT_CHECK_ID));
    }
    return this.deps.sources.daily_history.score(slice, new Date(fetchedAt));
  }

  /**
   * The symbol's corporate actions as the layer knows them now, due by `actionsEnd` (a share of the
   * request's, so the series still has time), or `null` when they cannot be had: an answer is never
   * refused for them (the ones stored with the series serve instead).
   */
  private async currentActions(symbol: string, actionsEnd: number): Promise<PriceActions | null> {
    try {
      return (await workDueBy(actionsEnd, () => this.corporateActions(symbol))).data;
    } catch (error) {
      this.deps.logger.warn('corporate actions unavailable; adjusting with those stored with the series', {
        symbol,
        error: error instanceof Error ? error.name : 'unknown',
      });
      return null;
    }
  }

  /**
   * One statement of one period type, cached per symbol, statement and period: each provider call
   * answers exactly that (Alpha Vantage's answer also holds the other period, which its adapter
   * drops), so one entry per call keeps each statement with its own provider, time and quality, and
   * two statements fetched at once never overwrite each other.
   */
  getStatements(query: StatementsQuery): Promise<DataAnswer<FinancialStatements>> {
    const key = `${query.symbol}#${query.statement}#${query.period}`;
    return this.lookup('financials', { key, symbol: query.symbol, query });
  }

  getCompany(symbol: string): Promise<DataAnswer<CompanyProfile>> {
    return this.lookup('company', { key: symbol, symbol, query: { symbol } });
  }

  /**
   * A symbol's splits and cash dividends. Providers serve the two on separate endpoints, so each is a
   * part of its own through the same path as every key (cache, fills, breakers, key budgets), cached
   * as `SYMBOL#splits` and `SYMBOL#dividends`, both asked at once; the answer is the two merged
   * (`mergeCorporateActions`). The symbol is unknown (404) when either part's providers all say so;
   * else a part that cannot be served makes the whole a 503: half the actions would adjust prices wrong.
   */
  async getCorporateActions(symbol: string): Promise<DataAnswer<CorporateActions>> {
    const answer = await this.corporateActions(symbol);
    const { splits, dividends } = answer.data;
    if (splits.length === 0 && dividends.length === 0) await this.confirmListed(symbol);
    return answer;
  }

  /**
   * FMP, Massive and Finnhub answer a symbol they do not list with empty lists, as they answer one that
   * never split nor paid: "no actions" is a 404 when the company profile's providers say the symbol is
   * unknown (the profile is fresh for a day, so a listed symbol mostly costs a cache read). Any other failure
   * of that lookup leaves the empty answer standing: it never turns a real answer into a 503.
   */
  private async confirmListed(symbol: string): Promise<void> {
    try {
      await this.getCompany(symbol);
    } catch (error) {
      if (error instanceof SymbolNotFoundError) throw error;
    }
  }

  /** Both parts of a symbol's corporate actions, merged; `getCorporateActions` without the listing check. */
  private async corporateActions(symbol: string): Promise<DataAnswer<CorporateActions>> {
    const part = (kind: CorporateActionKind) =>
      this.lookup('corporate_actions', {
        key: corporateActionsKey(symbol, kind),
        symbol,
        query: { symbol, kind },
      });
    // Both settle before the answer: neither part's fetch is left running past the invocation.
    const [splits, dividends] = await Promise.allSettled([part('splits'), part('dividends')]);
    if (splits.status === 'fulfilled' && dividends.status === 'fulfilled') {
      return mergeCorporateActions(symbol, splits.value, dividends.value);
    }
    const failures = [splits, dividends].flatMap((settled) =>
      settled.status === 'rejected' ? [settled.reason as unknown] : [],
    );
    throw failures.find((reason) => reason instanceof SymbolNotFoundError) ?? failures[0];
  }

  /** Symbol search; `query` is already trimmed and bounded. */
  search(query: string): Promise<DataAnswer<SearchResult>> {
    const key = query.toLowerCase();
    return this.lookup('search', { key, symbol: query, query: { query } });
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

  /**
   * The one path of every key: the cache; on a miss the fill coordinator, which says whether this
   * request fetches or answers another's fill; then the providers, when this request fetches.
   */
  private async lookup<K extends keyof DataSources>(
    dataType: K,
    request: LookupRequest<K>,
  ): Promise<DataAnswer<SourceValue<K>>> {
    const { key } = request;
    const cached = request.cached ?? (await this.deps.reader.read<SourceValue<K>>(dataType, key));
    const fresh = this.fromFreshEntry(dataType, cached, request.symbol);
    if (fresh) return fresh;

    const fills = this.deps.fills;
    if (cached.kind === 'value' && this.withinSoftWindow(dataType, cached.entry)) {
      // Refreshed by one request at a time (here, and fleet-wide): the others answer stale at once.
      if (fills.isFilling(dataType, key)) return this.staleAnswer(dataType, cached.entry);
      const refreshed = fills.share(dataType, key, this.refresh(dataType, request, cached), 'refresh');
      return this.audited(dataType, request, await refreshed);
    }
    this.deps.metrics.cacheLookup(dataType, 'miss');
    const joined = fills.join<Filling<K>>(dataType, key);
    if (joined) {
      const shared = await joined;
      // A joiner answers the fill it shared as it is: only the request that fetched audits it.
      return shared.kind === 'answer'
        ? shared.answer.answer
        : this.withoutFill(dataType, cached, shared.retryAfterSeconds);
    }
    return this.audited(
      dataType,
      request,
      await fills.share(dataType, key, this.fill(dataType, request, cached)),
    );
  }

  /** A key the cache missed, filled by this request or answered from another's fill (see `CacheFillCoordinator`). */
  private async fill<K extends keyof DataSources>(
    dataType: K,
    request: LookupRequest<K>,
    cached: CacheLookup<SourceValue<K>>,
  ): Promise<Filling<K>> {
    const turn = await this.deps.fills.turn(dataType, request.key, request.accepts);
    switch (turn.kind) {
      case 'lead':
        return { answer: await this.fetchUnderLease(dataType, request, cached, turn.claim), fetched: true };
      case 'filled':
        return { answer: filledAnswer(turn.found, request.symbol), fetched: false };
      case 'out_of_time':
        return { answer: this.withoutFill(dataType, cached, turn.retryAfterSeconds), fetched: false };
      case 'no_lease':
        // Without a lease every request in the fleet could call the providers at once: a stale value
        // this request read is the answer, and only a request with none fetches.
        if (cached.kind === 'value') {
          return { answer: this.withoutFill(dataType, cached, DEFAULT_RETRY_AFTER_SECONDS), fetched: false };
        }
        return { answer: (await this.fetchAndStore(dataType, request, cached)).answer, fetched: true };
    }
  }

  /** A value within its soft window: refreshed by this request if it wins the lease, else answered stale. */
  private async refresh<K extends keyof DataSources>(
    dataType: K,
    request: LookupRequest<K>,
    cached: Extract<CacheLookup<SourceValue<K>>, { kind: 'value' }>,
  ): Promise<Filling<K>> {
    const turn = await this.deps.fills.refreshTurn(dataType, request.key, request.accepts);
    switch (turn.kind) {
      case 'refresh':
        this.deps.metrics.cacheLookup(dataType, 'miss');
        return { answer: await this.fetchUnderLease(dataType, request, cached, turn.claim), fetched: true };
      case 'filled':
        return { answer: filledAnswer(turn.found, request.symbol), fetched: false };
      case 'stale':
        return { answer: this.staleAnswer(dataType, cached.entry), fetched: false };
    }
  }

  /** Fetches and caches under the lease this request won, then hands the lease back to the coordinator. */
  private async fetchUnderLease<K extends keyof DataSources>(
    dataType: K,
    request: LookupRequest<K>,
    cached: CacheLookup<SourceValue<K>>,
    claim: FillClaim,
  ): Promise<DataAnswer<SourceValue<K>>> {
    let cachedFreshUntil: number | null = null;
    try {
      const fetched = await this.fetchAndStore(dataType, request, cached);
      // A series cached for one request's range may not reach back as far as a waiter's: its lease is
      // released, so such a waiter fetches its own rather than wait for the lease to lapse.
      if (!request.accepts) cachedFreshUntil = fetched.cachedFreshUntil;
      return fetched.answer;
    } finally {
      await this.deps.fills.finish(dataType, request.key, claim, cachedFreshUntil);
    }
  }

  /** A cached value within its soft window, answered stale at once. */
  private staleAnswer<T>(dataType: DataType, entry: CachedEntry<T>): DataAnswer<T> {
    this.deps.metrics.cacheLookup(dataType, 'stale');
    return fromCache(entry, { stale: true, attempts: [] });
  }

  /**
   * A drawn share of fills also asks a second provider and compares (`AgreementReview.withAudit`):
   * the answer with that comparison's check; the audit's value is never cached or answered.
   */
  private async audited<K extends keyof DataSources>(
    dataType: K,
    { symbol, query }: LookupRequest<K>,
    { answer, fetched }: Filling<K>,
  ): Promise<DataAnswer<SourceValue<K>>> {
    const review = this.deps.agreement;
    // An audit runs once the fill is over (its value cached, its lease handed back), so requests
    // waiting for it are not held while a second provider is asked; only a fetched answer is audited.
    if (!review || !fetched) return answer;
    const { meta } = answer;
    const source: DataSource<SourceQuery<K>, SourceValue<K>> = this.deps.sources[dataType];
    const quality = await review.withAudit(
      dataType,
      symbol,
      {
        provider: meta.provider,
        value: answer.data,
        fetchedAt: Date.parse(meta.fetchedAt),
        quality: meta.quality,
      },
      {
        endpoints: source.endpoints,
        query,
        attempts: meta.attempts,
        score: (value) => source.score(value, this.deps.now()),
      },
    );
    return quality === meta.quality ? answer : { ...answer, meta: { ...meta, quality } };
  }

  /** Asks the providers for a key the cache could not answer, and caches what they say. */
  private async fetchAndStore<K extends keyof DataSources>(
    dataType: K,
    { key, symbol, query, policy: policyOverride }: LookupRequest<K>,
    cached: CacheLookup<SourceValue<K>>,
  ): Promise<Stored<DataAnswer<SourceValue<K>>>> {
    const source: DataSource<SourceQuery<K>, SourceValue<K>> = this.deps.sources[dataType];
    let result = await this.deps.providers.fetch(source.endpoints, query, (value) =>
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
    if (result.ok) return this.cacheFetched(dataType, key, result, policyOverride, { symbol, cached });
    return {
      answer: await this.whenEveryProviderFailed(dataType, { key, symbol }, cached, result, source.endpoints),
      cachedFreshUntil: null,
    };
  }

  /**
   * Caches a value a provider just answered (a cache that cannot be written does not stop the answer)
   * and answers it: the one way a fetched value is stored and its `meta` built, single-symbol or batch.
   * A fill (`fill`) is compared with what the cache held from another provider before it is cached
   * (`AgreementReview`); the audit of a drawn share of fills comes after the fill (`lookup`).
   */
  async storeFetched<K extends keyof DataSources>(
    dataType: K,
    key: string,
    fetched: FetchedValue<SourceValue<K>>,
  ): Promise<DataAnswer<SourceValue<K>>> {
    return (await this.cacheFetched(dataType, key, fetched)).answer;
  }

  /** `storeFetched`, saying until when the value it cached stays fresh (`null`: the write failed). */
  private async cacheFetched<K extends keyof DataSources>(
    dataType: K,
    key: string,
    fetched: FetchedValue<SourceValue<K>>,
    policyOverride?: Partial<CachePolicy>,
    fill?: FillUnderReview<K>,
  ): Promise<Stored<DataAnswer<SourceValue<K>>>> {
    const { value, provider, fetchedAt, attempts } = fetched;
    const policy = { ...this.deps.cachePolicy[dataType], ...policyOverride };
    const review = fill && this.deps.agreement;
    const ours = { provider, value, fetchedAt: fetchedAt.getTime(), quality: fetched.quality };
    const quality = review
      ? await review.withCached(dataType, fill.symbol, ours, sightingOf(fill.cached))
      : fetched.quality;
    const cachedFreshUntil = await this.tolerate(
      dataType,
      'write',
      () => this.deps.cache.write(dataType, key, value, { provider, fetchedAt, quality }, policy),
      null,
    );
    const answer: DataAnswer<SourceValue<K>> = {
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
    return { answer, cachedFreshUntil };
  }

  /** RFC 5861's soft window, by age against the data type's configured fresh lifetime. */
  private withinSoftWindow(dataType: DataType, entry: CachedEntry<unknown>): boolean {
    const policy = {
      freshSeconds: this.deps.cachePolicy[dataType].freshSeconds,
      staleWhileRevalidateSeconds: this.deps.staleWhileRevalidateSeconds[dataType],
    };
    return staleHandling(entry.ageSeconds, policy) === 'revalidate';
  }

  /** A request that waited out its time for another's fill: the last good value, stale, or 503. */
  private withoutFill<T>(
    dataType: DataType,
    cached: CacheLookup<T>,
    retryAfterSeconds: number,
  ): DataAnswer<T> {
    if (cached.kind === 'value') {
      this.deps.metrics.cacheLookup(dataType, 'stale');
      return fromCache(cached.entry, { stale: true, attempts: [] });
    }
    throw new ProvidersUnavailableError('another request is still fetching this data', retryAfterSeconds);
  }

  /**
   * Many keys of one data type in one round (batches); a failed read is counted like any cache fault
   * and every key goes on with what this container remembers of it, a miss when nothing.
   */
  readCacheMany<T>(dataType: DataType, keys: readonly string[]): Promise<Map<string, CacheLookup<T>>> {
    return this.deps.reader.readMany<T>(dataType, keys);
  }

  /** Batches reuse the single-symbol path for their misses, with the cache already read. */
  quoteAfterCacheRead(symbol: string, cached: CacheLookup<Quote>): Promise<DataAnswer<Quote>> {
    return this.lookup('quote', { key: symbol, symbol, query: { symbol }, cached });
  }

  private async whenEveryProviderFailed<T>(
    dataType: DataType,
    { key, symbol }: { key: string; symbol: string },
    cached: CacheLookup<T>,
    result: Extract<ProviderChainResult<unknown>, { ok: false }>,
    endpoints: readonly { provider: ProviderId }[],
  ): Promise<DataAnswer<T>> {
    if (saysUnknownSymbol(result.attempts)) {
      const seconds = this.deps.negativeCacheSeconds;
      await this.tolerate(
        dataType,
        'write',
        () => this.deps.cache.rememberNotFound(dataType, key, seconds),
        undefined,
      );
      throw new SymbolNotFoundError(symbol);
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
      cacheFault(this.deps, dataType, operation, error);
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

/** A fill as its agreement review needs it: the symbol, and what the cache held before it. */
interface FillUnderReview<K extends keyof DataSources> {
  symbol: string;
  cached: CacheLookup<SourceValue<K>>;
}

/** What the cache held as one provider's sighting of the value (fresh or stale), if anything. */
function sightingOf<T>(cached: CacheLookup<T>): Sighting<T> | null {
  if (cached.kind !== 'value') return null;
  const { provider, value, fetchedAt } = cached.entry;
  return { provider, value, fetchedAt: Date.parse(fetchedAt) };
}

/** Daily history as answered: `meta` also states the price basis and the actions applied. */
export type DailyHistoryAnswer = DataAnswer<DailySeries> & {
  meta: DataAnswer<DailySeries>['meta'] & { adjustment: AdjustmentMeta };
};

/** A value this request fetched and the cache write's outcome: until when it stays fresh (epoch ms), `null` when the write failed or cached nothing. */
interface Stored<A> {
  answer: A;
  cachedFreshUntil: number | null;
}

/** A fill's answer, and whether this request fetched it (the one answer it may audit). */
interface Filling<K extends keyof DataSources> {
  answer: DataAnswer<SourceValue<K>>;
  fetched: boolean;
}

/** What another request's fill cached, as this request answers it. */
function filledAnswer<T>(found: Filled<T>, symbol: string): DataAnswer<T> {
  if (found.kind === 'not_found') throw new SymbolNotFoundError(symbol);
  return fromCache(found.entry, { stale: false, attempts: [] });
}

/** A value a provider answered, with where it came from and how it scored. */
export type FetchedValue<T> = Omit<Extract<ProviderChainResult<T>, { ok: true }>, 'ok'>;

/** One request of one data type, as `lookup` serves it. */
interface LookupRequest<K extends keyof DataSources> {
  /** The cache key (and the fill lease's). */
  key: string;
  /** What a 404 names: the symbol (or the search text). */
  symbol: string;
  query: SourceQuery<K>;
  /** Overrides of the data type's cache policy for this request (daily bars: fresh until the close). */
  policy?: Partial<CachePolicy>;
  /** The cache entry when the caller has read it already (batches, series). */
  cached?: CacheLookup<SourceValue<K>>;
  /** Whether a value another request cached serves this one (a series must reach back far enough). */
  accepts?: (value: SourceValue<K>) => boolean;
}

type SourceQuery<K extends keyof DataSources> = DataKinds[K]['query'];
type SourceValue<K extends keyof DataSources> = DataKinds[K]['value'];

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
