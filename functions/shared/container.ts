import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DataCache } from '../../lib/cache/data-cache.js';
import { loadConfig } from '../../lib/config.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { alphaVantageGlobalQuote } from '../../lib/providers/alpha-vantage/global-quote.js';
import { ProviderManager } from '../../lib/providers/provider-manager.js';
import { MarketDataService } from '../../lib/services/market-data-service.js';

/**
 * Everything a container keeps between invocations, built once at module scope: configuration, SDK
 * clients (which honour `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`), logger,
 * metrics and the service.
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

export const marketData = new MarketDataService({
  cache: new DataCache(dynamodb, config.tableName, now),
  providers: new ProviderManager({
    keys: new KeyPoolStore(secretsManager, {
      secretPrefix: config.keyPoolSecretPrefix,
      cacheSeconds: config.secretsCacheSeconds,
    }),
    metrics: domainMetrics,
    logger,
    baseUrls: config.providerBaseUrls,
    timeoutMs: config.providerTimeoutMs,
    now,
  }),
  metrics: domainMetrics,
  cachePolicy: config.cachePolicy,
  quoteEndpoints: [alphaVantageGlobalQuote],
});
