import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { FillLeaseStore } from '../../lib/cache/fill-lease-store.js';
import { ProvidersUnavailableError } from '../../lib/errors.js';
import type { Quote } from '../../lib/model/quote.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import type { DataAnswer } from '../../lib/services/market-data-service.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { settleFleet } from '../support/fleet.js';
import { startGatedUpstream } from '../support/gated-upstream.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { ManualClock } from '../support/manual-clock.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

/**
 * Cache fills across containers: each layer built here is one Lambda container, all on one table and
 * one sandbox. The clock is a `ManualClock`: a waiter's poll parks until the test moves time, so no
 * waiter races the clock ahead while another container's real HTTP call runs. DynamoDB is this file's
 * proxy in front of DynamoDB Local, its replica lagging 1 s on the same clock: an eventually consistent
 * read answers what it answered up to 1 s of the test's time before, so within a burst (when the clock
 * stands still) it never shows another request's fill, as a real replica may not.
 */
let clock = new ManualClock();
const file = dynamoDbProxyForFile({ now: () => clock.now(), knobs: { replicaLagMs: 1_000 } });
const secretsManager = localSecretsManager();
let sandbox: MarketSandbox;
let dynamodb: DynamoDBClient;
let tableName: string;
let stdout: ReturnType<typeof captureStdout>;
let symbol = 0;
const nextSymbol = () => `FILL${symbol++}`;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => clock.date() });
  dynamodb = file.dynamodb;
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  clock = new ManualClock();
  sandbox.resetKnobs();
  sandbox.resetStats();
  tableName = await freshDataTable(dynamodb, 'cache-fill');
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

/** One container on the shared table and clock (or its own clock, e.g. one that lags). */
const container = (env: Record<string, string> = {}, own: FakeClock = clock) =>
  buildDataLayer({ dynamodb, secretsManager, tableName, sandbox, clock: own, env });

/**
 * A container whose only quote provider is a gate the test fails on cue (a provider answering 503), so
 * it pins its order; the waiting containers keep the default configuration.
 */
const leaderFailingAt = (gateUrl: string) =>
  container({
    PROVIDER_ORDER_QUOTE: 'alpha-vantage',
    ALPHA_VANTAGE_BASE_URL: gateUrl,
    RETRY_MAX_ATTEMPTS: '1',
  });

/** A container's clock `lagMs` behind the test's: it reads the same time, late, and sleeps on it. */
class LaggingClock extends FakeClock {
  constructor(base: ManualClock, lagMs: number) {
    super();
    this.now = () => base.now() - lagMs;
    this.date = () => new Date(this.now());
    this.sleep = base.sleep;
  }
}

/** Data calls the sandbox received, every provider together. */
const upstreamCalls = () => Object.values(sandbox.stats().calls).reduce((sum, n) => sum + (n ?? 0), 0);

const metricCount = (name: string, dimensions: Record<string, string> = {}) =>
  emfMetrics(stdout.lines()).filter(
    (m) => m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v),
  ).length;

/** `n` concurrent quote requests for `symbol` on one container, within the usual 25 s. */
const burst = (layer: Awaited<ReturnType<typeof container>>, quote: string, n: number) =>
  Array.from({ length: n }, () => workDueBy(clock.now() + 25_000, () => layer.service.getQuote(quote)));

/** Settles every container's requests on this file's clock (see `settleFleet`). */
const settle = <T>(containers: Promise<T>[][], unit?: 'container' | 'request') =>
  settleFleet(clock, containers, unit);

const values = (results: PromiseSettledResult<DataAnswer<Quote>>[][]) =>
  results.flat().map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });

