import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';

/**
 * Two `npm start` processes sharing the run's DynamoDB Local and Secrets Manager behave as two Lambda
 * containers of one fleet: a burst of misses for one symbol split across them.
 */
const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `fleet-burst-${run}`;
const fleetEnv = {
  AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
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
  // Slow enough that every request misses the cache while the one call is in flight.
  SANDBOX_LATENCY_MS: '1000',
};
let stacks: LocalStackProcess[] = [];

const quote = (stack: LocalStackProcess, symbol: string) =>
  fetch(`${stack.apiUrl}/api/data/stock/${symbol}`, { headers: { 'x-api-key': CLIENT_KEY } });

const alphaVantageCalls = async (stack: LocalStackProcess) => {
  const stats = (await (await fetch(`${stack.sandboxUrl}/__sandbox/stats`)).json()) as {
    calls: Record<string, number>;
  };
  return stats.calls['alpha-vantage'] ?? 0;
};

beforeAll(async () => {
  stacks = [await spawnLocalStack(fleetEnv), await spawnLocalStack(fleetEnv)];
  // Load each container's quote handler before the burst (a bad symbol: 400, no provider call), so
  // neither joins late because of its cold start.
  for (const stack of stacks) expect((await quote(stack, 'NOT_A%20SYMBOL!')).status).toBe(400);
});

afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
});

describe('a burst of requests for one uncached symbol across two local stacks sharing DynamoDB Local', () => {
  it('makes exactly one Alpha Vantage call for 40 concurrent requests, and answers every one 200', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => quote(stacks[i % 2] as LocalStackProcess, 'FLEETBURST')),
    );
    const calls = await Promise.all(stacks.map(alphaVantageCalls));

    expect(calls.reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
    const prices = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { data: { price: number } }).data.price),
    );
    expect(new Set(prices).size).toBe(1);
    const lines = stacks.flatMap((stack) => stack.output());
    // Every request missed the cache: the one fill served them all, across both containers.
    expect(metricTotal(lines, 'cache_misses_total')).toBe(40);
    expect(metricTotal(lines, 'cache_coalesced_waits_total')).toBe(39);
  });
});
