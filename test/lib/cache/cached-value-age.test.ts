import { GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DataCache } from '../../../lib/cache/data-cache.js';
import { mockedDynamoDb } from '../../support/update-placeholders.js';

// What a lookup says of a cached value as it ages: fresh for 60 s, then stale, servable until 660 s.
// The client is mocked: the head the cache wrote is handed back as DynamoDB would return it.
const { client, mock } = mockedDynamoDb();

const NOW = Date.UTC(2026, 5, 1, 15);
const policy = { freshSeconds: 60, maxStaleSeconds: 600 };
const cacheAt = (ms: number) => new DataCache(client, 'table', () => new Date(ms));

async function cachedHead() {
  mock.on(PutItemCommand).resolves({});
  await cacheAt(NOW).write(
    'quote',
    'IBM',
    { price: 1 },
    { provider: 'fmp', fetchedAt: new Date(NOW) },
    policy,
  );
  const put = mock.commandCalls(PutItemCommand)[0]?.args[0].input as PutItemCommandInput | undefined;
  mock.on(GetItemCommand).resolves({ Item: put?.Item });
}

describe('a cached value as it ages', () => {
  it('is stale from the moment its freshness ends, with its age in whole seconds', async () => {
    await cachedHead();
    expect(await cacheAt(NOW + 60_000).lookup('quote', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { fresh: false, freshForSeconds: 0, ageSeconds: 60 },
    });
    expect(await cacheAt(NOW + 59_999).lookup('quote', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { fresh: true, freshForSeconds: 0, ageSeconds: 59 },
    });
  });

  it('is served stale until its servable end, and is a miss from that moment', async () => {
    await cachedHead();
    expect(await cacheAt(NOW + 659_999).lookup('quote', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { fresh: false, ageSeconds: 659 },
    });
    expect(await cacheAt(NOW + 660_000).lookup('quote', 'IBM')).toEqual({ kind: 'none' });
  });

  it('gives an age of 0, never a negative one, to a value fetched ahead of this clock', async () => {
    await cachedHead();
    expect(await cacheAt(NOW - 5_000).lookup('quote', 'IBM')).toMatchObject({ entry: { ageSeconds: 0 } });
  });
});

describe('the "not found" marker as it ages', () => {
  it('stands until its end, and from that moment the lookup is a miss', async () => {
    mock.on(GetItemCommand).resolves({
      Item: { notFoundAt: { S: new Date(NOW).toISOString() }, notFoundUntil: { N: String(NOW + 600_000) } },
    });
    expect(await cacheAt(NOW + 599_999).lookup('quote', 'GONE')).toEqual({ kind: 'not_found' });
    expect(await cacheAt(NOW + 600_000).lookup('quote', 'GONE')).toEqual({ kind: 'none' });
  });
});
