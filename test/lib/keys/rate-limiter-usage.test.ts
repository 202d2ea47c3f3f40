import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';

// What the limiter sends and how it reads DynamoDB's answers, with the client mocked: a refusal
// carrying the item as it stood (`ReturnValuesOnConditionCheckFailure`), and a usage Query's items.
// The budgets against a real table, lost replies and throttling included, are in
// test/integration/rate-limiter.test.ts.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = Math.floor(T0 / 60_000);
const DAY = 'd#2026-11-26';
const LIMITS = { perMinute: 5, perDay: 25 };
const limiter = () => new RateLimiter(client, 'table', { token: () => 'mine' });
const stored = (fields: { calls: number; minute: number; minuteCalls: number; tokens?: string[] }) =>
  marshall({
    keyId: 'k',
    window: DAY,
    calls: fields.calls,
    minute: fields.minute,
    minuteCalls: fields.minuteCalls,
    ...(fields.tokens ? { tokens: new Set(fields.tokens) } : {}),
  });
const refused = (item: ReturnType<typeof stored>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: item,
  });
const sent = () => mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

describe('RateLimiter.take', () => {
  it("turns the minute on a key's first call here, then counts in it: one UpdateItem each on the day's item", async () => {
    mock.on(UpdateItemCommand).resolves({});
    const rateLimiter = limiter();
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toEqual({ granted: true });
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0 + 1_000)).toEqual({ granted: true });
    const [turn, same] = sent();
    expect(turn?.Key).toEqual(marshall({ pk: 'keyusage#alpha-vantage', sk: `k#${DAY}` }));
    expect(turn?.UpdateExpression).toContain('#minute = :minute');
    expect(turn?.ConditionExpression).toBe(
      '(attribute_not_exists(#minute) OR #minute < :minute) AND (attribute_not_exists(#calls) OR #calls < :perDay)',
    );
    expect(same?.ConditionExpression).toBe(
      '#minute >= :minute AND NOT contains(#tokens, :token) AND #minuteCalls < :perMinute AND (attribute_not_exists(#calls) OR #calls < :perDay)',
    );
    expect(same?.ExpressionAttributeValues?.[':token']).toEqual({ S: 'mine' });
    expect(same?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('states no condition on a window without a limit', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await limiter().take('fmp', 'k', {}, T0);
    expect(sent()[0]?.ConditionExpression).toBe('(attribute_not_exists(#minute) OR #minute < :minute)');
    expect(sent()[0]?.ExpressionAttributeValues?.[':perDay']).toBeUndefined();
  });

  it("counts a key with no per-minute limit in the minute's window with no minute limit in the condition", async () => {
    mock.on(UpdateItemCommand).resolves({});
    const rateLimiter = limiter();
    await rateLimiter.take('fmp', 'k', { perDay: 250 }, T0);
    await rateLimiter.take('fmp', 'k', { perDay: 250 }, T0 + 1_000);
    expect(sent()[1]?.ConditionExpression).toBe(
      '#minute >= :minute AND NOT contains(#tokens, :token) AND (attribute_not_exists(#calls) OR #calls < :perDay)',
    );
    expect(sent()[1]?.ExpressionAttributeValues?.[':perMinute']).toBeUndefined();
  });

  it("starts the minute over when the day's item it counted in is gone (the refusal returns no item)", async () => {
    mock
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      )
      .resolves({});
    const rateLimiter = limiter();
    await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0);
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0 + 1_000)).toEqual({ granted: true });
    expect(sent().map((input) => input.UpdateExpression?.includes('#minute = :minute'))).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('writes the other form when another container turned the minute first', async () => {
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(refused(stored({ calls: 3, minute: MINUTE, minuteCalls: 1, tokens: ['theirs'] })))
      .resolves({});
    expect(await limiter().take('alpha-vantage', 'k', LIMITS, T0)).toEqual({ granted: true });
    expect(sent().map((input) => input.ConditionExpression?.split(' ')[0])).toEqual([
      '(attribute_not_exists(#minute)',
      '#minute',
    ]);
  });

  it('takes a refusal holding its own token as its retried write, applied once: granted', async () => {
    mock
      .on(UpdateItemCommand)
      .rejects(refused(stored({ calls: 25, minute: MINUTE, minuteCalls: 5, tokens: ['mine'] })));
    expect(await limiter().take('alpha-vantage', 'k', LIMITS, T0)).toEqual({ granted: true });
    expect(sent()).toHaveLength(1);
  });

  it('refuses by the day when the day is spent, else by the minute, with the end of the refusing window', async () => {
    mock.on(UpdateItemCommand).rejects(refused(stored({ calls: 25, minute: MINUTE, minuteCalls: 2 })));
    expect(await limiter().take('alpha-vantage', 'k', LIMITS, T0)).toEqual({
      granted: false,
      refusedBy: 'day',
      resetsAt: Date.UTC(2026, 10, 27),
    });
    mock.reset();
    mock.on(UpdateItemCommand).rejects(refused(stored({ calls: 7, minute: MINUTE, minuteCalls: 5 })));
    expect(await limiter().take('alpha-vantage', 'k', LIMITS, T0)).toEqual({
      granted: false,
      refusedBy: 'minute',
      resetsAt: (MINUTE + 1) * 60_000,
    });
  });

  it('refuses as contention when the item changes under every write, rather than call without budget', async () => {
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(refused(stored({ calls: 1, minute: MINUTE, minuteCalls: 1 })))
      .rejectsOnce(refused(stored({ calls: 1, minute: MINUTE - 1, minuteCalls: 1 })))
      .rejectsOnce(refused(stored({ calls: 1, minute: MINUTE, minuteCalls: 1 })))
      .rejects(refused(stored({ calls: 1, minute: MINUTE - 1, minuteCalls: 1 })));
    expect(await limiter().take('alpha-vantage', 'k', LIMITS, T0)).toEqual({
      granted: false,
      refusedBy: 'contention',
      resetsAt: T0,
    });
    expect(sent()).toHaveLength(4);
  });

  it('throws a fault that is no refusal as it was', async () => {
    const fault = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    mock.on(UpdateItemCommand).rejects(fault);
    await expect(limiter().take('alpha-vantage', 'k', LIMITS, T0)).rejects.toBe(fault);
    expect(sent()).toHaveLength(1);
  });
});

