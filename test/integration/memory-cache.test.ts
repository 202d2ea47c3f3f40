import { afterAll, describe, expect, it } from 'vitest';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { batchPrices } from '../../lib/services/batch-prices.js';
import { buildDataLayer } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { sandboxOnTestClock, upstreamCalls } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * One container's memory in front of DynamoDB, on the production wiring and default configuration.
 * DynamoDB is this file's proxy in front of DynamoDB Local: it counts every call that reaches it, and
 * "freezes" DynamoDB by holding each call longer than the container's budget for it (DynamoDB Local
 * frozen with SIGSTOP does the same: connections accepted, nothing answered).
 */
const world = sandboxOnTestClock();
const file = dynamoDbProxyForFile({ now: () => world.clock.now() });
const secretsManager = localSecretsManager();
const stdout = captureStdout();
afterAll(() => stdout.restore());

/** The guard's budget per DynamoDB call for these containers (the run's default is 5 s): a hang costs 0.5 s. */
const CALL_BUDGET = { DEPENDENCY_CALL_TIMEOUT_SECONDS: '0.5' };

async function container(env: Record<string, string> = {}) {
  const tableName = await freshDataTable(file.dynamodb, 'memory');
  return buildDataLayer({
    dynamodb: file.dynamodb,
    secretsManager,
    tableName,
    sandbox: world.sandbox,
    clock: world.clock,
    env,
  });
}

/** Reads that reached DynamoDB, of any kind. */
const dynamoDbReads = () => {
  const { calls } = file.proxy.stats();
  return (calls.GetItem ?? 0) + (calls.Query ?? 0) + (calls.BatchGetItem ?? 0);
};

const deadline = () => world.clock.now() + 19_000;

describe("a warm container's memory cache (DynamoDB behind a proxy that counts its calls)", () => {
  it('answers repeated fresh hits, single and batched, without a DynamoDB read', async () => {
    const layer = await container();
    await workDueBy(deadline(), () => layer.service.getQuote('IBM'));
    await workDueBy(deadline(), () => layer.service.getQuote('MSFT'));
    const reads = dynamoDbReads();

    for (let i = 0; i < 3; i++) {
      expect((await workDueBy(deadline(), () => layer.service.getQuote('IBM'))).meta).toMatchObject({
        cache: 'hit',
        stale: false,
      });
    }
    const batch = await workDueBy(deadline(), () => batchPrices(['IBM', 'MSFT'], layer.batchDeps));
    expect(Object.values(batch.results).map((answer) => answer.meta.cache)).toEqual(['hit', 'hit']);
    expect(dynamoDbReads()).toBe(reads);
    expect(upstreamCalls(world.sandbox)).toBe(2);
  });

  it('serves what it has seen, stale, single and batched, while DynamoDB hangs, and asks the providers only for what it has not', async () => {
    const layer = await container(CALL_BUDGET);
    await workDueBy(deadline(), () => layer.service.getQuote('IBM'));
    await workDueBy(deadline(), () => layer.service.getQuote('MSFT'));
    expect(upstreamCalls(world.sandbox)).toBe(2);

    file.proxy.setKnobs({ latencyMs: 3_000 });
    // Past the quotes' freshness and their soft window: without the memory, each would go to the providers.
    const { freshSeconds } = layer.config.cachePolicy.quote;
    world.clock.advance((freshSeconds + layer.config.staleWhileRevalidateSeconds.quote + 60) * 1000);
    for (const symbol of ['IBM', 'MSFT', 'IBM']) {
      const answer = await workDueBy(deadline(), () => layer.service.getQuote(symbol));
      expect(answer.meta).toMatchObject({ cache: 'hit', stale: true, freshForSeconds: 0 });
    }
    const batch = await workDueBy(deadline(), () => batchPrices(['IBM', 'MSFT'], layer.batchDeps));
    expect(Object.values(batch.results).map((answer) => answer.meta.stale)).toEqual([true, true]);
    expect(layer.guards.dynamodb.status().state).toBe('backing_off');
    expect(upstreamCalls(world.sandbox)).toBe(2);

    const unseen = await workDueBy(deadline(), () => layer.service.getQuote('NVDA'));
    expect(unseen.meta).toMatchObject({ cache: 'miss', stale: false });
    expect(upstreamCalls(world.sandbox)).toBe(3);
  });
});
