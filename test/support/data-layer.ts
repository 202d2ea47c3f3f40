import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { seedKeyPools } from '../../infra/local/key-pool-seed.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { loadConfig } from '../../lib/config.js';
import { createDataLayer } from '../../lib/data-layer.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import type { DomainLogger } from '../../lib/observability/logger.js';

/**
 * A clock tests move by hand; `sleep` advances it instead of waiting. It starts at the machine's
 * time (under `faketime`, the faked one), so the sandbox, which generates data for "today", and the
 * layer judging that data's dates agree on any day: hand `clock.date` to the sandbox too.
 */
export class FakeClock {
  constructor(private ms = Date.now()) {}
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

/** `<PROVIDER>_BASE_URL` for every provider, pointing at the sandbox. */
export function sandboxBaseUrlEnv(sandbox: MarketSandbox): Record<string, string> {
  return Object.fromEntries(
    PROVIDER_IDS.map((id) => [`${PROVIDER_ENV_PREFIX[id]}_BASE_URL`, sandbox.baseUrls[id]]),
  );
}

/**
 * One container's worth of the data layer, built by the production wiring (`createDataLayer`) with the
 * default configuration (every provider, in the default orders) unless `env` says otherwise, against
 * the given local services and sandbox, on a fake clock. Every provider's pool holds a sandbox key.
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
  // The sandbox keys get their plan's limits: the free plans' unless `env` says a provider is paid.
  await seedKeyPools(options.secretsManager, options.env ?? {}, new Set(PROVIDER_IDS), secretPrefix);
  const config = loadConfig({
    DATA_TABLE_NAME: options.tableName,
    KEY_POOL_SECRET_PREFIX: secretPrefix,
    ...sandboxBaseUrlEnv(options.sandbox),
    // The run's budget per DynamoDB and Secrets Manager call (see vitest.config.ts), as the local stack reads it.
    DEPENDENCY_CALL_TIMEOUT_SECONDS: process.env.DEPENDENCY_CALL_TIMEOUT_SECONDS,
    // The accuracy audit is a random draw (2 % of fills, each one more provider call): tests count
    // calls, so it is off unless a test of the audit turns it on (vitest.config.ts does the same for stacks).
    ACCURACY_AUDIT_SHARE: process.env.ACCURACY_AUDIT_SHARE,
    ...options.env,
  });
  const layer = createDataLayer({
    config,
    clients: { dynamodb: options.dynamodb, secretsManager: options.secretsManager },
    logger: quietLogger,
    metrics: new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' }),
    clock: { now: options.clock.now, sleep: options.clock.sleep },
  });
  return { ...layer, service: layer.marketData };
}
