import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/** One scripted HTTP answer of DynamoDB, or a network failure. */
export type ScriptedAnswer = { status: number; body: object } | Error;

/**
 * A DynamoDB client whose HTTP handler answers in memory with `respond`'s status and body, one call
 * per attempt. The SDK makes `maxAttempts` attempts with no wait between them: what tests count is
 * attempts, not the SDK's delays.
 */
export function scriptedDynamoDbClient(respond: () => ScriptedAnswer, maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, 0),
    requestHandler: {
      handle: async () => {
        const answer = respond();
        if (answer instanceof Error) throw answer;
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: new TextEncoder().encode(JSON.stringify(answer.body)),
          },
        };
      },
    } as never,
  });
}
