import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ensureDataTable } from '../../infra/local/data-table.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { type MarketSandbox, plansFromEnv, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import { createDynamoDbClient } from '../../lib/storage/dynamodb-client.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';

/**
 * `<PROVIDER>_PLAN=paid` for all five providers. The bench measures throughput, writes and latency under
 * more calls than the free plans allow (Alpha Vantage's 5 a minute, 25 a day): on them, most of its misses
 * would be refused or fall back, and the figures would measure the plans, not the layer. No section
 * measures plan behaviour; one that does would start its own sandbox and keys without this.
 * The one variable the layer's configuration, the sandbox and the local key-pool seed all read.
 */
export const PAID_PLANS: Readonly<Record<string, string>> = Object.fromEntries(
  PROVIDER_IDS.map((id) => [`${PROVIDER_ENV_PREFIX[id]}_PLAN`, 'paid']),
);

/** A sandbox of a section's own, every provider on its paid plan. */
export function benchSandbox(options: { now?: () => Date } = {}): Promise<MarketSandbox> {
  return startMarketSandbox({ ...options, plans: plansFromEnv(PAID_PLANS) });
}

/** The machine's clock, shaped as the tests' clocks: a bench measures real waits. */
class RealClock extends FakeClock {
  override now = () => Date.now();
  override date = () => new Date();
  override sleep = async (ms: number) => {
    await sleep(ms);
  };
}

/** Where a bench's containers find DynamoDB (and which table), Secrets Manager and the providers. */
export interface BenchWorld {
  dynamodbEndpoint: string;
  secretsManagerEndpoint: string;
  tableName: string;
  sandbox: MarketSandbox;
}

/** A DynamoDB client with the containers' settings on `endpoint`. */
export function benchDynamoDb(endpoint: string) {
  return createDynamoDbClient({ endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS });
}

/** A fresh table for one bench section on `dynamodbEndpoint`. */
export async function benchTable(dynamodbEndpoint: string, label: string): Promise<string> {
  const client = benchDynamoDb(dynamodbEndpoint);
  const tableName = `bench-${label}-${randomUUID().slice(0, 8)}`;
  await ensureDataTable(client, tableName);
  client.destroy();
  return tableName;
}

/**
 * One Lambda container's data layer (the production wiring) on the machine's clock, with its own SDK
 * clients, as a bench section builds several to share one table; every provider on its paid plan
 * (its keys seeded so) unless `env` says otherwise.
 */
export function benchContainer(
  world: BenchWorld,
  env: Record<string, string> = {},
  dynamodb = benchDynamoDb(world.dynamodbEndpoint),
) {
  return buildDataLayer({
    dynamodb,
    secretsManager: new SecretsManagerClient({
      endpoint: world.secretsManagerEndpoint,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    }),
    tableName: world.tableName,
    sandbox: world.sandbox,
    clock: new RealClock(),
    env: { ...PAID_PLANS, ...env },
  });
}
