import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { DependencyGuard, guardClient } from '../../../lib/resilience/dependency-guard.js';
import { FakeClock } from '../../support/data-layer.js';

// The SDK's own middleware stack runs (its retries included); its HTTP handler answers in memory,
// one scripted answer per attempt, so no socket is opened.
const quiet: DomainLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const metrics = { dependencyBackoff: () => {} } as unknown as DataLayerMetrics;

function clientAnswering(...answers: ({ status: number; body: object } | Error)[]) {
  return new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryStrategy: new ConfiguredRetryStrategy(answers.length, 0),
    requestHandler: {
      handle: async () => {
        const answer = answers.shift() ?? new Error('no answer scripted');
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

describe('guardClient: answers to attempts', () => {
  it('counts an answer to an earlier attempt as the dependency alive, though the last attempt was refused', async () => {
    const guard = new DependencyGuard({
      dependency: 'dynamodb',
      options: { callTimeoutMs: 5_000, backoffMs: 5_000, maxBackoffMs: 20_000 },
      metrics,
      logger: quiet,
      now: new FakeClock().now,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const client = clientAnswering(
      {
        status: 500,
        body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' },
      },
      refused,
    );
    await expect(
      guardClient(client, guard).send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })),
    ).rejects.toBeDefined();
    expect(guard.status().state).toBe('healthy');
  });
});
