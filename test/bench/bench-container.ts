import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ensureDataTable } from '../../infra/local/data-table.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { createDynamoDbClient } from '../../lib/storage/dynamodb-client.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';

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
 * clients, as a bench section builds several to share one table.
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
    env,
  });
}
