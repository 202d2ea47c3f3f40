import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureOutput } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `burst-client-${run}`;
let stack: LocalStack;
const output = captureOutput();

beforeAll(async () => {
  stack = await startContainerStack('burst', {
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

describe('a burst of requests for one uncached symbol through one local stack', () => {
  it('makes exactly one Alpha Vantage call for 50 concurrent requests, and answers every one 200', async () => {
    // The sandbox enforces the free plan too, and answers slowly enough that every request misses
    // the cache while the one call is in flight.
    stack.sandbox.setKnobs({ 'alpha-vantage': { latencyMs: 1_000, throttleAfter: 5, dailyLimit: 25 } });
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${stack.baseUrl}/api/data/stock/BURST`, {
          headers: { 'x-api-key': CLIENT_KEY },
        });
        return { status: response.status, body: (await response.json()) as { data: { price: number } } };
      }),
    );

    expect(stack.sandbox.stats().calls['alpha-vantage']).toBe(1);
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((answer) => answer.body.data.price)).size).toBe(1);
    const lines = output.lines();
    // Every request missed the cache; 49 of them shared the one fill this container ran.
    expect(metricTotal(lines, 'cache_misses_total')).toBe(50);
    expect(metricTotal(lines, 'cache_coalesced_waits_total', { outcome: 'shared' })).toBe(49);
  });
});
