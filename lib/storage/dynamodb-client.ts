import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/**
 * How the DynamoDB client retries a call that DynamoDB answered with throttling (or that a lost
 * connection ended): up to `maxAttempts` attempts, waiting a random time up to `baseDelayMs`
 * before the first retry, doubling before each next one, never more than `maxDelayMs`.
 *
 * Why not the SDK's own: its standard strategy (this version's `Retry.throttlingDelay()`) waits up
 * to 1 s before the first retry of a throttled call, as long as the dependency guard's whole budget
 * for the call (`DEPENDENCY_CALL_TIMEOUT_SECONDS`, 1 s), so a call throttled once could run out its
 * budget in the SDK's sleep and be taken for a hang. DynamoDB's own guidance ("Error retries and
 * exponential backoff" in its developer guide) is up to 50 ms before the first retry, 100 ms before
 * the second, 200 ms before the third. Five attempts wait at most 50 + 100 + 200 + 200 = 550 ms in
 * all, inside the budget with room for the attempts themselves; with a fifth of calls throttled, a
 * call fails all five only 0.2^5 = 1 time in 3 125, and that one is answered (an error DynamoDB sent),
 * so the guard does not back off.
 */
export const DYNAMODB_RETRY = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 200 } as const;

/** The wait before retry number `retry` (1 for the first): full jitter, as DynamoDB's guidance. */
export function dynamoDbRetryDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(DYNAMODB_RETRY.maxDelayMs, DYNAMODB_RETRY.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * A DynamoDB client with the settings every client of the project uses (the Lambda container's and
 * the tests'): the retries above, and a connection not made within a second fails (the guard's budget
 * is what ends a call that connected and hangs; the SDK's `requestTimeout` only logs in this version).
 * `overrides` (endpoint, credentials) go on top.
 */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    retryStrategy: new ConfiguredRetryStrategy(DYNAMODB_RETRY.maxAttempts, (retry) =>
      dynamoDbRetryDelay(retry),
    ),
    requestHandler: { connectionTimeout: 1_000 },
    ...overrides,
  });
}
