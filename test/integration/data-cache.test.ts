import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dayOf, isoDay, tradingDaysBetween } from '../../infra/local/sandbox/calendar.js';
import { barsOn, companyFor } from '../../infra/local/sandbox/market-generator.js';
import { HEAD_SORT_KEY, headKey, partKey } from '../../lib/cache/cache-items.js';
import { CacheValueTooLargeError, DataCache } from '../../lib/cache/data-cache.js';
import { MemoryCache } from '../../lib/cache/memory-cache.js';
import type { DataType } from '../../lib/model/data-types.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { countCommands } from '../support/call-counter.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

/**
 * The day the tests' clock is set on: tomorrow by the machine's clock. DynamoDB Local's TTL really
 * deletes items whose TTL has passed by its (the machine's) clock, so a fixed past date would have
 * items vanish under a test; every TTL written here (up to a week past the day) is still ahead.
 */
const TEST_DAY = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const onTestDay = (time: string) => new Date(`${TEST_DAY}T${time}`);

const client = localDynamoDb();
/** A proxy of this file's own for lost replies, on the same DynamoDB Local (and so the same table). */
const lossy = dynamoDbProxyForFile();
const policy = { freshSeconds: 300, maxStaleSeconds: 3600 };
let tableName: string;
let clock = onTestDay('15:00:00Z');
const cacheAt = () => new DataCache(client, tableName, () => clock);
/**
 * The entry a lookup finds, or null when it finds none. These tests are of the layout and the times, so
 * they read the table as it stands (strongly consistent), not what a lagging replica still shows.
 */
const read = async (dataType: DataType, key: string, cache = cacheAt()) => {
  const found = await cache.lookup(dataType, key, { consistent: true });
  return found.kind === 'value' ? found.entry : found.kind === 'none' ? null : found;
};

/** The value a lookup finds, or the kind of what it found instead. */
const valueAt = async (dataType: DataType, key: string, cache = cacheAt()) => {
  const found = await cache.lookup(dataType, key, { consistent: true });
  return found.kind === 'value' ? found.entry.value : found.kind;
};

beforeAll(async () => {
  tableName = await freshDataTable(client, 'cache');
});

describe('DataCache on DynamoDB Local', () => {
  it('reads back a written value as fresh within its lifetime', async () => {
    clock = onTestDay('15:00:00Z');
    await cacheAt().write(
      'quote',
      'IBM',
      { price: 1 },
      { provider: 'alpha-vantage', fetchedAt: clock },
      policy,
    );
    clock = onTestDay('15:04:59Z');
    expect(await read('quote', 'IBM')).toEqual({
      value: { price: 1 },
      provider: 'alpha-vantage',
      fetchedAt: `${TEST_DAY}T15:00:00.000Z`,
      ageSeconds: 299,
      fresh: true,
      freshForSeconds: 1,
      quality: null,
    });
  });

  it('marks an entry past its fresh lifetime as not fresh but still readable', async () => {
    clock = onTestDay('16:00:00Z');
    await cacheAt().write('quote', 'MSFT', { price: 2 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('16:05:01Z');
    expect(await read('quote', 'MSFT')).toMatchObject({ fresh: false, ageSeconds: 301, freshForSeconds: 0 });
  });

  it('treats an item past its TTL as missing although DynamoDB has not deleted it yet', async () => {
    clock = onTestDay('17:00:00Z');
    await cacheAt().write('quote', 'AAPL', { price: 3 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('18:05:01Z'); // past fresh (5 min) + max stale (1 h)
    const raw = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: headKey('quote', 'AAPL'),
        ConsistentRead: true,
      }),
    );
    expect(raw.Item).toBeDefined();
    expect(await read('quote', 'AAPL')).toBeNull();
  });

  it('sets the TTL attribute to the end of the stale window, in epoch seconds', async () => {
    clock = onTestDay('19:00:00Z');
    await cacheAt().write('quote', 'TSLA', { price: 4 }, { provider: 'fmp', fetchedAt: clock }, policy);
    const raw = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: headKey('quote', 'TSLA'),
        ConsistentRead: true,
      }),
    );
    expect(Number(raw.Item?.[DATA_TABLE.timeToLiveAttribute]?.N)).toBe(clock.getTime() / 1000 + 300 + 3600);
  });

  it('keeps data types apart under the same key', async () => {
    clock = onTestDay('20:00:00Z');
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

/** A 20-year daily series as the sandbox generates it (~5200 bars, ~600 KB of JSON). */
function twentyYearSeries(symbol: string) {
  const today = dayOf(clock);
  const bars = barsOn(companyFor(symbol), tradingDaysBetween(today - 20 * 366, today)).map(
    ({ previousClose: _, ...bar }) => ({ ...bar, adjustedClose: null }),
  );
  return { symbol, currency: null, bars, covers: { from: isoDay(today - 20 * 366), to: isoDay(today) } };
}

type Item = Record<string, AttributeValue>;
type ReadAnswer = { output: { Item?: Item; Items?: Item[] } };

/** Items and bytes the reads of `own` brought back (what DynamoDB bills reads by), from their answers. */
function readVolume(own: DynamoDBClient) {
  const volume = { items: 0, bytes: 0 };
  const middleware = (next: (args: unknown) => Promise<ReadAnswer>) => async (args: unknown) => {
    const result = await next(args);
    for (const item of [
      ...(result.output.Item ? [result.output.Item] : []),
      ...(result.output.Items ?? []),
    ]) {
      volume.items++;
      for (const value of Object.values(item)) volume.bytes += value.B?.length ?? value.S?.length ?? 8;
    }
    return result;
  };
  own.middlewareStack.add(middleware as never, { step: 'initialize', name: 'readVolume' });
  return volume;
}

/** `ConsistentRead` of every GetItem and Query `own` sends, in order. */
function consistencyOfReads(own: DynamoDBClient): boolean[] {
  const sent: boolean[] = [];
  own.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>) => async (args: { input: { ConsistentRead?: boolean } }) => {
      sent.push(args.input.ConsistentRead === true);
      return next(args);
    }) as never,
    { step: 'initialize', name: 'consistencyOfReads' },
  );
  return sent;
}