describe('a burst of misses for one key across containers', () => {
  it('makes one upstream call for 10 concurrent misses on each of two containers, the replica lagging; every answer is the same quote', async () => {
    const [first, second] = [await container(), await container()];
    const quote = nextSymbol();
    const answers = values(await settle([burst(first, quote, 10), burst(second, quote, 10)]));

    expect(upstreamCalls()).toBe(1);
    expect(answers).toHaveLength(20);
    expect(new Set(answers.map((a) => a.data.price)).size).toBe(1);
    // Each container makes one fleet-wide attempt; its other nine share it in process.
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'shared' })).toBe(18);
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'served' })).toBe(1);
    expect(metricCount('cache_lease_takeovers_total')).toBe(0);
  });

  it('a leader that cached its quote leaves its lease to lapse, unreleased; the other container answers from the cache', async () => {
    const [first, second] = [await container(), await container()];
    const quote = nextSymbol();
    const answers = values(await settle([burst(first, quote, 5), burst(second, quote, 5)]));

    expect(new Set(answers.map((a) => a.data.price)).size).toBe(1);
    expect(upstreamCalls()).toBe(1);
    // No write released it: the value's write told the waiter, and the lease ends on its own.
    const lease = await new FillLeaseStore(dynamodb, tableName).read('quote', quote);
    expect(lease?.releasedAt).toBeUndefined();
    expect(lease?.leaseUntil).toBeGreaterThan(clock.now());
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'served' })).toBe(1);
    expect(metricCount('cache_lease_takeovers_total')).toBe(0);
  });

  it('a leader that answers stale while every provider fails releases its lease: it cached nothing', async () => {
    const first = await container();
    const quote = nextSymbol();
    await workDueBy(clock.now() + 25_000, () => first.service.getQuote(quote));
    const { freshSeconds } = first.config.cachePolicy.quote;
    // Past the soft window: the next request fills, and serves the value stale only if that fails.
    clock.advance((freshSeconds + first.config.staleWhileRevalidateSeconds.quote + 1) * 1000);
    const gate = await startGatedUpstream();
    try {
      gate.open({ status: 503 });
      const leader = await leaderFailingAt(gate.url);
      const answer = await workDueBy(clock.now() + 25_000, () => leader.service.getQuote(quote));

      expect(answer.meta.stale).toBe(true);
      const lease = await new FillLeaseStore(dynamodb, tableName).read('quote', quote);
      expect(lease?.releasedAt).toBe(clock.now());
    } finally {
      await gate.close();
    }
  });

  it('when the leader dies, its lease lapses and exactly one waiter takes over: one upstream call', async () => {
    const [first, second] = [await container(), await container()];
    const quote = nextSymbol();
    // A container that claimed the fill and died: its lease is never released.
    await new FillLeaseStore(dynamodb, tableName).claim(
      'quote',
      quote,
      { owner: 'dead-container', leaseUntil: clock.now() + 15_000 },
      clock.now(),
    );
    const startedAt = clock.now();
    const answers = values(await settle([burst(first, quote, 10), burst(second, quote, 10)]));

    expect(clock.now() - startedAt).toBeGreaterThanOrEqual(15_000);
    expect(answers.every((a) => a.data.symbol === quote)).toBe(true);
    expect(metricCount('cache_lease_takeovers_total', { data_type: 'quote' })).toBe(1);
    expect(upstreamCalls()).toBe(1);
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'served' })).toBe(1);
  });

  it('when the leader fails, it releases its lease and exactly one waiter takes over: one more upstream call', async () => {
    const gate = await startGatedUpstream();
    try {
      const leader = await leaderFailingAt(gate.url);
      const [second, third] = [await container(), await container()];
      const quote = nextSymbol();

      const failing = workDueBy(clock.now() + 25_000, () => leader.service.getQuote(quote));
      await gate.firstCall;
      const waiting = [burst(second, quote, 5), burst(third, quote, 5)];
      // Both waiting containers lost the claim and are parked between two polls of the lease.
      await vi.waitFor(() => expect(clock.sleeping).toBe(2), { timeout: 10_000, interval: 2 });
      gate.open({ status: 503 });
      await expect(failing).rejects.toBeInstanceOf(ProvidersUnavailableError);

      const answers = values(await settle(waiting));
      expect(answers.map((a) => a.meta.stale)).toEqual(Array(10).fill(false));
      expect(gate.calls()).toBe(1);
      expect(metricCount('cache_lease_takeovers_total', { data_type: 'quote' })).toBe(1);
      expect(upstreamCalls()).toBe(1);
    } finally {
      await gate.close();
    }
  });

  it('gives a waiter out of time a 503 with Retry-After, counted as timed out, and calls no provider', async () => {
    const waiter = await container();
    const quote = nextSymbol();
    await new FillLeaseStore(dynamodb, tableName).claim(
      'quote',
      quote,
      { owner: 'slow-container', leaseUntil: clock.now() + 15_000 },
      clock.now(),
    );
    const [results] = await settle([[workDueBy(clock.now() + 5_000, () => waiter.service.getQuote(quote))]]);
    const result = results?.[0];
    expect(result?.status).toBe('rejected');
    const error = result?.status === 'rejected' ? (result.reason as ProvidersUnavailableError) : undefined;
    expect(error).toBeInstanceOf(ProvidersUnavailableError);
    expect(error?.retryAfterSeconds).toBe(10);
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'timed_out' })).toBe(1);
    expect(upstreamCalls()).toBe(0);
  });
});

