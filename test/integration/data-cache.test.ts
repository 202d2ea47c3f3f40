import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dayOf, isoDay, tradingDaysBetween } from '../../infra/local/sandbox/calendar.js';
import { barsOn, companyFor } from '../../infra/local/sandbox/market-generator.js';
import { HEAD_SORT_KEY, headKey, partKey } from '../../lib/cache/cache-items.js';
import { CacheValueTooLargeError, DataCache } from '../../lib/cache/data-cache.js';
import type { DataType } from '../../lib/model/data-types.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { countCommands } from '../support/call-counter.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const client = localDynamoDb();
const policy = { freshSeconds: 300, maxStaleSeconds: 3600 };
let tableName: string;
let clock = new Date('2026-11-26T15:00:00Z');
const cacheAt = () => new DataCache(client, tableName, () => clock);
/** The entry a lookup finds, or null when it finds none. */
const read = async (dataType: DataType, key: string, cache = cacheAt()) => {
  const found = await cache.lookup(dataType, key);
  return found.kind === 'value' ? found.entry : found.kind === 'none' ? null : found;
};

/** The value a lookup finds, or the kind of what it found instead. */
const valueAt = async (dataType: DataType, key: string, cache = cacheAt()) => {
  const found = await cache.lookup(dataType, key);
  return found.kind === 'value' ? found.entry.value : found.kind;
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
        Key: headKey('quote', 'AAPL'),
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
        Key: headKey('quote', 'TSLA'),
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

/** A 20-year daily series as the sandbox generates it (~5200 bars, ~600 KB of JSON). */
function twentyYearSeries(symbol: string) {
  const today = dayOf(clock);
  const bars = barsOn(companyFor(symbol), tradingDaysBetween(today - 20 * 366, today)).map(
    ({ previousClose: _, ...bar }) => ({ ...bar, adjustedClose: null }),
  );
  return { symbol, currency: null, bars, covers: { from: isoDay(today - 20 * 366), to: isoDay(today) } };
}

/** Every item of a cached thing's partition, as stored. */
async function partition(dataType: string, key: string) {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `${dataType}#${key}` } },
    }),
  );
  return Items;
}

const seriesPolicy = { freshSeconds: 3600, maxStaleSeconds: 7 * 24 * 3600 };
const PART_BYTES = 16 * 1024;
/** A cache that splits anything over 16 KiB, so a 20-year series (~118 KB compressed) takes 8 parts. */
const splittingCacheAt = (own = client) =>
  new DataCache(own, tableName, () => clock, { partBytes: PART_BYTES });

describe('values too big for one item', () => {
  it('stores a 20-year series compressed in one item, far below the 400 KB limit its JSON would break', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
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

  it('reads a value split across parts back whole with one Query', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    const series = twentyYearSeries('SPLIT');
    await splittingCacheAt().write(
      'daily_history',
      'SPLIT',
      series,
      { provider: 'fmp', fetchedAt: clock },
      seriesPolicy,
    );
    const items = await partition('daily_history', 'SPLIT');
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((item) => ((item.value?.B ?? item.bytes?.B)?.length ?? 0) <= PART_BYTES)).toBe(true);

    const counted = localDynamoDb();
    const calls = countCommands(counted);
    const found = await splittingCacheAt(counted).lookup('daily_history', 'SPLIT');
    expect(calls).toEqual({ QueryCommand: 1 });
    expect(found).toMatchObject({ kind: 'value', entry: { value: series, provider: 'fmp', fresh: true } });
  });

  it('never assembles a half-written value: parts of a version without its head change nothing, a missing part reads as nothing', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    const series = twentyYearSeries('TORN');
    const cache = splittingCacheAt();
    await cache.write('daily_history', 'TORN', series, { provider: 'fmp', fetchedAt: clock }, seriesPolicy);
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
    clock = new Date('2026-11-26T15:00:00Z');
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
    clock = new Date('2026-11-26T15:00:00Z');
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
    clock = new Date('2026-11-26T15:00:00Z');
    await cacheAt().write('quote', 'GONE', { price: 5 }, { provider: 'fmp', fetchedAt: clock }, policy);
    clock = new Date('2026-11-26T15:06:00Z');
    await cacheAt().rememberNotFound('quote', 'GONE', 600);
    expect(await cacheAt().lookup('quote', 'GONE')).toEqual({ kind: 'not_found' });
    clock = new Date('2026-11-26T15:16:01Z');
    expect(await read('quote', 'GONE')).toMatchObject({ value: { price: 5 }, fresh: false });
  });

  it('keeps a split value whole under the marker', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    const series = twentyYearSeries('DELISTED');
    const cache = splittingCacheAt();
    await cache.write(
      'daily_history',
      'DELISTED',
      series,
      { provider: 'fmp', fetchedAt: clock },
      seriesPolicy,
    );
    await cache.rememberNotFound('daily_history', 'DELISTED', 600);
    expect(await cache.lookup('daily_history', 'DELISTED')).toEqual({ kind: 'not_found' });
    clock = new Date('2026-11-26T15:10:01Z');
    expect(await valueAt('daily_history', 'DELISTED', cache)).toEqual(series);
  });

  it('raises the TTL to the end of the marker, never lowers it', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    const ttlOf = async (key: string) => {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: headKey('quote', key) }),
      );
      return Number(Item?.[DATA_TABLE.timeToLiveAttribute]?.N);
    };
    await cacheAt().rememberNotFound('quote', 'NEVER', 600);
    expect(await ttlOf('NEVER')).toBe(clock.getTime() / 1000 + 600);

    await cacheAt().write('quote', 'LONG', { price: 6 }, { provider: 'fmp', fetchedAt: clock }, policy);
    await cacheAt().rememberNotFound('quote', 'LONG', 600);
    expect(await ttlOf('LONG')).toBe(clock.getTime() / 1000 + 300 + 3600);

    clock = new Date('2026-11-26T16:00:00Z'); // 5 min before the value's stale window ends
    await cacheAt().rememberNotFound('quote', 'LONG', 600);
    expect(await ttlOf('LONG')).toBe(clock.getTime() / 1000 + 600);
  });

  it('is cleared by a good value written after it', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
    await cacheAt().rememberNotFound('quote', 'BACK', 600);
    await cacheAt().write('quote', 'BACK', { price: 7 }, { provider: 'fmp', fetchedAt: clock }, policy);
    expect(await read('quote', 'BACK')).toMatchObject({ value: { price: 7 }, fresh: true });
  });

  it('comes back from a batch read beside values and misses', async () => {
    clock = new Date('2026-11-26T15:00:00Z');
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
