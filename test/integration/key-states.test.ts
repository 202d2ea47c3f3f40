import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KeyStates } from '../../lib/keys/key-states.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { countCommands } from '../support/call-counter.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const NOW = Date.UTC(2026, 10, 26, 15, 0, 10);
const dynamodb = localDynamoDb();
const calls = countCommands(dynamodb);

describe('KeyStates on DynamoDB Local', () => {
  it('reads every key state when the partition spans more than one Query page', async () => {
    const tableName = await freshDataTable(dynamodb, 'key-states');
    const states = new KeyStates(dynamodb, tableName, { now: () => NOW });
    // DynamoDB ends a Query page at 1 MB: six items of ~300 KB take three pages.
    const ids = Array.from({ length: 6 }, (_, i) => `key-${i}`);
    for (const keyId of ids) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            [DATA_TABLE.partitionKey]: { S: 'keystate#fmp' },
            [DATA_TABLE.sortKey]: { S: keyId },
            quarantinedAt: { N: String(NOW) },
            quarantineReason: { S: 'invalid_key' },
            padding: { S: 'x'.repeat(300_000) },
          },
        }),
      );
    }
    const before = calls.QueryCommand ?? 0;
    const read = await states.read('fmp');
    expect([...read.keys()].sort()).toEqual(ids);
    expect((calls.QueryCommand ?? 0) - before).toBeGreaterThan(1);
  });
});
