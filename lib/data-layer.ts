import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DataCache } from './cache/data-cache.js';
import type { DataLayerConfig } from './config.js';
import { KeyBroker } from './keys/key-broker.js';
import { KeyPoolStore } from './keys/key-pool-store.js';
import { KeyStates } from './keys/key-states.js';
import { RateLimiter } from './keys/rate-limiter.js';
import type { DomainLogger } from './observability/logger.js';
import { DataLayerMetrics } from './observability/metrics.js';
import { ProviderManager } from './providers/provider-manager.js';
import { batchEndpointsInOrder } from './providers/registry.js';
import { BreakerStore } from './resilience/breaker-store.js';
import { CircuitBreaker } from './resilience/circuit-breaker.js';
import type { BatchPricesDeps } from './services/batch-prices.js';
import { dataSources } from './services/data-sources.js';
import type { KeyStatusDeps } from './services/key-status.js';
import { MarketDataService } from './services/market-data-service.js';

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
 * Builds the whole data layer (cache, breaker, key pools and budgets, provider manager, services)
 * from configuration and clients. The Lambda container and the tests both build it here, so what the
 * tests exercise is wired exactly as what runs.
 */
export function createDataLayer({ config, clients, logger, metrics, clock }: DataLayerInputs) {
  const nowMs = clock?.now ?? Date.now;
  const now = () => new Date(nowMs());
  const { dynamodb, secretsManager } = clients;
  const domainMetrics = new DataLayerMetrics(metrics);
  const cache = new DataCache(dynamodb, config.tableName, now);

  const breaker = new CircuitBreaker({
    store: new BreakerStore(dynamodb, config.tableName),
    metrics: domainMetrics,
    logger,
    now: nowMs,
    options: config.breaker,
  });

  const keyPools = new KeyPoolStore(secretsManager, {
    secretPrefix: config.keyPoolSecretPrefix,
    cacheSeconds: config.secretsCacheSeconds,
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
  });

  const providers = new ProviderManager({
    keys,
    breaker,
    metrics: domainMetrics,
    logger,
    baseUrls: config.providerBaseUrls,
    timeoutMs: config.providerTimeoutMs,
    qualityFloor: config.qualityFloor,
    retry: config.retry,
    now,
    ...(clock?.sleep ? { sleep: clock.sleep } : {}),
  });
  /** Each data type's providers, in order and on the operator's plans, with their quality scorers. */
  const sources = dataSources(config);

  const marketData = new MarketDataService({
    cache,
    providers,
    breaker,
    metrics: domainMetrics,
    logger,
    cachePolicy: config.cachePolicy,
    negativeCacheSeconds: config.negativeCacheSeconds,
    sources,
    now,
  });

  const batchDeps: BatchPricesDeps = {
    cache,
    marketData,
    logger,
    concurrency: config.batchConcurrency,
    multiSymbol: {
      endpoints: batchEndpointsInOrder(config.providerOrder.quote, config.providerPlans),
      providers,
      policy: config.cachePolicy.quote,
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

  return {
    config,
    /** The layer's metrics; the request's middleware opens and flushes them around each invocation. */
    metrics: domainMetrics,
    cache,
    breaker,
    keyPools,
    keyUsage,
    keyStates,
    providers,
    sources,
    marketData,
    batchDeps,
    keyStatusDeps,
  };
}

/** The data layer as `createDataLayer` builds it. */
export type DataLayer = ReturnType<typeof createDataLayer>;
