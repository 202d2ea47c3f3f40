import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { RateLimiter, type TakeResult } from '../../lib/keys/rate-limiter.js';
import { countCommands } from '../support/call-counter.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { T0_MIDNIGHT as MIDNIGHT, MINUTE, T0, T0_MINUTE_END } from '../support/key-fleet.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const client = localDynamoDb();
const calls = countCommands(client);

let tableName: string;
/** Each limiter is one Lambda container; they share only the table. */
let containers: RateLimiter[];

beforeEach(async () => {
  tableName = await freshDataTable(client, 'rate-limiter');
  containers = Array.from({ length: 5 }, () => new RateLimiter(client, tableName));
});

const granted = (results: TakeResult[]) => results.filter((result) => result.granted).length;

describe('RateLimiter on DynamoDB Local', () => {
  it('grants exactly the limit to 50 concurrent takers across five containers', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        containers[i % 5]?.take('alpha-vantage', 'solo', { perMinute: 5, perDay: 25 }, T0),
      ),
    );
    expect(granted(results.flatMap((result) => result ?? []))).toBe(5);
    const usage = await containers[0]?.usage('alpha-vantage', ['solo'], T0);
    expect(usage?.get('solo')).toEqual({ minute: 5, day: 5 });
  });

  it('grants again in the next minute and says when a refusing minute ends', async () => {
    const limiter = new RateLimiter(client, tableName);
    const limits = { perMinute: 2, perDay: 25 };
    await limiter.take('alpha-vantage', 'solo', limits, T0);
    await limiter.take('alpha-vantage', 'solo', limits, T0);
    expect(await limiter.take('alpha-vantage', 'solo', limits, T0)).toEqual({
      granted: false,
      refusedBy: 'minute',
      resetsAt: T0_MINUTE_END,
    });
    expect(await limiter.take('alpha-vantage', 'solo', limits, T0 + MINUTE)).toEqual({ granted: true });
  });

  it('counts a call in both windows or in neither', async () => {
    const limiter = new RateLimiter(client, tableName);
    const limits = { perMinute: 5, perDay: 7 };
    const minute1 = await Promise.all(
      Array.from({ length: 6 }, () => limiter.take('alpha-vantage', 'solo', limits, T0)),
    );
    expect(granted(minute1)).toBe(5);
    // The minute refused the sixth call: the day did not spend a call on it.
    expect((await limiter.usage('alpha-vantage', ['solo'], T0)).get('solo')).toEqual({ minute: 5, day: 5 });

    const minute2 = [];
    for (let i = 0; i < 3; i++)
      minute2.push(await limiter.take('alpha-vantage', 'solo', limits, T0 + MINUTE));
    expect(minute2.map((result) => result.granted)).toEqual([true, true, false]);
    expect(minute2[2]).toEqual({ granted: false, refusedBy: 'day', resetsAt: MIDNIGHT });
    // The day refused the third call: the minute did not spend a call on it either.
    expect((await limiter.usage('alpha-vantage', ['solo'], T0 + MINUTE)).get('solo')).toEqual({
      minute: 2,
      day: 7,
    });
  });

  it('refuses the 26th call of the day across minutes and grants again after midnight UTC', async () => {
    const limiter = new RateLimiter(client, tableName);
    const limits = { perMinute: 5, perDay: 25 };
    let grants = 0;
    for (let minute = 0; minute < 6; minute++) {
      for (let call = 0; call < 5; call++) {
        const result = await limiter.take('alpha-vantage', 'solo', limits, T0 + minute * MINUTE);
        if (result.granted) grants++;
      }
    }
    expect(grants).toBe(25);
    expect(await limiter.take('alpha-vantage', 'solo', limits, MIDNIGHT - 1)).toMatchObject({
      granted: false,
      refusedBy: 'day',
    });
    expect(await limiter.take('alpha-vantage', 'solo', limits, MIDNIGHT)).toEqual({ granted: true });
  });

  it("stores one item per key and quota day, the minute's window inside it, with a TTL a little past the day's end", async () => {
    const limiter = new RateLimiter(client, tableName);
    await limiter.take('alpha-vantage', 'solo', { perMinute: 5, perDay: 25 }, T0);
    await limiter.take('alpha-vantage', 'solo', { perMinute: 5, perDay: 25 }, T0 + MINUTE);
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'keyusage#alpha-vantage' } },
        ConsistentRead: true,
      }),
    );
    expect(Items.map((item) => item.sk?.S)).toEqual([`solo#d#${new Date(T0).toISOString().slice(0, 10)}`]);
    const item = Items[0];
    expect(Number(item?.calls?.N)).toBe(2);
    expect(Number(item?.minute?.N)).toBe(Math.floor((T0 + MINUTE) / MINUTE));
    expect(Number(item?.minuteCalls?.N)).toBe(1);
    const dayExpiry = Number(item?.expiresAt?.N);
    expect(dayExpiry).toBeGreaterThan(MIDNIGHT / 1000);
    expect(dayExpiry).toBeLessThanOrEqual(MIDNIGHT / 1000 + 7_200);
  });

  it('takes a call in one UpdateItem of 1 WRU, a minute window or none, and no transaction', async () => {
    const limiter = new RateLimiter(client, tableName);
    const before = { ...calls };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => limiter.take('fmp', 'solo', { perDay: 3 }, T0)),
    );
    expect(granted(results)).toBe(3);
    expect(results.find((result) => !result.granted)).toEqual({
      granted: false,
      refusedBy: 'day',
      resetsAt: MIDNIGHT,
    });
    expect((calls.TransactWriteItemsCommand ?? 0) - (before.TransactWriteItemsCommand ?? 0)).toBe(0);
    // The first call turns the minute; the other nine guess it and find it turned: one more write each.
    const updates = (calls.UpdateItemCommand ?? 0) - (before.UpdateItemCommand ?? 0);
    expect(updates).toBeLessThanOrEqual(19);
    expect(updates).toBeGreaterThanOrEqual(10);
    const { ConsumedCapacity } = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: 'keyusage#fmp' }, sk: { S: `solo#d#${new Date(T0).toISOString().slice(0, 10)}` } },
        UpdateExpression: 'SET #probe = :probe',
        ExpressionAttributeNames: { '#probe': 'probe' },
        ExpressionAttributeValues: { ':probe': { S: 'x' } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    // The usage item, tokens and all, is under 1 KB: a write of it is 1 WRU.
    expect(ConsumedCapacity?.CapacityUnits).toBe(1);
  });

  it("reads every key's usage today in one Query", async () => {
    const limiter = new RateLimiter(client, tableName);
    const limits = { perMinute: 5, perDay: 25 };
    await limiter.take('alpha-vantage', 'a', limits, T0);
    await limiter.take('alpha-vantage', 'a', limits, T0 + MINUTE);
    await limiter.take('alpha-vantage', 'b', limits, T0 + MINUTE);
    await limiter.take('alpha-vantage', 'a', limits, T0 - 16 * 60 * MINUTE); // yesterday
    const before = calls.QueryCommand ?? 0;
    const usage = await limiter.usage('alpha-vantage', ['a', 'b', 'unused'], T0 + MINUTE);
    expect(Object.fromEntries(usage)).toEqual({
      a: { minute: 1, day: 2 },
      b: { minute: 1, day: 1 },
      unused: { minute: 0, day: 0 },
    });
    expect((calls.QueryCommand ?? 0) - before).toBe(1);
  });
});

