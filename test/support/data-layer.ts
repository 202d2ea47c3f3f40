import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { seedKeyPools } from '../../infra/local/key-pool-seed.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { DataCache } from '../../lib/cache/data-cache.js';
import { loadConfig } from '../../lib/config.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { ProviderManager } from '../../lib/providers/provider-manager.js';
import { inPriorityOrder, QUOTE_ENDPOINTS } from '../../lib/providers/registry.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { CircuitBreaker } from '../../lib/resilience/circuit-breaker.js';
import { MarketDataService } from '../../lib/services/market-data-service.js';

/** A clock tests move by hand; `sleep` advances it instead of waiting. */
export class FakeClock {
  constructor(private ms = Date.parse('2026-11-26T15:00:00Z')) {}
  now = (): number => this.ms;
  date = (): Date => new Date(this.ms);
  advance = (ms: number): void => {
    this.ms += ms;
  };
  sleep = async (ms: number): Promise<void> => {
    this.advance(ms);
  };
}

export const quietLogger: DomainLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * One container's worth of the data layer, wired as `functions/shared/container.ts` wires it, but
 * on a fake clock, against the given local services and sandbox, with the quote providers in order.
 */
export async function buildDataLayer(options: {
  dynamodb: DynamoDBClient;
  secretsManager: SecretsManagerClient;
  tableName: string;
  sandbox: MarketSandbox;
  clock: FakeClock;
  env?: Record<string, string>;
}) {
  const secretPrefix = `test-${randomUUID().slice(0, 8)}/`;
  await seedKeyPools(options.secretsManager, {}, new Set(['alpha-vantage', 'fmp']), secretPrefix);
  const config = loadConfig({ DATA_TABLE_NAME: options.tableName, ...options.env });
  const metrics = new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' }));
  const breaker = new CircuitBreaker({
    store: new BreakerStore(options.dynamodb, options.tableName),
    metrics,
    logger: quietLogger,
    now: options.clock.now,
    options: config.breaker,
  });
  const providers = new ProviderManager({
    keys: new KeyPoolStore(options.secretsManager, { secretPrefix, cacheSeconds: 300 }),
    breaker,
    metrics,
    logger: quietLogger,
    baseUrls: { ...config.providerBaseUrls, ...options.sandbox.baseUrls },
    timeoutMs: config.providerTimeoutMs,
    retry: config.retry,
    now: options.clock.date,
    sleep: options.clock.sleep,
  });
  const service = new MarketDataService({
    cache: new DataCache(options.dynamodb, options.tableName, options.clock.date),
    providers,
    breaker,
    metrics,
    logger: quietLogger,
    cachePolicy: config.cachePolicy,
    negativeCacheSeconds: config.negativeCacheSeconds,
    quoteEndpoints: inPriorityOrder(QUOTE_ENDPOINTS, config.providerOrder.quote),
  });
  return { service, breaker, providers, config };
}