/** Every item of a cached thing's partition, as stored. */
async function partition(dataType: string, key: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `${dataType}#${key}` } },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const seriesPolicy = { freshSeconds: 3600, maxStaleSeconds: 7 * 24 * 3600 };
const PART_BYTES = 16 * 1024;
/** A cache that splits anything over 16 KiB, so a 20-year series (~118 KB compressed) takes 8 parts. */
const splittingCacheAt = (own = client) =>
  new DataCache(own, tableName, () => clock, { partBytes: PART_BYTES });
/** Writes a 20-year series of `symbol` (from fmp, now) through `cache` and gives it back. */
async function writeSeries(symbol: string, cache = splittingCacheAt()) {
  const series = twentyYearSeries(symbol);
  await cache.write('daily_history', symbol, series, { provider: 'fmp', fetchedAt: clock }, seriesPolicy);
  return series;
}

describe('values too big for one item', () => {
  it('stores a 20-year series compressed in one item, far below the 400 KB limit its JSON would break', async () => {
    clock = onTestDay('15:00:00Z');
    const series = twentyYearSeries('BIG');
    expect(JSON.stringify(series).length).toBeGreaterThan(400 * 1024);
    await cacheAt().write(
      'daily_history',
      'BIG',
      series,
      { provider: 'fmp', fetchedAt: clock },
      seriesPolicy,
    );
    const items = await partition('daily_history', 'BIG');
    expect(items).toHaveLength(1);
    expect(items[0]?.value?.B?.length).toBeLessThan(200 * 1024);
    expect(await valueAt('daily_history', 'BIG')).toEqual(series);
  });

  it("reads a split value whole with a GetItem of its head and one Query of its version's parts", async () => {
    clock = onTestDay('15:00:00Z');
    const series = await writeSeries('SPLIT');
    const items = await partition('daily_history', 'SPLIT');
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((item) => ((item.value?.B ?? item.bytes?.B)?.length ?? 0) <= PART_BYTES)).toBe(true);

    const counted = localDynamoDb();
    const calls = countCommands(counted);
    const found = await splittingCacheAt(counted).lookup('daily_history', 'SPLIT');
    expect(calls).toEqual({ GetItemCommand: 1, QueryCommand: 1 });
    expect(found).toMatchObject({ kind: 'value', entry: { value: series, provider: 'fmp', fresh: true } });
  });

  it("reads only the parts of the version its head names, never other versions' orphans", async () => {
    clock = onTestDay('15:00:00Z');
    const series = await writeSeries('ORPHANS');
    const head = (await partition('daily_history', 'ORPHANS')).find((item) => item.sk?.S === HEAD_SORT_KEY);
    const parts = Number(head?.parts?.N);
    // Twenty full parts each of two versions whose delete failed: left to their TTL, never read again.
    for (const version of ['0rphan00', 'zzorphan']) {
      for (let index = 0; index < 20; index++) {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...partKey('daily_history', 'ORPHANS', version, index),
              bytes: { B: new Uint8Array(PART_BYTES).fill(index) },
            },
          }),
        );
      }
    }
    const counted = localDynamoDb();
    const read = readVolume(counted);
    expect(await valueAt('daily_history', 'ORPHANS', splittingCacheAt(counted))).toEqual(series);
    expect(read.items).toBe(1 + parts);
    expect(read.bytes).toBeLessThan((parts + 1) * (PART_BYTES + 200));
  });

  it('sends every read of a consistent lookup with ConsistentRead, and an ordinary one without', async () => {
    clock = onTestDay('15:00:00Z');
    await writeSeries('STRONG');
    const counted = localDynamoDb();
    const sent = consistencyOfReads(counted);
    await splittingCacheAt(counted).lookup('daily_history', 'STRONG', { consistent: true });
    expect(sent.splice(0)).toEqual([true, true]);
    await splittingCacheAt(counted).lookup('daily_history', 'STRONG');
    expect(sent).toEqual([false, false]);
  });

  it('never assembles a half-written value: parts of a version without its head change nothing, a missing part reads as nothing', async () => {
    clock = onTestDay('15:00:00Z');
    const cache = splittingCacheAt();
    const series = await writeSeries('TORN', cache);
    // A writer that died after its first part, before its head.
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...partKey('daily_history', 'TORN', 'deadbeef', 0), bytes: { B: new Uint8Array([1, 2, 3]) } },
      }),
    );
    expect(await valueAt('daily_history', 'TORN', cache)).toEqual(series);

    // A reader between a head flip and its parts: one part of the version the head names is gone.
    const named = (await partition('daily_history', 'TORN')).find((item) => item.sk?.S === HEAD_SORT_KEY);
    await client.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: partKey('daily_history', 'TORN', named?.version?.S ?? '', 1),
      }),
    );
    expect(await read('daily_history', 'TORN', cache)).toBeNull();
  });

  it("deletes the previous version's parts once the head names the new value", async () => {
    clock = onTestDay('15:00:00Z');
    const cache = splittingCacheAt();
    const source = { provider: 'fmp' as const, fetchedAt: clock };
    const first = twentyYearSeries('AGAIN');
    await cache.write('daily_history', 'AGAIN', first, source, seriesPolicy);
    const second = { ...first, bars: first.bars.slice(1) };
    await cache.write('daily_history', 'AGAIN', second, source, seriesPolicy);
    const items = await partition('daily_history', 'AGAIN');
    const head = items.find((item) => item.sk?.S === HEAD_SORT_KEY);
    expect(items.filter((item) => item !== head).map((item) => item.sk?.S?.split('#')[2])).toEqual(
      Array(Number(head?.parts?.N)).fill(head?.version?.S),
    );
    expect(await valueAt('daily_history', 'AGAIN', cache)).toEqual(second);

    await cache.write('daily_history', 'AGAIN', { ...first, bars: [] }, source, seriesPolicy);
    expect(await partition('daily_history', 'AGAIN')).toHaveLength(1);
  });

  it('refuses a quote too big for one item and leaves the cached one as it was', async () => {
    clock = onTestDay('15:00:00Z');
    const tiny = new DataCache(client, tableName, () => clock, { partBytes: 64 });
    await tiny.write('quote', 'HUGE', { price: 1 }, { provider: 'fmp', fetchedAt: clock }, policy);
    const noise = Array.from({ length: 200 }, (_, i) => `${i * 7919}`).join('');
    await expect(
      tiny.write('quote', 'HUGE', { price: 2, noise }, { provider: 'fmp', fetchedAt: clock }, policy),
    ).rejects.toBeInstanceOf(CacheValueTooLargeError);
    expect(await valueAt('quote', 'HUGE')).toEqual({ price: 1 });
  });
});

