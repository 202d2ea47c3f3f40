import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CacheReader } from './cache/cache-reader.js';
import { DataCache } from './cache/data-cache.js';
import { CacheFillCoordinator } from './cache/fill-coordinator.js';
import { DEFAULT_FILL_LEASE_OPTIONS } from './cache/fill-lease-state.js';
import { FillLeaseStore } from './cache/fill-lease-store.js';
import { MemoryCache } from './cache/memory-cache.js';
import type { DataLayerConfig } from './config.js';
import { KeyBroker } from './keys/key-broker.js';
import { KeyPoolStore } from './keys/key-pool-store.js';
import { KeyStates } from './keys/key-states.js';
import { RateLimiter } from './keys/rate-limiter.js';
import type { DomainLogger } from './observability/logger.js';
import { DataLayerMetrics } from './observability/metrics.js';
import { ProviderManager } from './providers/provider-manager.js';
import { batchEndpointsInOrder } from './providers/registry.js';
import { BreakerOperator } from './resilience/breaker-operator.js';
import { BreakerStore } from './resilience/breaker-store.js';
import { BreakerView } from './resilience/breaker-view.js';
import { CircuitBreaker } from './resilience/circuit-breaker.js';
import { DependencyGuard, type DependencyName, guardClient } from './resilience/dependency-guard.js';
import { AccuracyAudit } from './services/accuracy-audit.js';
import { AgreementReview } from './services/agreement-review.js';
import { AgreementTally } from './services/agreement-tally.js';
import type { BatchPricesDeps } from './services/batch-prices.js';
import { dataSources } from './services/data-sources.js';
import type { HealthDeps } from './services/health.js';
import type { KeyStatusDeps } from './services/key-status.js';
import { MarketDataService } from './services/market-data-service.js';
import type { ProviderStatusDeps } from './services/provider-status.js';

