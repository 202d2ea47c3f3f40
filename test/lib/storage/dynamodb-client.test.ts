import { describe, expect, it } from 'vitest';
import { DYNAMODB_RETRY, dynamoDbRetryDelay } from '../../../lib/storage/dynamodb-client.js';

describe("the DynamoDB client's retry waits", () => {
  it("wait up to 50, 100 and 200 ms before the first three retries, as DynamoDB's guidance, and never more", () => {
    const longest = (retry: number) => dynamoDbRetryDelay(retry, () => 0.999_999);
    expect([1, 2, 3, 4, 5].map(longest)).toEqual([49, 99, 199, 199, 199]);
    expect(dynamoDbRetryDelay(3, () => 0)).toBe(0);
  });

  it("fit every retry of one call in well under the guard's 1 s budget", () => {
    const retries = Array.from({ length: DYNAMODB_RETRY.maxAttempts - 1 }, (_, i) => i + 1);
    const worst = retries.reduce((sum, retry) => sum + dynamoDbRetryDelay(retry, () => 0.999_999), 0);
    expect(worst).toBeLessThan(600);
  });
});
