import {
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';

// DynamoDB Local runs transactions one at a time, so it never cancels one for a conflicting
// transaction, and it cannot be made to cancel for a chosen reason: aws-sdk-client-mock plays these.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const LIMITS = { perMinute: 5, perDay: 25 };
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

function limiter() {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  return { waits, limiter: new RateLimiter(client, 'table', { sleep, random: () => 0.5 }) };
}

describe('RateLimiter when DynamoDB cancels its transaction', () => {
  it('tries again after a conflicting transaction, with a growing jittered wait', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('TransactionConflict', 'None'))
      .rejectsOnce(cancelled('None', 'TransactionConflict'))
      .resolves({});
    const { limiter: rateLimiter, waits } = limiter();
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toEqual({ granted: true });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(3);
    expect(waits).toEqual([5, 10]);
  });

  it('refuses as contention when conflicts go on, rather than call without budget', async () => {
    mock.on(TransactWriteItemsCommand).rejects(cancelled('TransactionConflict', 'TransactionConflict'));
    const { limiter: rateLimiter } = limiter();
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toEqual({
      granted: false,
      refusedBy: 'contention',
      resetsAt: T0,
    });
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(8);
  });

  it('names the window whose condition failed, the day when both did', async () => {
    const { limiter: rateLimiter } = limiter();
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None'))
      .rejectsOnce(cancelled('TransactionConflict', 'ConditionalCheckFailed'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toMatchObject({ refusedBy: 'minute' });
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toMatchObject({ refusedBy: 'day' });
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toEqual({
      granted: false,
      refusedBy: 'day',
      resetsAt: Date.UTC(2026, 10, 27),
    });
  });

  it('tries again after a throttled partition cancelled it, and throws if it stays throttled', async () => {
    mock
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('ThrottlingError', 'None'))
      .resolvesOnce({})
      .rejects(cancelled('None', 'ThrottlingError'));
    const { limiter: rateLimiter, waits } = limiter();
    expect(await rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).toEqual({ granted: true });
    expect(waits).toEqual([5]);
    await expect(rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).rejects.toThrow(
      TransactionCanceledException,
    );
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(2 + 8);
  });

  it('throws a cancellation for any other reason: a fault, not an answer', async () => {
    mock.on(TransactWriteItemsCommand).rejects(cancelled('ValidationError', 'None'));
    const { limiter: rateLimiter } = limiter();
    await expect(rateLimiter.take('alpha-vantage', 'k', LIMITS, T0)).rejects.toThrow(
      TransactionCanceledException,
    );
  });
});
