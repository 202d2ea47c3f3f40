import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { DependencyGuard, guardClient } from '../../../lib/resilience/dependency-guard.js';
import { FakeClock } from '../../support/data-layer.js';
import { type ScriptedAnswer, scriptedDynamoDbClient } from '../../support/scripted-dynamodb.js';

// The guard around SDK calls: a client stub that hangs until its signal aborts, and a real client
// whose middleware stack runs (its retries included) over an in-memory HTTP handler, one scripted
// answer per attempt, so no socket is opened.
const quiet: DomainLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const metrics = { dependencyBackoff: () => {} } as unknown as DataLayerMetrics;
const newGuard = () =>
  new DependencyGuard({
    dependency: 'dynamodb',
    options: { callTimeoutMs: 1_000, backoffMs: 5_000, maxBackoffMs: 20_000 },
    metrics,
    logger: quiet,
    now: new FakeClock().now,
  });

afterEach(() => {
  vi.useRealTimers();
});

/** A command with the middleware stack the guard hooks its answer note into (nothing runs it here). */
const command = () => ({ middlewareStack: { add: () => {}, remove: () => true } });

/** An SDK client whose call never answers: it settles only when the signal it was given aborts. */
const hungClient = {
  send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
    new Promise((_, reject) => {
      const signal = options?.abortSignal;
      if (!signal) return reject(new Error('sent without an abort signal: nothing could stop it'));
      signal.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
      );
    }),
};

function clientAnswering(...answers: ScriptedAnswer[]) {
  return scriptedDynamoDbClient(() => answers.shift() ?? new Error('no answer scripted'), answers.length);
}

describe('guardClient: the SDK call under the guard’s budget', () => {
  it('hands the SDK a signal that aborts the hung call when the budget runs out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const guard = newGuard();
    const sending = guardClient(hungClient, guard).send(command() as never);
    const settled = sending.then(
      () => 'answered',
      (error: { reason?: string }) => error.reason,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(settled).resolves.toBe('timed_out');
  });
});

describe('guardClient: answers to attempts', () => {
  it('counts an answer to an earlier attempt as the dependency alive, though the last attempt was refused', async () => {
    const guard = newGuard();
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
