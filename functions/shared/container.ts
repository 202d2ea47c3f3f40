import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DataCache } from '../../lib/cache/data-cache.js';
import { loadConfig } from '../../lib/config.js';
import { KeyBroker } from '../../lib/keys/key-broker.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { KeyStates } from '../../lib/keys/key-states.js';
import { RateLimiter } from '../../lib/keys/rate-limiter.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { ProviderManager } from '../../lib/providers/provider-manager.js';
import { batchEndpointsInOrder } from '../../lib/providers/registry.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { CircuitBreaker } from '../../lib/resilience/circuit-breaker.js';
import type { BatchPricesDeps } from '../../lib/services/batch-prices.js';
import { dataSources } from '../../lib/services/data-sources.js';
import type { KeyStatusDeps } from '../../lib/services/key-status.js';
import { MarketDataService } from '../../lib/services/market-data-service.js';

/**
 * Everything a container keeps between invocations, built once at module scope: configuration, SDK
 * clients (which honour `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`), logger,
 * metrics, the breaker and the service.
 */
export const config = loadConfig();
export const logger = new Logger();
export const metrics = new Metrics();

/**
 * Bounded SDK calls: the request has a deadline of its own, so a slow DynamoDB or Secrets Manager
 * must fail fast (and the cache and breaker fail open) rather than run into the Lambda timeout.
 */
const sdkLimits = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } };
const dynamodb = new DynamoDBClient(sdkLimits);
const secretsManager = new SecretsManagerClient(sdkLimits);
/** The container's SDK clients, exported so the benchmark can count the calls a request makes. */
export const clients = { dynamodb, secretsManager };

const domainMetrics = new DataLayerMetrics(metrics);
const now = () => new Date();
const cache = new DataCache(dynamodb, config.tableName, now);

export const breaker = new CircuitBreaker({
  store: new BreakerStore(dynamodb, config.tableName),
  metrics: domainMetrics,
  logger,
  now: Date.now,
  options: config.breaker,
});

export const keyPools = new KeyPoolStore(secretsManager, {
  secretPrefix: config.keyPoolSecretPrefix,
  cacheSeconds: config.secretsCacheSeconds,
});

/** Keys with budget left, fleet-wide; also read by the key-status endpoint. */
export const keyUsage = new RateLimiter(dynamodb, config.tableName);
export const keyStates = new KeyStates(dynamodb, config.tableName, { now: Date.now });
const keys = new KeyBroker({
  pools: keyPools,
  limiter: keyUsage,
  states: keyStates,
  metrics: domainMetrics,
  logger,
  now: Date.now,
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
});
/** Each data type's providers, in order and on the operator's plans, with their quality scorers. */
export const sources = dataSources(config);

export const marketData = new MarketDataService({
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

export const batchDeps: BatchPricesDeps = {
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
export const keyStatusDeps: KeyStatusDeps = {
  keyPools,
  usage: keyUsage,
  states: keyStates,
  secretsManager,
  secretPrefix: config.keyPoolSecretPrefix,
  now: Date.now,
};
