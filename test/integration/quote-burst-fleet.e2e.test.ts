import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { startDynamoDbTap } from '../support/dynamodb-tap.js';
import { startGatedUpstream } from '../support/gated-upstream.js';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';

/**
 * Two `npm start` processes sharing the run's DynamoDB Local and Secrets Manager behave as two Lambda
 * containers of one fleet: a burst of misses for one symbol split across them. Both reach DynamoDB
 * through a tap in this process, which tells when every request has read the cache, and Alpha Vantage
 * through a gate, which holds the one call until then, whatever the machine's load.
 */
const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `fleet-burst-${run}`;
let stacks: LocalStackProcess[] = [];
let gate: Awaited<ReturnType<typeof startGatedUpstream>>;
let tap: Awaited<ReturnType<typeof startDynamoDbTap>>;

const quote = (stack: LocalStackProcess, symbol: string) =>
  fetch(`${stack.apiUrl}/api/data/stock/${symbol}`, { headers: { 'x-api-key': CLIENT_KEY } });

const alphaVantageCalls = async (stack: LocalStackProcess) => {
  const stats = (await (await fetch(`${stack.sandboxUrl}/__sandbox/stats`)).json()) as {
    calls: Record<string, number>;
  };
  return stats.calls['alpha-vantage'] ?? 0;
};

beforeAll(async () => {
  gate = await startGatedUpstream();
  tap = await startDynamoDbTap(inject('dynamodbEndpoint'));
  const fleetEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: tap.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('secretsManagerEndpoint'),
    DATA_TABLE_NAME: `e2e-fleet-burst-${run}`,
    KEY_POOL_SECRET_PREFIX: `e2e-fleet-burst-${run}/`,
    LOCAL_API_KEY: CLIENT_KEY,
    // Issue 9's scenario, so the order is pinned: Alpha Vantage the only quote provider, on a key with
    // its free limits (5 calls a minute; 25 a day, the provider's default for a real key), which each
    // stack's sandbox enforces too.
    PROVIDER_ORDER_QUOTE: 'alpha-vantage',
    ALPHA_VANTAGE_API_KEY: `AV-FREE-${run}`,
    ALPHA_VANTAGE_RATE_LIMIT: '5',
    SANDBOX_THROTTLE_AFTER: '5',
    SANDBOX_DAILY_LIMIT: '25',
    ALPHA_VANTAGE_BASE_URL: gate.url,
    // The held call must outlive the burst's arrival on a busy machine (the default 5 s might not):
    // a timeout would be a second call, which is what this test counts.
    PROVIDER_TIMEOUT_SECONDS: '20',
    // DynamoDB Local on a busy 2-core machine can take longer than the run's 5 s call budget: the
    // container's guard would then skip DynamoDB for a while (fail open), and the burst would neither
    // read the cache nor share one lease. The guard's own course is the freeze test's subject.
    DEPENDENCY_CALL_TIMEOUT_SECONDS: '15',
  };
  stacks = [await spawnLocalStack(fleetEnv), await spawnLocalStack(fleetEnv)];
  // Load each container's quote handler before the burst (a bad symbol: 400, no provider call), so
  // neither joins late because of its cold start.
  for (const stack of stacks) expect((await quote(stack, 'NOT_A%20SYMBOL!')).status).toBe(400);
  // Two stacks, each a Node process to start: a minute or more on a busy machine.
}, 180_000);

afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
  await gate?.close();
  await tap?.close();
});

describe('a burst of requests for one uncached symbol across two local stacks sharing DynamoDB Local', () => {
  it('makes exactly one Alpha Vantage call for 40 concurrent requests, and answers every one 200', async () => {
    const answers = Promise.all(
      Array.from({ length: 40 }, (_, i) => quote(stacks[i % 2] as LocalStackProcess, 'FLEETBURST')),
    );
    try {
      // Every request has its cache read's answer (a miss: the one call is still held) before the call
      // can end. Bounded below the held call's timeout, so a burst that never arrives fails here, loudly.
      await vi.waitFor(
        () => {
          const reads = tap.finishedCacheReads('FLEETBURST');
          if (reads < 40) throw new Error(`${reads} of 40 requests have read the cache`);
        },
        { timeout: 12_000, interval: 10 },
      );
    } finally {
      gate.open({ forwardTo: `${stacks[0]?.sandboxUrl}/alpha-vantage` });
    }
    const responses = await answers;
    const calls = await Promise.all(stacks.map(alphaVantageCalls));

    expect(gate.calls()).toBe(1);
    expect(calls.reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
    const prices = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { data: { price: number } }).data.price),
    );
    expect(new Set(prices).size).toBe(1);
    // Every request missed the cache: the one fill served them all, across both containers. (A child
    // writes its metrics before it answers; its pipe may reach this process after the answer.)
    await vi.waitFor(
      () => {
        const lines = stacks.flatMap((stack) => stack.output());
        expect(metricTotal(lines, 'cache_misses_total')).toBe(40);
        expect(metricTotal(lines, 'cache_coalesced_waits_total')).toBe(39);
      },
      { timeout: 10_000, interval: 20 },
    );
  }, 60_000);
});