describe('RateLimiter.usage', () => {
  it("reads each key's calls today and in the current minute from one consistent Query of the provider's partition", async () => {
    mock.on(QueryCommand).resolves({
      Items: [
        stored({ calls: 17, minute: MINUTE, minuteCalls: 3 }),
        { ...stored({ calls: 4, minute: MINUTE - 1, minuteCalls: 2 }), keyId: { S: 'b' } },
        // A key no longer in the pool is left out.
        { ...stored({ calls: 9, minute: MINUTE, minuteCalls: 1 }), keyId: { S: 'gone' } },
      ],
    });
    const usage = await limiter().usage('alpha-vantage', ['k', 'b', 'c'], T0);
    expect(Object.fromEntries(usage)).toEqual({
      k: { minute: 3, day: 17 },
      b: { minute: 0, day: 4 },
      c: { minute: 0, day: 0 },
    });
    const [query] = mock.commandCalls(QueryCommand);
    expect(query?.args[0].input.ConsistentRead).toBe(true);
    expect(query?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': { S: 'keyusage#alpha-vantage' },
      ':day': { S: DAY },
    });
  });

  it('takes an item without a key or count as no calls', async () => {
    mock
      .on(QueryCommand)
      .resolves({ Items: [{ window: { S: DAY } }, { keyId: { S: 'k' }, window: { S: DAY } }] });
    const usage = await limiter().usage('fmp', ['k'], T0);
    expect(usage.get('k')).toEqual({ minute: 0, day: 0 });
  });
});