/** The clock the whole layer reads; tests hand in one fake clock shared with the sandbox. */
export interface LayerClock {
  /** Epoch ms. */
  now: () => number;
  /** Waits between retries; a fake clock advances instead of waiting. Default: real timers. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the layer is built from: configuration, the container's SDK clients, logger and metrics. */
export interface DataLayerInputs {
  config: DataLayerConfig;
  clients: { dynamodb: DynamoDBClient; secretsManager: SecretsManagerClient };
  logger: DomainLogger;
  metrics: Metrics;
  clock?: LayerClock;
}

/**
 * Builds the whole data layer (dependency guards around the SDK clients, cache, breaker, key pools
 * and budgets, provider manager, services) from configuration and clients. The Lambda container
 * and the tests both build it here, so what the tests exercise is wired exactly as what runs.
 */
export function createDataLayer({ config, clients, logger, metrics, clock }: DataLayerInputs) {
  const nowMs = clock?.now ?? Date.now;
  const now = () => new Date(nowMs());
  const domainMetrics = new DataLayerMetrics(metrics);
  /** Every DynamoDB and Secrets Manager call of the layer goes through its dependency's guard. */
  const guard = (dependency: DependencyName) =>
    new DependencyGuard({
      dependency,
      options: config.dependencyGuard,
      metrics: domainMetrics,
      logger,
      now: nowMs,
    });
  const guards = { dynamodb: guard('dynamodb'), secretsManager: guard('secrets_manager') };
  const dynamodb = guardClient(clients.dynamodb, guards.dynamodb);
  const secretsManager = guardClient(clients.secretsManager, guards.secretsManager);
  /** What this container has seen of the cache: repeated hits cost no DynamoDB read, and outlast its outages. */
  const memory = config.memoryCache.maxEntries > 0 ? new MemoryCache(config.memoryCache) : undefined;
  const cache = new DataCache(dynamodb, config.tableName, now, memory ? { memory } : {});

  const breakerStore = new BreakerStore(dynamodb, config.tableName);
  const breakerDeps = {
    store: breakerStore,
    /** This container's view of the breakers, shared by its decisions and its operators' actions. */
    view: new BreakerView(breakerStore, config.breaker.stateCacheMs),
    metrics: domainMetrics,
    logger,
    now: nowMs,
    options: config.breaker,
  };
  const breaker = new CircuitBreaker(breakerDeps);
  /** Overrides and descriptions of the breakers: the operator endpoints, provider status, health. */
  const breakerOperator = new BreakerOperator(breakerDeps);

  const keyPools = new KeyPoolStore(secretsManager, {
    secretPrefix: config.keyPoolSecretPrefix,
    cacheSeconds: config.secretsCacheSeconds,
    staleSeconds: config.secretsStaleSeconds,
    now: nowMs,
    logger,
    metrics: domainMetrics,
  });
  /** Keys with budget left, fleet-wide; also read by the key-status endpoint. */
  const keyUsage = new RateLimiter(dynamodb, config.tableName);
  const keyStates = new KeyStates(dynamodb, config.tableName, { now: nowMs });
  const keys = new KeyBroker({
    pools: keyPools,
    limiter: keyUsage,
    states: keyStates,
    metrics: domainMetrics,
    logger,
    now: nowMs,
    quarantine: config.keyQuarantine,
  });

  /** How every provider call is made and judged, for the answers' manager and the audits'. */
  const providerCalls = {
    breaker,
    metrics: domainMetrics,
    logger,
    baseUrls: config.providerBaseUrls,
    timeoutMs: config.providerTimeoutMs,
    qualityFloor: config.qualityFloor,
    now,
    ...(clock?.sleep ? { sleep: clock.sleep } : {}),
  };
  const providers = new ProviderManager({ ...providerCalls, keys, retry: config.retry });
  /** Each data type's providers, in order and on the operator's plans, with their quality scorers. */
  const sources = dataSources(config);

  /** Fleet-wide agreement between providers; also read by the providers-status endpoint. */
  const agreementTally = new AgreementTally(dynamodb, config.tableName);
  const agreement = new AgreementReview({
    tally: agreementTally,
    audit: new AccuracyAudit({
      // The audit's own manager: keys that keep a spare share of every window, one attempt, no retry.
      providers: new ProviderManager({
        ...providerCalls,
        keys: {
          lease: (provider) => keys.lease(provider, { spare: config.accuracy.audit.spare }),
          report: (...verdict) => keys.report(...verdict),
        },
        retry: { ...config.retry, maxAttempts: 1 },
      }),
      breaker,
      options: config.accuracy.audit,
      now: nowMs,
    }),
    metrics: domainMetrics,
    logger,
    tolerance: config.accuracy.tolerance,
    qualityFloor: config.qualityFloor,
    now: nowMs,
  });

  /** One provider call per missing key across the fleet, and one refresh per value in its soft window. */
  /** How requests read the cache: a DynamoDB fault goes on with what this container remembers. */
  const reader = new CacheReader({ cache, metrics: domainMetrics, logger });
  const fills = new CacheFillCoordinator({
    store: new FillLeaseStore(dynamodb, config.tableName),
    cache: reader,
    metrics: domainMetrics,
    logger,
    now: nowMs,
    ...(clock?.sleep ? { sleep: clock.sleep } : {}),
    options: { ...DEFAULT_FILL_LEASE_OPTIONS, leaseMs: config.fillLeaseMs },
  });

  const marketData = new MarketDataService({
    cache,
    reader,
    providers,
    breaker,
    metrics: domainMetrics,
    logger,
    cachePolicy: config.cachePolicy,
    staleWhileRevalidateSeconds: config.staleWhileRevalidateSeconds,
    fills,
    negativeCacheSeconds: config.negativeCacheSeconds,
    sources,
    agreement,
    now,
  });

  const batchDeps: BatchPricesDeps = {
    marketData,
    logger,
    concurrency: config.batchConcurrency,
    multiSymbol: {
      endpoints: batchEndpointsInOrder(config.providerOrder.quote, config.providerPlans),
      providers,
      score: sources.quote.score,
      qualityFloor: config.qualityFloor,
      now,
    },
  };

  /** What the key-status endpoints read: pools, fleet-wide usage, states and the secrets' rotation. */
  const keyStatusDeps: KeyStatusDeps = {
    keyPools,
    usage: keyUsage,
    states: keyStates,
    secretsManager,
    secretPrefix: config.keyPoolSecretPrefix,
    now: nowMs,
  };

  /** What the providers-status endpoint reads: breakers, key pools, the orders and measured agreement. */
  const providerStatusDeps: ProviderStatusDeps = {
    breakers: breakerOperator,
    keyPools,
    sources,
    agreement: agreementTally,
  };

  /** What the deep health check reads: the table, the key pools, the breakers and both guards. */
  const healthDeps: HealthDeps = {
    dynamodb,
    tableName: config.tableName,
    keyPools,
    breakers: breakerOperator,
    guards,
  };

  return {
    config,
    guards,
    /** The layer's metrics; the request's middleware opens and flushes them around each invocation. */
    metrics: domainMetrics,
    breaker,
    breakerOperator,
    keyPools,
    keyStates,
    providers,
    sources,
    marketData,
    batchDeps,
    keyStatusDeps,
    providerStatusDeps,
    healthDeps,
  };
}

/** The data layer as `createDataLayer` builds it. */
export type DataLayer = ReturnType<typeof createDataLayer>;
