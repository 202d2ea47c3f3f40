import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DataCache } from '../../lib/cache/data-cache.js';
import { loadConfig } from '../../lib/config.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { ProviderManager } from '../../lib/providers/provider-manager.js';
import { inPriorityOrder, QUOTE_ENDPOINTS } from '../../lib/providers/registry.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { CircuitBreaker } from '../../lib/resilience/circuit-breaker.js';
import { MarketDataService } from '../../lib/services/market-data-service.js';

/**
 * Everything a container keeps between invocations, built once at module scope: configuration, SDK
 * clients (which honour `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`), logger,
 * metrics, the breaker and the service.
 */
export const config = loadConfig();
export const logger = new Logger();
export const metrics = new Metrics();

const dynamodb = new DynamoDBClient({});
const secretsManager = new SecretsManagerClient({});
/** The container's SDK clients, exported so the benchmark can count the calls a request makes. */
export const clients = { dynamodb, secretsManager };

const domainMetrics = new DataLayerMetrics(metrics);
const now = () => new Date();

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

export const marketData = new MarketDataService({
  cache: new DataCache(dynamodb, config.tableName, now),
  providers: new ProviderManager({
    keys: keyPools,
    breaker,
    metrics: domainMetrics,
    logger,
    baseUrls: config.providerBaseUrls,
    timeoutMs: config.providerTimeoutMs,
    retry: config.retry,
    now,
  }),
  breaker,
  metrics: domainMetrics,
  logger,
  cachePolicy: config.cachePolicy,
  negativeCacheSeconds: config.negativeCacheSeconds,
  quoteEndpoints: inPriorityOrder(QUOTE_ENDPOINTS, config.providerOrder.quote),
});
