import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { CacheValueTooLargeError, DataCache } from '../../../lib/cache/data-cache.js';
import { MemoryCache } from '../../../lib/cache/memory-cache.js';
import { expectDeclaresWhatItUses, mockedDynamoDb } from '../../support/update-placeholders.js';

// Round trips through the cache's item codec: each item the cache sends is handed back as DynamoDB
// would return it. Mocked for a marker update whose reply was lost, which DynamoDB Local cannot
// produce; test/integration/data-cache.test.ts runs the cache on DynamoDB Local.
const { client, mock } = mockedDynamoDb();

const NOW = Date.UTC(2026, 5, 1, 15);
const policy = { freshSeconds: 60, maxStaleSeconds: 600 };
const source = { provider: 'fmp' as const, fetchedAt: new Date(NOW) };
const cacheAt = (partBytes?: number) => new DataCache(client, 'table', () => new Date(NOW), { partBytes });
const puts = () => mock.commandCalls(PutItemCommand).map((call) => call.args[0].input as PutItemCommandInput);

describe('a cached value as items', () => {
  it('stores a small value inline in its head, with its times and TTL, and reads it back', async () => {
    mock.on(PutItemCommand).resolves({});
    await cacheAt().write('quote', 'IBM', { price: 1 }, source, policy);
    const [head] = puts();
    expect(head?.Item).toEqual({
      pk: { S: 'quote#IBM' },
      sk: { S: 'cache#v2' },
      value: { B: expect.any(Uint8Array) },
      provider: { S: 'fmp' },
      fetchedAt: { S: new Date(NOW).toISOString() },
      freshUntil: { N: String(NOW + 60_000) },
      servableUntil: { N: String(NOW + 660_000) },
      expiresAt: { N: String(Math.ceil((NOW + 660_000) / 1000)) },
    });
    mock.on(GetItemCommand).resolves({ Item: head?.Item });
    expect(await cacheAt().lookup('quote', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { value: { price: 1 }, provider: 'fmp', fresh: true, freshForSeconds: 60 },
    });
  });

  it('splits a big value into parts of one version named by its head, and joins them back', async () => {
    const value = { bars: Array.from({ length: 200 }, (_, i) => ({ close: i * 1.5, day: `d${i}` })) };
    mock.on(PutItemCommand).resolves({});
    await cacheAt(64).write('daily_history', 'IBM', value, source, policy);
    const written = puts();
    const head = written.at(-1)?.Item;
    const parts = written.slice(0, -1).map((put) => put.Item ?? {});
    expect(parts.length).toBeGreaterThan(1);
    expect(head?.parts).toEqual({ N: String(parts.length) });
    const version = head?.version?.S;
    parts.forEach((part, index) => {
      expect(part.sk).toEqual({ S: `cache#v2#${version}#${index}` });
      expect(part.expiresAt).toEqual(head?.expiresAt);
    });
    mock.on(GetItemCommand).resolves({ Item: head });
    // The parts come back in any order, beside a part of another version.
    mock
      .on(QueryCommand)
      .resolves({ Items: [...parts].reverse().concat({ ...parts[0], sk: { S: 'cache#v2#old#0' } }) });
    expect(await cacheAt(64).lookup('daily_history', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { value },
    });
  });

  it('deletes the parts of the version a new head replaced, and only those', async () => {
    mock.on(PutItemCommand).resolves({ Attributes: { version: { S: 'old' }, parts: { N: '2' } } });
    mock.on(DeleteItemCommand).resolves({});
    await cacheAt().write('daily_history', 'IBM', { bars: [] }, source, policy);
    expect(mock.commandCalls(DeleteItemCommand).map((call) => call.args[0].input.Key?.sk)).toEqual([
      { S: 'cache#v2#old#0' },
      { S: 'cache#v2#old#1' },
    ]);
  });

  it('reads heads of a batch by their partition key, asking again for the keys left unprocessed', async () => {
    mock.on(PutItemCommand).resolves({});
    await cacheAt().write('quote', 'IBM', { price: 1 }, source, policy);
    const ibm = puts()[0]?.Item ?? {};
    mock
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { table: [ibm] },
        UnprocessedKeys: { table: { Keys: [{ pk: { S: 'quote#MSFT' }, sk: { S: 'cache#v2' } }] } },
      })
      .resolves({ Responses: { table: [{ ...ibm, pk: { S: 'quote#MSFT' } }] } });
    const found = await cacheAt().lookupMany('quote', ['IBM', 'MSFT', 'NONE']);
    expect([...found.values()].map((lookup) => lookup.kind)).toEqual(['value', 'value', 'none']);
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });

  it('asks again when a throttled batch answered no item at all, and counts keys never read as misses', async () => {
    // DynamoDB's reply may leave the table out of `Responses` when every key went unprocessed: mocked,
    // as DynamoDB Local does not throttle.
    const unprocessed = { table: { Keys: [{ pk: { S: 'quote#IBM' }, sk: { S: 'cache#v2' } }] } };
    mock.on(BatchGetItemCommand).resolves({ UnprocessedKeys: unprocessed });
    const found = await cacheAt().lookupMany('quote', ['IBM'], 2);
    expect(found.get('IBM')).toEqual({ kind: 'none' });
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });

  it('reads a head whose fetch time cannot be read as a miss: a value of unknown age is not served', async () => {
    mock.on(PutItemCommand).resolves({});
    await cacheAt().write('quote', 'IBM', { price: 1 }, source, policy);
    const { fetchedAt: _unreadable, ...head } = puts()[0]?.Item ?? {};
    mock.on(GetItemCommand).resolves({ Item: { ...head, fetchedAt: { N: '1' } } });
    expect(await cacheAt().lookup('quote', 'IBM')).toEqual({ kind: 'none' });
  });
});