describe('RateLimiter when DynamoDB applies a write and its reply is lost, or throttles', () => {
  // The proxy applies a share of the writes in DynamoDB Local and then destroys the connection, as a
  // reply lost on the network; the SDK retries the call. It also throttles as DynamoDB does.
  const lossy = dynamoDbProxyForFile();

  it('grants exactly the limit while the usage partition throttles a quarter of the writes', async () => {
    lossy.proxy.setKnobs({
      // A quarter of the budget writes throttled; the SDK retries them (up to five attempts).
      throttleShare: 0.25,
      throttlePartition: 'keyusage#alpha-vantage',
      throttleOperations: ['UpdateItem'],
    });
    const table = await freshDataTable(lossy.dynamodb, 'rate-limiter-throttled');
    const limiter = new RateLimiter(lossy.dynamodb, table);
    const results: TakeResult[] = [];
    for (let i = 0; i < 8; i++)
      results.push(await limiter.take('alpha-vantage', 'solo', { perMinute: 5, perDay: 25 }, T0));
    expect(results.map((result) => result.granted)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(lossy.proxy.stats().throttled).toBeGreaterThan(0);
  });

  it('grants exactly the limit to 50 concurrent takers across five containers, counting each grant once', async () => {
    // Only an applied write can lose its reply: a limit of 20 makes 20 of them, so some surely do.
    lossy.proxy.setKnobs({ dropAfterApplyShare: 0.3 });
    const table = await freshDataTable(lossy.dynamodb, 'rate-limiter-lossy');
    const limiters = Array.from({ length: 5 }, () => new RateLimiter(lossy.dynamodb, table));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        limiters[i % 5]?.take('alpha-vantage', 'solo', { perMinute: 20, perDay: 100 }, T0),
      ),
    );
    expect(granted(results.flatMap((result) => result ?? []))).toBe(20);
    expect(lossy.proxy.stats().dropped).toBeGreaterThan(0);
    expect((await limiters[0]?.usage('alpha-vantage', ['solo'], T0))?.get('solo')).toEqual({
      minute: 20,
      day: 20,
    });
  });

  it('grants every call of a daily quota one after another, though half the replies are lost', async () => {
    lossy.proxy.setKnobs({ dropAfterApplyShare: 0.5 });
    const table = await freshDataTable(lossy.dynamodb, 'rate-limiter-lossy');
    const limiter = new RateLimiter(lossy.dynamodb, table);
    const results: TakeResult[] = [];
    for (let i = 0; i < 6; i++) results.push(await limiter.take('fmp', 'solo', { perDay: 5 }, T0));
    expect(results.map((result) => result.granted)).toEqual([true, true, true, true, true, false]);
    expect(lossy.proxy.stats().dropped).toBeGreaterThan(0);
    expect((await limiter.usage('fmp', ['solo'], T0)).get('solo')?.day).toBe(5);
  });
});
