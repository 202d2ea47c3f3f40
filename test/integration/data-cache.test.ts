import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataCache } from '../../lib/cache/data-cache.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const client = localDynamoDb();
const policy = { freshSeconds: 300, maxStaleSeconds: 3600 };
let tableName: string;
let clock = new Date('2026-11-26T15:00:00Z');
const cacheAt = () => new DataCache(client, tableName, () => clock);
/** The entry a lookup finds, or null when it finds none. */
const read = async (dataType: 'quote' | 'company', key: string) => {
  const found = await cacheAt().lookup(dataType, key);
  return found.kind === 'value' ? found.entry : found.kind === 'none' ? null : found;
};

beforeAll(async () => {
  tableName = await freshDataTable(client, 'cache');
});

describe('DataCache on DynamoDB Local', () => {
  it('reads back a written value as fresh within its lifetime', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    await cacheAt().write(
      'quote',
      'IBM',
      { price: 1 },
      { provider: 'alpha-vantage', fetchedAt: clock },
      policy,
    );
    clock = new Date('2026-11-26T15:04:59Z');
    expect(await read('quote', 'IBM')).toEqual({
      value: { price: 1 },
      provider: 'alpha-vantage',
      fetchedAt: '2026-11-26T15:00:00.000Z',
      ageSeconds: 299,
      fresh: true,
      freshForSeconds: 1,
      quality: null,
    });
  });

  it('marks an entry past its fresh lifetime as not fresh but still readable', async () => {
    clock = new Date('2026-11-26T16:00:00Z');
    await cacheAt().write('quote', 'MSFT', { price: 2 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = new Date('2026-11-26T16:05:01Z');
    expect(await read('quote', 'MSFT')).toMatchObject({ fresh: false, ageSeconds: 301, freshForSeconds: 0 });
  });

  it('treats an item past its TTL as missing although DynamoDB has not deleted it yet', async () => {
    clock = new Date('2026-11-26T17:00:00Z');
    await cacheAt().write('quote', 'AAPL', { price: 3 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = new Date('2026-11-26T18:05:01Z'); // past fresh (5 min) + max stale (1 h)
    const raw = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [DATA_TABLE.partitionKey]: { S: 'quote#AAPL' }, [DATA_TABLE.sortKey]: { S: 'cache#v1' } },
      }),
    );
    expect(raw.Item).toBeDefined();
    expect(await read('quote', 'AAPL')).toBeNull();
  });

  it('sets the TTL attribute to the end of the stale window, in epoch seconds', async () => {
    clock = new Date('2026-11-26T19:00:00Z');
    await cacheAt().write('quote', 'TSLA', { price: 4 }, { provider: 'fmp', fetchedAt: clock }, policy);
    const raw = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [DATA_TABLE.partitionKey]: { S: 'quote#TSLA' }, [DATA_TABLE.sortKey]: { S: 'cache#v1' } },
      }),
    );
    expect(Number(raw.Item?.[DATA_TABLE.timeToLiveAttribute]?.N)).toBe(clock.getTime() / 1000 + 300 + 3600);
  });

  it('keeps data types apart under the same key', async () => {
    clock = new Date('2026-11-26T20:00:00Z');
    await cacheAt().write('quote', 'NVDA', { kind: 'quote' }, { provider: 'fmp', fetchedAt: clock }, policy);
    expect(await read('company', 'NVDA')).toBeNull();
  });

  it('answers a miss for a key never written', async () => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { [DATA_TABLE.partitionKey]: { S: 'quote#OTHER' }, [DATA_TABLE.sortKey]: { S: 'cache#v0' } },
      }),
    );
    expect(await read('quote', 'OTHER')).toBeNull();
  });
});