describe('a remembered unknown symbol beside the last good value', () => {
  it('answers "not found" while the marker is in force, then the good value again, as stale', async () => {
    clock = onTestDay('15:00:00Z');
    await cacheAt().write('quote', 'GONE', { price: 5 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('15:06:00Z');
    await cacheAt().rememberNotFound('quote', 'GONE', 600);
    expect(await cacheAt().lookup('quote', 'GONE', { consistent: true })).toEqual({ kind: 'not_found' });
    clock = onTestDay('15:16:01Z');
    expect(await read('quote', 'GONE')).toMatchObject({ value: { price: 5 }, fresh: false });
  });

  it('keeps a split value whole under the marker', async () => {
    clock = onTestDay('15:00:00Z');
    const cache = splittingCacheAt();
    const series = await writeSeries('DELISTED', cache);
    await cache.rememberNotFound('daily_history', 'DELISTED', 600);
    expect(await cache.lookup('daily_history', 'DELISTED', { consistent: true })).toEqual({
      kind: 'not_found',
    });
    clock = onTestDay('15:10:01Z');
    expect(await valueAt('daily_history', 'DELISTED', cache)).toEqual(series);
  });

  it('raises the TTL to the end of the marker, never lowers it', async () => {
    clock = onTestDay('15:00:00Z');
    const ttlOf = async (key: string) => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: headKey('quote', key), ConsistentRead: true }),
      );
      return Number(Item?.[DATA_TABLE.timeToLiveAttribute]?.N);
    };
    await cacheAt().rememberNotFound('quote', 'NEVER', 600);
    expect(await ttlOf('NEVER')).toBe(clock.getTime() / 1000 + 600);

    await cacheAt().write('quote', 'LONG', { price: 6 }, { provider: 'fmp', fetchedAt: clock }, policy);
    await cacheAt().rememberNotFound('quote', 'LONG', 600);
    expect(await ttlOf('LONG')).toBe(clock.getTime() / 1000 + 300 + 3600);

    clock = onTestDay('16:00:00Z'); // 5 min before the value's stale window ends
    await cacheAt().rememberNotFound('quote', 'LONG', 600);
    expect(await ttlOf('LONG')).toBe(clock.getTime() / 1000 + 600);
  });

  it('recognizes its own marker when the SDK retries an update that applied but whose reply was lost', async () => {
    clock = onTestDay('15:00:00Z');
    // Every update DynamoDB applies loses its reply; one whose condition fails is answered.
    lossy.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['UpdateItem'] });
    await new DataCache(lossy.dynamodb, tableName, () => clock).rememberNotFound('quote', 'LOST', 600);
    expect(lossy.proxy.stats().dropped).toBe(1);
    expect(await cacheAt().lookup('quote', 'LOST', { consistent: true })).toEqual({ kind: 'not_found' });
  });

  it('is cleared by a good value written after it', async () => {
    clock = onTestDay('15:00:00Z');
    await cacheAt().rememberNotFound('quote', 'BACK', 600);
    await cacheAt().write('quote', 'BACK', { price: 7 }, { provider: 'fmp', fetchedAt: clock }, policy);
    expect(await read('quote', 'BACK')).toMatchObject({ value: { price: 7 }, fresh: true });
  });

  it('comes back from a batch read beside values and misses', async () => {
    clock = onTestDay('15:00:00Z');
    await cacheAt().write('quote', 'B1', { price: 8 }, { provider: 'fmp', fetchedAt: clock }, policy);
    await cacheAt().rememberNotFound('quote', 'B2', 600);
    const found = await cacheAt().lookupMany('quote', ['B1', 'B2', 'B3']);
    expect(Object.fromEntries([...found].map(([key, lookup]) => [key, lookup.kind]))).toEqual({
      B1: 'value',
      B2: 'not_found',
      B3: 'none',
    });
  });
});