describe('the "not found" marker', () => {
  const updates = () =>
    mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input as UpdateItemCommandInput);
  const conditionFailed = (Item?: Record<string, unknown>) =>
    new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item } as never);

  it('is set beside the value, declaring exactly what its expressions use, keeping a later TTL', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await cacheAt().rememberNotFound('quote', 'GONE', 600);
    const [update] = updates();
    expect(update?.UpdateExpression).toBe('SET #notFoundAt = :at, #notFoundUntil = :until');
    expect(update?.ConditionExpression).toBe('#expiresAt >= :ttl');
    expectDeclaresWhatItUses(update ?? {});
  });

  it('raises the TTL when it was earlier, in a second conditional update', async () => {
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed({ expiresAt: { N: '1' } }))
      .resolves({});
    await cacheAt().rememberNotFound('quote', 'GONE', 600);
    const [, raise] = updates();
    expect(raise?.UpdateExpression).toBe('SET #notFoundAt = :at, #notFoundUntil = :until, #expiresAt = :ttl');
    expectDeclaresWhatItUses(raise ?? {});
    expect(raise?.ExpressionAttributeValues?.[':ttl']).toEqual({
      N: String(Math.ceil((NOW + 600_000) / 1000)),
    });
  });

  it('recognizes its own marker in the item a retried update fails against: its reply was lost', async () => {
    mock.on(UpdateItemCommand).rejects(
      conditionFailed({
        notFoundAt: { S: new Date(NOW).toISOString() },
        notFoundUntil: { N: String(NOW + 600_000) },
      }),
    );
    await cacheAt().rememberNotFound('quote', 'GONE', 600);
    expect(updates()).toHaveLength(1);
  });

  it("fails after three tries when another writer's marker stands each time", async () => {
    // The first failure returns no item (as DynamoDB does when there was none).
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed())
      .rejects(conditionFailed({ notFoundAt: { S: 'elsewhen' } }));
    await expect(cacheAt().rememberNotFound('quote', 'GONE', 600)).rejects.toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    expect(updates()).toHaveLength(3);
  });
});

