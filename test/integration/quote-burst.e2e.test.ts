import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { startContainerStack } from '../support/container-stack.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { captureOutput } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `burst-client-${run}`;
let stack: LocalStack;
const output = captureOutput();
/** The stack's DynamoDB: this file's proxy, its replica lagging 1 s as the run's does, so a test can add faults. */
const file = dynamoDbProxyForFile({ knobs: { replicaLagMs: 1_000 } });

beforeAll(async () => {
  stack = await startContainerStack('burst', {
    AWS_ENDPOINT_URL_DYNAMODB: file.proxy.endpoint,
    LOCAL_API_KEY: CLIENT_KEY,
    // Issue 9's scenario, so the order is pinned: Alpha Vantage the only quote provider, on a key with
    // its free limits (5 calls a minute; 25 a day, the provider's default for a real key).
    PROVIDER_ORDER_QUOTE: 'alpha-vantage',
    ALPHA_VANTAGE_API_KEY: `AV-FREE-${run}`,
    ALPHA_VANTAGE_RATE_LIMIT: '5',
  });
});

afterAll(async () => {
  output.restore();
  await stack?.close();
});

/** `n` concurrent requests for `symbol`: each one's status and body. */
async function burst(symbol: string, n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const response = await fetch(`${stack.baseUrl}/api/data/stock/${symbol}`, {
        headers: { 'x-api-key': CLIENT_KEY },
      });
      return { status: response.status, body: (await response.json()) as { data: { price: number } } };
    }),
  );
}

describe('a burst of requests for one uncached symbol through one local stack', () => {
  it('makes exactly one Alpha Vantage call for 50 concurrent requests, and answers every one 200', async () => {
    // The sandbox enforces the free plan too, and answers slowly enough that every request misses
    // the cache while the one call is in flight.
    stack.sandbox.setKnobs({ 'alpha-vantage': { latencyMs: 1_000, throttleAfter: 5, dailyLimit: 25 } });
    const answers = await burst('BURST', 50);

    expect(stack.sandbox.stats().calls['alpha-vantage']).toBe(1);
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((answer) => answer.body.data.price)).size).toBe(1);
    const lines = output.lines();
    // Every request missed the cache; 49 of them shared the one fill this container ran.
    expect(metricTotal(lines, 'cache_misses_total')).toBe(50);
    expect(metricTotal(lines, 'cache_coalesced_waits_total', { outcome: 'shared' })).toBe(49);
  });
});

describe('a burst while DynamoDB applies writes and loses their replies', () => {
  it('makes one Alpha Vantage call for 10 concurrent requests, answering each 200 without waiting on its own lease', async () => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { latencyMs: 1_000, throttleAfter: 5, dailyLimit: 25 } });
    // Every PutItem applies and loses its reply, the lease claim's included: the SDK retries it, and
    // the retry's condition fails against the claim itself.
    file.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['PutItem'] });
    const callsBefore = stack.sandbox.stats().calls['alpha-vantage'] ?? 0;
    const linesBefore = output.lines().length;
    const answers = await burst('LOSTREPLY', 10);

    expect(file.proxy.stats().dropped).toBeGreaterThan(0);
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect((stack.sandbox.stats().calls['alpha-vantage'] ?? 0) - callsBefore).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.data.price)).size).toBe(1);
    // Had the leader taken its own claim for another's, it would have waited for it to lapse (15 s),
    // then taken it over.
    expect(metricTotal(output.lines().slice(linesBefore), 'cache_lease_takeovers_total')).toBe(0);
  });
});
