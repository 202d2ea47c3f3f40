import { randomUUID } from 'node:crypto';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { ensureDataTable } from '../../infra/local/data-table.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { createDynamoDbClient } from '../../lib/storage/dynamodb-client.js';

/**
 * A DynamoDB client on the run's DynamoDB, with the settings every container uses. The run's DynamoDB is
 * the proxy in front of DynamoDB Local: eventually consistent reads lag (1 s by default, on the real
 * clock) as DynamoDB's do.
 */
export function localDynamoDb(): DynamoDBClient {
  return dynamoDbClient(inject('dynamodbEndpoint'));
}

/** A DynamoDB client with the settings every container uses, on the given endpoint; `overrides` on top. */
export function dynamoDbClient(endpoint: string, overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return createDynamoDbClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    ...overrides,
  });
}

/** A Secrets Manager client on the run's emulator. */
export function localSecretsManager(): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: inject('secretsManagerEndpoint'),
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
}

/** A fresh data table (from the one table definition) that no other test touches. */
export async function freshDataTable(client: DynamoDBClient, label: string): Promise<string> {
  const tableName = `test-${label}-${randomUUID().slice(0, 8)}`;
  await ensureDataTable(client, tableName);
  return tableName;
}