describe('reading around the items', () => {
  const withMemory = () =>
    new DataCache(client, 'table', () => new Date(NOW), {
      memory: new MemoryCache({ maxEntries: 10, maxBytes: 1024 * 1024 }),
    });

  it('answers a fresh value this container wrote from memory, and serves it while DynamoDB is away', async () => {
    mock.on(PutItemCommand).resolves({});
    const cache = withMemory();
    await cache.write('quote', 'IBM', { price: 1 }, source, policy);
    expect(await cache.lookup('quote', 'IBM')).toMatchObject({ kind: 'value' });
    expect((await cache.lookupMany('quote', ['IBM'])).get('IBM')).toMatchObject({ kind: 'value' });
    expect(await cache.remembered('quote', 'IBM')).toMatchObject({ kind: 'value' });
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });

  it("remembers a value DynamoDB answered, so this container's next lookups of it cost no read", async () => {
    mock.on(PutItemCommand).resolves({});
    await cacheAt().write('quote', 'IBM', { price: 1 }, source, policy);
    mock.on(GetItemCommand).resolves({ Item: puts()[0]?.Item });
    const cache = withMemory();
    expect(await cache.lookup('quote', 'IBM')).toMatchObject({
      kind: 'value',
      entry: { value: { price: 1 } },
    });
    expect(await cache.lookup('quote', 'IBM')).toMatchObject({ kind: 'value' });
    expect((await cache.lookupMany('quote', ['IBM'])).get('IBM')).toMatchObject({ kind: 'value' });
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('keeps what memory holds when DynamoDB shows no head yet (a replica behind this write)', async () => {
    mock.on(PutItemCommand).resolves({});
    mock.on(GetItemCommand).resolves({});
    const cache = withMemory();
    await cache.write('quote', 'IBM', { price: 1 }, source, policy);
    expect(await cache.lookup('quote', 'IBM', { consistent: true })).toMatchObject({ kind: 'value' });
    expect(await cacheAt().lookup('quote', 'IBM')).toEqual({ kind: 'none' });
  });

  it('reads a marker in force as not found', async () => {
    mock.on(GetItemCommand).resolves({
      Item: { notFoundAt: { S: new Date(NOW).toISOString() }, notFoundUntil: { N: String(NOW + 1) } },
    });
    expect(await cacheAt().lookup('quote', 'GONE')).toEqual({ kind: 'not_found' });
  });

  it("asks the leader once for a split value's parts a replica does not show yet", async () => {
    mock.on(GetItemCommand).resolves({
      Item: { version: { S: 'v' }, parts: { N: '1' }, servableUntil: { N: String(NOW + 1) } },
    });
    mock.on(QueryCommand).resolves({ Items: [] });
    expect(await cacheAt().lookup('daily_history', 'IBM')).toEqual({ kind: 'none' });
    expect(mock.commandCalls(QueryCommand).map((call) => call.args[0].input.ConsistentRead)).toEqual([
      false,
      true,
    ]);
  });

  it('refuses batches it cannot read in one call, and reads none for no keys', async () => {
    expect((await cacheAt().lookupMany('quote', [])).size).toBe(0);
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`);
    await expect(cacheAt().lookupMany('quote', many)).rejects.toBeInstanceOf(RangeError);
    await expect(cacheAt().lookupMany('daily_history', ['IBM'])).rejects.toBeInstanceOf(RangeError);
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });

  it('refuses a single-item value too big for one item, writing nothing', async () => {
    const big = { text: Array.from({ length: 500 }, (_, i) => `${i}-${Math.sin(i)}`).join() };
    await expect(cacheAt(64).write('quote', 'IBM', big, source, policy)).rejects.toBeInstanceOf(
      CacheValueTooLargeError,
    );
    expect(puts()).toHaveLength(0);
  });

  it('throws a DynamoDB fault from the marker update', async () => {
    const fault = new Error('socket hang up');
    mock.on(UpdateItemCommand).rejects(fault);
    await expect(cacheAt().rememberNotFound('quote', 'GONE', 600)).rejects.toBe(fault);
  });
});
