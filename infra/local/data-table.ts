import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';

/**
 * Creates the data table from the same definition CDK deploys, unless it exists (another local stack
 * sharing this DynamoDB may have made it), and turns on its TTL.
 */
export async function ensureDataTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existing'> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: DATA_TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: DATA_TABLE.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: DATA_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: DATA_TABLE.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'existing';
    throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: DATA_TABLE.timeToLiveAttribute, Enabled: true },
    }),
  );
  return 'created';
}
