import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { seedKeyPools } from '../../infra/local/key-pool-seed.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { DataCache } from '../../lib/cache/data-cache.js';
import { loadConfig } from '../../lib/config.js';
import { KeyBroker } from '../../lib/keys/key-broker.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { KeyStates } from '../../lib/keys/key-states.js';
import { RateLimiter } from '../../lib/keys/rate-limiter.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { ProviderManager } from '../../lib/providers/provider-manager.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { CircuitBreaker } from '../../lib/resilience/circuit-breaker.js';
import { dataSources } from '../../lib/services/data-sources.js';
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
  // Alpha Vantage then FMP, as the sandbox-backed tests expect, unless a test says otherwise.
  const config = loadConfig({
    DATA_TABLE_NAME: options.tableName,
    PROVIDER_ORDER_QUOTE: 'alpha-vantage,fmp',
    ...options.env,
  });
  const metrics = new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' }));
  const breaker = new CircuitBreaker({
    store: new BreakerStore(options.dynamodb, options.tableName),
    metrics,
    logger: quietLogger,
    now: options.clock.now,
    options: config.breaker,
  });
  const providers = new ProviderManager({
    keys: new KeyBroker({
      pools: new KeyPoolStore(options.secretsManager, { secretPrefix, cacheSeconds: 300 }),
      limiter: new RateLimiter(options.dynamodb, options.tableName),
      states: new KeyStates(options.dynamodb, options.tableName, { now: options.clock.now }),
      metrics,
      logger: quietLogger,
      now: options.clock.now,
    }),
    breaker,
    metrics,
    logger: quietLogger,
    baseUrls: { ...config.providerBaseUrls, ...options.sandbox.baseUrls },
    timeoutMs: config.providerTimeoutMs,
    qualityFloor: config.qualityFloor,
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
    sources: dataSources(config),
    now: options.clock.date,
  });
  return { service, breaker, providers, config };
}