describe("a container's memory in front of DynamoDB", () => {
  /** One container: its own client (whose calls are counted) and memory, on the shared table. */
  const container = () => {
    const own = localDynamoDb();
    const calls = countCommands(own);
    const memory = new MemoryCache({ maxEntries: 100, maxBytes: 1024 * 1024 });
    return { cache: new DataCache(own, tableName, () => clock, { memory }), calls, own };
  };
  const reads = (calls: Record<string, number>) =>
    (calls.GetItemCommand ?? 0) + (calls.QueryCommand ?? 0) + (calls.BatchGetItemCommand ?? 0);

  it('answers a repeated fresh hit without a DynamoDB read, in the container that wrote it and in one that read it once', async () => {
    clock = onTestDay('15:00:00Z');
    const writer = container();
    await writer.cache.write('quote', 'WARM', { price: 1 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('15:01:00Z');
    for (let i = 0; i < 3; i++) {
      expect(await writer.cache.lookup('quote', 'WARM')).toMatchObject({
        entry: { value: { price: 1 }, fresh: true },
      });
    }
    expect(reads(writer.calls)).toBe(0);

    const reader = container();
    for (let i = 0; i < 3; i++) {
      expect(await reader.cache.lookup('quote', 'WARM')).toMatchObject({
        entry: { ageSeconds: 60, fresh: true },
      });
    }
    expect(reads(reader.calls)).toBe(1);
  });

  it('reads DynamoDB again once the value it holds is past fresh, and for every consistent read', async () => {
    clock = onTestDay('15:00:00Z');
    const { cache, calls } = container();
    await cache.write('quote', 'AGED', { price: 2 }, { provider: 'fmp', fetchedAt: clock }, policy);
    await cache.lookup('quote', 'AGED', { consistent: true });
    expect(reads(calls)).toBe(1);
    clock = onTestDay('15:05:00Z');
    expect(await cache.lookup('quote', 'AGED')).toMatchObject({ entry: { fresh: false } });
    expect(reads(calls)).toBe(2);
  });

  it("answers a remembered unknown symbol from memory until the marker's end, then asks DynamoDB", async () => {
    clock = onTestDay('15:00:00Z');
    const { cache, calls } = container();
    await cache.rememberNotFound('quote', 'NOPE', 600);
    clock = onTestDay('15:09:59Z');
    expect(await cache.lookup('quote', 'NOPE')).toEqual({ kind: 'not_found' });
    expect(reads(calls)).toBe(0);
    clock = onTestDay('15:10:00Z');
    expect(await cache.lookup('quote', 'NOPE')).toEqual({ kind: 'none' });
    expect(reads(calls)).toBe(1);
  });

  it('serves a batch from memory for the keys it holds fresh, and reads only the others', async () => {
    clock = onTestDay('15:00:00Z');
    const { cache, calls, own } = container();
    const sentKeys: number[] = [];
    countBatchKeys(own, sentKeys);
    await cache.write('quote', 'M1', { price: 1 }, { provider: 'fmp', fetchedAt: clock }, policy);
    await cacheAt().write('quote', 'M2', { price: 2 }, { provider: 'fmp', fetchedAt: clock }, policy);
    const found = await cache.lookupMany('quote', ['M1', 'M2', 'M3']);
    expect([...found.values()].map((lookup) => lookup.kind)).toEqual(['value', 'value', 'none']);
    expect(calls.BatchGetItemCommand).toBe(1);
    expect(sentKeys).toEqual([2]);
  });

  it('keeps serving its own write where a lagging replica still shows nothing', async () => {
    clock = onTestDay('15:00:00Z');
    lossy.proxy.setKnobs({ replicaLagMs: 60_000 });
    const memory = new MemoryCache({ maxEntries: 100, maxBytes: 1024 * 1024 });
    const cache = new DataCache(lossy.dynamodb, tableName, () => clock, { memory });
    expect(await cache.lookup('quote', 'LAGGED')).toEqual({ kind: 'none' });
    await cache.write('quote', 'LAGGED', { price: 9 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('15:06:00Z'); // past fresh: the memory alone no longer answers
    expect(await cache.lookup('quote', 'LAGGED')).toMatchObject({
      kind: 'value',
      entry: { value: { price: 9 }, fresh: false },
    });
    expect(lossy.proxy.stats().staleReads).toBe(1);
  });

  it('keeps what it has seen for when DynamoDB is away: stale within the servable window, nothing past it', async () => {
    clock = onTestDay('15:00:00Z');
    const { cache } = container();
    await cache.write('quote', 'SEEN', { price: 3 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = onTestDay('15:30:00Z');
    expect(await cache.remembered('quote', 'SEEN')).toMatchObject({
      kind: 'value',
      entry: { value: { price: 3 }, fresh: false, ageSeconds: 1800 },
    });
    expect(await cache.remembered('quote', 'OTHER')).toEqual({ kind: 'none' });
    clock = onTestDay('16:05:00Z');
    expect(await cache.remembered('quote', 'SEEN')).toEqual({ kind: 'none' });
  });
});

/** Pushes the number of keys each BatchGetItem of `client` asks for. */
function countBatchKeys(client: DynamoDBClient, sent: number[]): void {
  const middleware =
    (next: (args: unknown) => Promise<unknown>) =>
    async (args: { input: { RequestItems?: Record<string, { Keys?: unknown[] }> } }) => {
      const tables = Object.values(args.input.RequestItems ?? {});
      if (tables.length > 0) sent.push(tables.reduce((sum, table) => sum + (table.Keys?.length ?? 0), 0));
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'countBatchKeys' });
}
