import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { DependencyGuard, guardClient } from '../../../lib/resilience/dependency-guard.js';
import { FakeClock } from '../../support/data-layer.js';

const quiet: DomainLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const metrics = { dependencyBackoff: () => {} } as unknown as DataLayerMetrics;

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

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('guardClient: the SDK call under the guard’s budget', () => {
  it('hands the SDK a signal that aborts the hung call when the budget runs out', async () => {
    const guard = new DependencyGuard({
      dependency: 'dynamodb',
      options: { callTimeoutMs: 1_000, backoffMs: 5_000, maxBackoffMs: 20_000 },
      metrics,
      logger: quiet,
      now: new FakeClock().now,
    });
    const sending = guardClient(hungClient, guard).send(command() as never);
    const settled = sending.then(
      () => 'answered',
      (error: { reason?: string }) => error.reason,
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(settled).resolves.toBe('timed_out');
  });
});