describe('stale-while-revalidate', () => {
  it('answers a quote within its soft window at once, stale, while one request refreshes it: one upstream call for 20', async () => {
    const first = await container();
    const quote = nextSymbol();
    const cached = await workDueBy(clock.now() + 25_000, () => first.service.getQuote(quote));
    const { freshSeconds } = first.config.cachePolicy.quote;
    expect(first.config.staleWhileRevalidateSeconds.quote).toBeGreaterThan(30);
    clock.advance((freshSeconds + 30) * 1000);

    // Two more containers reach Alpha Vantage (first in the default order) through a gate, so the
    // refresh is held at the provider while every other request answers: an order, not a timing.
    const held = await startGatedUpstream();
    try {
      const heldEnv = { ALPHA_VANTAGE_BASE_URL: held.url };
      const [second, third] = [await container(heldEnv), await container(heldEnv)];
      const before = upstreamCalls();
      const settled: DataAnswer<Quote>[] = [];
      const requests = [...burst(second, quote, 10), ...burst(third, quote, 10)].map((request) =>
        request.then((answer) => {
          settled.push(answer);
          return answer;
        }),
      );
      await held.firstCall;
      await vi.waitFor(() => expect(settled).toHaveLength(19), { timeout: 10_000, interval: 2 });
      for (const answer of settled) {
        expect(answer.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: cached.meta.fetchedAt });
        expect(answer.meta.ageSeconds).toBe(freshSeconds + 30);
        expect(answer.data.price).toBe(cached.data.price);
      }

      held.open({ forwardTo: sandbox.baseUrls['alpha-vantage'] });
      const answers = await Promise.all(requests);
      const refreshed = answers.filter((answer) => !answer.meta.stale);
      expect(refreshed).toHaveLength(1);
      expect(refreshed[0]?.meta).toMatchObject({ cache: 'miss', provider: 'alpha-vantage', ageSeconds: 0 });
      expect(upstreamCalls() - before).toBe(1);
      expect(held.calls()).toBe(1);

      const after = await workDueBy(clock.now() + 25_000, () => second.service.getQuote(quote));
      expect(after.meta).toMatchObject({ cache: 'hit', stale: false });
      expect(upstreamCalls() - before).toBe(1);
    } finally {
      await held.close();
    }
  });

  it('past the soft window, waits for the refresh instead of answering stale', async () => {
    const layer = await container();
    const quote = nextSymbol();
    await workDueBy(clock.now() + 25_000, () => layer.service.getQuote(quote));
    const { freshSeconds } = layer.config.cachePolicy.quote;
    clock.advance((freshSeconds + layer.config.staleWhileRevalidateSeconds.quote + 1) * 1000);
    const answer = await workDueBy(clock.now() + 25_000, () => layer.service.getQuote(quote));
    expect(answer.meta).toMatchObject({ cache: 'miss', stale: false, ageSeconds: 0 });
    expect(upstreamCalls()).toBe(2);
  });
});

