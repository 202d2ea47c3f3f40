import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { finishedCacheReads } from '../support/call-counter.js';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { startContainerStack } from '../support/container-stack.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { startGatedUpstream } from '../support/gated-upstream.js';
import { captureOutput } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `burst-client-${run}`;
let stack: LocalStack;
let gate: Awaited<ReturnType<typeof startGatedUpstream>>;
/** Cache reads of a symbol the stack's container has finished. */
let cacheReadsOf: (symbol: string) => () => number;
const output = captureOutput();
/** The stack's DynamoDB: this file's proxy, its replica lagging 1 s as the run's does, so a test can add faults. */
const file = dynamoDbProxyForFile({ knobs: { replicaLagMs: 1_000 } });

beforeAll(async () => {
  // Alpha Vantage is reached through a gate the test opens: the one provider call is held until every
  // request of a burst has read the cache, whatever the machine's load, so each of them misses.
  gate = await startGatedUpstream();
  stack = await startContainerStack('burst', {
    AWS_ENDPOINT_URL_DYNAMODB: file.proxy.endpoint,
    LOCAL_API_KEY: CLIENT_KEY,
    // Issue 9's scenario, so the order is pinned: Alpha Vantage the only quote provider, on a key with
    // its free limits (5 calls a minute; 25 a day, the provider's default for a real key).
    PROVIDER_ORDER_QUOTE: 'alpha-vantage',
    ALPHA_VANTAGE_API_KEY: `AV-FREE-${run}`,
    ALPHA_VANTAGE_RATE_LIMIT: '5',
    ALPHA_VANTAGE_BASE_URL: gate.url,
    // The held call must outlive the burst's arrival on a busy machine (the default 5 s might not):
    // a timeout would be a second call, which is what this test counts.
    PROVIDER_TIMEOUT_SECONDS: '20',
    // DynamoDB Local on a busy 2-core machine can take longer than the run's 5 s call budget: the
    // container's guard would then skip DynamoDB for a while (fail open), and the burst would neither
    // read the cache nor share one lease. The guard's own course is the freeze test's subject.
    DEPENDENCY_CALL_TIMEOUT_SECONDS: '15',
  });
  // The container the gateway runs the handlers in (this process, loaded once): its DynamoDB client.
  const { clients } = await import('../../functions/shared/container.js');
  cacheReadsOf = (symbol) => finishedCacheReads(clients.dynamodb, symbol);
});

afterAll(async () => {
  output.restore();
  await stack?.close();
  await gate?.close();
});

/**
 * `n` concurrent requests for `symbol`, the provider's call held at the gate until every one of them
 * has read the cache (and found nothing): each one's status and body.
 */
async function burst(symbol: string, n: number) {
  gate.hold();
  const cacheReads = cacheReadsOf(symbol);
  const answers = Promise.all(
    Array.from({ length: n }, async () => {
      const response = await fetch(`${stack.baseUrl}/api/data/stock/${symbol}`, {
        headers: { 'x-api-key': CLIENT_KEY },
      });
      return {
        status: response.status,
        body: (await response.json()) as { data: { price: number }; meta?: unknown },
      };
    }),
  );
  try {
    // Bounded below the held call's timeout, so a burst that never arrives fails here, loudly.
    await vi.waitFor(
      () => {
        if (cacheReads() < n) throw new Error(`${cacheReads()} of ${n} requests have read the cache`);
      },
      { timeout: 15_000, interval: 10 },
    );
  } finally {
    gate.open({ forwardTo: stack.sandbox.baseUrls['alpha-vantage'] });
  }
  return answers;
}

/** The first answer that is not a 200, for a failure's message. */
const refused = (answers: { status: number; body: unknown }[]) =>
  JSON.stringify(answers.find((answer) => answer.status !== 200)?.body);

describe('a burst of requests for one uncached symbol through one local stack', () => {
  it('makes exactly one Alpha Vantage call for 50 concurrent requests, and answers every one 200', async () => {
    // The sandbox enforces the free plan too.
    stack.sandbox.setKnobs({ 'alpha-vantage': { throttleAfter: 5, dailyLimit: 25 } });
    const callsBefore = gate.calls();
    const answers = await burst('BURST', 50);

    expect(gate.calls() - callsBefore).toBe(1);
    expect(stack.sandbox.stats().calls['alpha-vantage']).toBe(1);
    expect(
      answers.map((answer) => answer.status),
      refused(answers),
    ).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((answer) => answer.body.data.price)).size).toBe(1);
    const lines = output.lines();
    // Every request missed the cache; 49 of them shared the one fill this container ran.
    expect(metricTotal(lines, 'cache_misses_total')).toBe(50);
    expect(metricTotal(lines, 'cache_coalesced_waits_total', { outcome: 'shared' })).toBe(49);
  });
});

describe('a burst while DynamoDB applies writes and loses their replies', () => {
  it('makes one Alpha Vantage call for 10 concurrent requests, answering each 200 without waiting on its own lease', async () => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { throttleAfter: 5, dailyLimit: 25 } });
    // Every PutItem applies and loses its reply, the lease claim's included: the SDK retries it, and
    // the retry's condition fails against the claim itself.
    file.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['PutItem'] });
    const callsBefore = gate.calls();
    const linesBefore = output.lines().length;
    const answers = await burst('LOSTREPLY', 10);

    expect(file.proxy.stats().dropped).toBeGreaterThan(0);
    expect(
      answers.map((answer) => answer.status),
      refused(answers),
    ).toEqual(Array(10).fill(200));
    expect(gate.calls() - callsBefore).toBe(1);
    expect(new Set(answers.map((answer) => answer.body.data.price)).size).toBe(1);
    // Had the leader taken its own claim for another's, it would have waited for it to lapse (15 s),
    // then taken it over.
    expect(metricTotal(output.lines().slice(linesBefore), 'cache_lease_takeovers_total')).toBe(0);
  });
});
