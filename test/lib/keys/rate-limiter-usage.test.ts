import {
  DynamoDBClient,
  QueryCommand,
  TransactionConflictException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';

// What the limiter sends and how it reads the answers, with the client mocked: a transaction DynamoDB
// answers with a conflict exception of its own (not a cancellation), and a usage Query's items as the
// windows' items hold them. The budgets against a real table are in test/integration/rate-limiter.test.ts.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = `m#${Math.floor(T0 / 60_000)}`;
const DAY = 'd#2026-11-26';
const limiter = () => new RateLimiter(client, 'table', { sleep: async () => {}, random: () => 0.5 });
const usageItem = (keyId: string, window: string, calls: number) => ({
  keyId: { S: keyId },
  window: { S: window },
  calls: { N: String(calls) },
});

describe('RateLimiter.take', () => {
  it('counts only the day when the key has no minute limit, with no condition where there is no limit', async () => {
    mock.on(TransactWriteItemsCommand).resolves({});
    expect(await limiter().take('fmp', 'k', {}, T0)).toEqual({ granted: true });
    const [call] = mock.commandCalls(TransactWriteItemsCommand);
    const items = call?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(1);
    expect(items[0]?.Update?.Key?.sk).toEqual({ S: `k#${DAY}` });
    expect(items[0]?.Update?.ConditionExpression).toBeUndefined();
    expect(items[0]?.Update?.ExpressionAttributeValues?.[':limit']).toBeUndefined();
  });

  it('counts both windows, each conditional on its limit, under one idempotency token per round', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(new TransactionConflictException({ message: 'conflict', $metadata: {} }))
      .resolves({});
    expect(await limiter().take('alpha-vantage', 'k', { perMinute: 5, perDay: 25 }, T0)).toEqual({
      granted: true,
    });
    const calls = mock.commandCalls(TransactWriteItemsCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first?.TransactItems?.map((item) => item.Update?.ExpressionAttributeValues?.[':limit'])).toEqual([
      { N: '5' },
      { N: '25' },
    ]);
    expect(first?.TransactItems?.map((item) => item.Update?.Key?.sk?.S)).toEqual([`k#${MINUTE}`, `k#${DAY}`]);
    // A cancelled round applied nothing: the next round is a new request, with a new token.
    expect(first?.ClientRequestToken).toBeDefined();
    expect(second?.ClientRequestToken).not.toBe(first?.ClientRequestToken);
  });

  it('throws a fault that is no transaction answer as it was', async () => {
    const fault = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    mock.on(TransactWriteItemsCommand).rejects(fault);
    await expect(limiter().take('alpha-vantage', 'k', { perMinute: 5 }, T0)).rejects.toBe(fault);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });
});

describe('RateLimiter.usage', () => {
  it("reads each key's calls in the current minute and day from one Query of the provider's partition", async () => {
    mock.on(QueryCommand).resolves({
      Items: [
        usageItem('a', MINUTE, 3),
        usageItem('a', DAY, 17),
        usageItem('b', DAY, 4),
        // A key no longer in the pool is left out.
        usageItem('gone', DAY, 9),
      ],
    });
    const usage = await limiter().usage('alpha-vantage', ['a', 'b', 'c'], T0);
    expect(Object.fromEntries(usage)).toEqual({
      a: { minute: 3, day: 17 },
      b: { minute: 0, day: 4 },
      c: { minute: 0, day: 0 },
    });
    const [query] = mock.commandCalls(QueryCommand);
    expect(query?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': { S: 'keyusage#alpha-vantage' },
      ':minute': { S: MINUTE },
      ':day': { S: DAY },
    });
  });

  it('takes an item without a key, window or count as no calls', async () => {
    mock
      .on(QueryCommand)
      .resolves({ Items: [{ window: { S: DAY } }, { keyId: { S: 'a' }, window: { S: DAY } }] });
    const usage = await limiter().usage('fmp', ['a'], T0);
    expect(usage.get('a')).toEqual({ minute: 0, day: 0 });
  });
});