describe('clocks and deadlines of the requests that wait', () => {
  it("lets a waiter whose clock lags 5 s take over a failed leader's released lease at once", async () => {
    const gate = await startGatedUpstream();
    try {
      const leader = await leaderFailingAt(gate.url);
      const lagging = await container({}, new LaggingClock(clock, 5_000));
      const quote = nextSymbol();
      const failing = workDueBy(clock.now() + 25_000, () => leader.service.getQuote(quote));
      await gate.firstCall;
      const waiting = workDueBy(clock.now() + 20_000, () => lagging.service.getQuote(quote));
      await vi.waitFor(() => expect(clock.sleeping).toBe(1), { timeout: 10_000, interval: 2 });
      gate.open({ status: 503 });
      await expect(failing).rejects.toBeInstanceOf(ProvidersUnavailableError);
      const startedAt = clock.now();

      const [answer] = values(await settle([[waiting]]));
      expect(answer?.meta).toMatchObject({ cache: 'miss', stale: false });
      expect(metricCount('cache_lease_takeovers_total', { data_type: 'quote' })).toBe(1);
      // The release is stamped with the leader's clock, 5 s ahead of the waiter's: the waiter does not
      // wait for its own clock to pass it (polls back off to 400 ms, so a few polls at most).
      expect(clock.now() - startedAt).toBeLessThan(2_000);
      expect(upstreamCalls()).toBe(1);
    } finally {
      await gate.close();
    }
  });

  it("gives a request that joins this container's running fill up at its own deadline, not the first request's", async () => {
    const gate = await startGatedUpstream();
    try {
      const layer = await container({ ALPHA_VANTAGE_BASE_URL: gate.url });
      const quote = nextSymbol();
      const first = workDueBy(clock.now() + 25_000, () => layer.service.getQuote(quote));
      await gate.firstCall;
      const joiner = workDueBy(clock.now() + 5_000, () => layer.service.getQuote(quote));
      const joined = joiner.catch((error: unknown) => error);
      // The joiner waits on its own deadline while the first request's provider call is held.
      await vi.waitFor(() => expect(clock.sleeping).toBe(1), { timeout: 10_000, interval: 2 });
      clock.wakeNext();
      const error = await joined;
      expect(error).toBeInstanceOf(ProvidersUnavailableError);
      expect((error as ProvidersUnavailableError).retryAfterSeconds).toBe(15);
      expect(metricCount('cache_coalesced_waits_total', { outcome: 'timed_out' })).toBe(1);

      gate.open({ forwardTo: sandbox.baseUrls['alpha-vantage'] });
      expect((await first).meta).toMatchObject({ cache: 'miss', provider: 'alpha-vantage' });
      expect(gate.calls()).toBe(1);
    } finally {
      await gate.close();
    }
  });
});

describe('conditional writes applied whose replies are lost', () => {
  it('answers every request without waiting on itself, and each key costs one provider call', async () => {
    // Half the lease claims and releases, cache writes and markers apply in DynamoDB Local and then
    // lose their reply: the SDK retries each, as it retries a reset connection.
    file.proxy.setKnobs({ dropAfterApplyShare: 0.5, dropAfterApplyOperations: ['PutItem', 'UpdateItem'] });
    const [first, second] = [await container(), await container()];
    // Five keys: Alpha Vantage's free plan answers five calls a minute.
    const quotes = Array.from({ length: 5 }, nextSymbol);
    const startedAt = clock.now();
    // Each request of a container fills its own key: the clock moves only once every one sleeps.
    const answers = values(
      await settle(
        [
          quotes.map((quote) => workDueBy(clock.now() + 25_000, () => first.service.getQuote(quote))),
          quotes.map((quote) => workDueBy(clock.now() + 25_000, () => second.service.getQuote(quote))),
        ],
        'request',
      ),
    );

    expect(file.proxy.stats().dropped).toBeGreaterThan(0);
    expect(answers.map((answer) => answer.meta.stale)).toEqual(Array(10).fill(false));
    expect(upstreamCalls()).toBe(5);
    expect(metricCount('cache_lease_takeovers_total')).toBe(0);
    expect(metricCount('cache_coalesced_waits_total', { outcome: 'timed_out' })).toBe(0);
    // No request waited for a lease it held itself (15 s, until it lapsed).
    expect(clock.now() - startedAt).toBeLessThan(first.config.fillLeaseMs);
  });
});
