import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { BreakerOperator } from '../../lib/resilience/breaker-operator.js';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import type { CircuitBreakerOptions } from '../../lib/resilience/breaker-state.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { BreakerView } from '../../lib/resilience/breaker-view.js';
import {
  type BreakerDecision,
  type BreakerPermit,
  CircuitBreaker,
  DEFAULT_BREAKER_OPTIONS,
} from '../../lib/resilience/circuit-breaker.js';
import { countCommands } from '../support/call-counter.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const CIRCUIT = 'alpha-vantage';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const CLOSED_PERMIT: BreakerPermit = { circuit: CIRCUIT, kind: 'closed' };
const client = localDynamoDb();
const metrics = new DataLayerMetrics(new Metrics({ namespace: 'ValorIvxTest', serviceName: 'breaker-test' }));

let stdout: ReturnType<typeof captureStdout>;
let logs: { level: string; message: unknown; extra: unknown }[];
const logger: DomainLogger = {
  debug: () => {},
  info: (message: unknown, ...extra: unknown[]) => void logs.push({ level: 'info', message, extra }),
  warn: (message: unknown, ...extra: unknown[]) => void logs.push({ level: 'warn', message, extra }),
  error: (message: unknown, ...extra: unknown[]) => void logs.push({ level: 'error', message, extra }),
};

beforeEach(() => {
  logs = [];
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

/** The EMF state-change metrics emitted so far in this test, by the state entered. */
function transitions(): string[] {
  return emfMetrics(stdout.lines())
    .filter((metric) => metric.name === 'circuit_breaker_state_changes_total')
    .map((metric) => {
      expect(metric.dimensions.circuit_name).toBe(CIRCUIT);
      return String(metric.dimensions.state);
    });
}

function storeErrors(): number {
  return emfMetrics(stdout.lines()).filter((metric) => metric.name === 'circuit_breaker_store_errors_total')
    .length;
}

/**
 * A fresh table, a fake clock, and breakers on it: each breaker is one Lambda container (its own
 * memory and cache) sharing state only through the table.
 */
async function fleet(size: number, overrides: Partial<CircuitBreakerOptions> = {}) {
  const tableName = await freshDataTable(client, 'breaker');
  const clock = { now: T0 };
  const options = { ...DEFAULT_BREAKER_OPTIONS, ...overrides };
  /** One container's breaker decisions and its operator's side, sharing its view. */
  const withOperator = (dynamodb: DynamoDBClient = client) => {
    const store = new BreakerStore(dynamodb, tableName);
    const view = new BreakerView(store, options.stateCacheMs);
    const deps = { store, view, metrics, logger, now: () => clock.now, options };
    return { breaker: new CircuitBreaker(deps), operator: new BreakerOperator(deps) };
  };
  const container = (dynamodb?: DynamoDBClient) => withOperator(dynamodb).breaker;
  const containers = Array.from({ length: size }, () => withOperator());
  const breakers = containers.map(({ breaker }) => breaker);
  const operators = containers.map(({ operator }) => operator);
  const stored = async () =>
    (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'breaker' }, sk: { S: CIRCUIT } } }),
      )
    ).Item;
  /**
   * Opens the breaker through one container's failures (default threshold 5): the run they make is
   * suspect until it has stood unrefuted, and the container's next decision after that opens it.
   */
  const standUnrefuted = async (breaker: CircuitBreaker) => {
    clock.now += runConfirmMs(options);
    await breaker.acquire(CIRCUIT);
  };
  const trip = async (breaker: CircuitBreaker, failures = options.failureThreshold) => {
    for (let i = 0; i < failures; i++) await call(breaker, 'failure');
    if (failures >= options.failureThreshold) await standUnrefuted(breaker);
  };
  return {
    tableName,
    clock,
    options,
    breakers,
    operators,
    container,
    stored,
    trip,
    standUnrefuted,
    store: new BreakerStore(client, tableName),
  };
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at ${index}`);
  return item;
}

function permitOf(decision: BreakerDecision): BreakerPermit {
  if (!decision.allowed) throw new Error(`expected an allowed call, got ${decision.state}`);
  return decision.permit;
}

/** One request's use of the provider in one container: a permit, its calls' outcomes, its release. */
async function call(breaker: CircuitBreaker, ...outcomes: ('failure' | 'success' | 'slow')[]) {
  const permit = permitOf(await breaker.acquire(CIRCUIT));
  await record(breaker, permit, ...outcomes);
}

/** Records outcomes under a permit already held, then releases it. */
async function record(
  breaker: CircuitBreaker,
  permit: BreakerPermit,
  ...outcomes: ('failure' | 'success' | 'slow')[]
) {
  for (const outcome of outcomes) {
    if (outcome === 'failure') await breaker.recordFailure(permit, 100);
    else await breaker.recordSuccess(permit, outcome === 'slow' ? DEFAULT_BREAKER_OPTIONS.slowCallMs : 100);
  }
  await breaker.release(permit);
}

describe('CircuitBreaker opening, shared through DynamoDB Local', () => {
  it('opens exactly once when 50 containers fail at the same moment', async () => {
    const { breakers, stored } = await fleet(50);
    const permits = await Promise.all(breakers.map((breaker) => breaker.acquire(CIRCUIT)));
    await Promise.all(breakers.map((breaker, i) => record(breaker, permitOf(at(permits, i)), 'failure')));
    // Fifty failures in fifty calls: the failure rate opens it at once, whatever the run.
    const item = await stored();
    expect(item?.state?.S).toBe('OPEN');
    expect(item?.version?.N).toBe('1');
    // Failures that land once it is open count no more.
    expect(item?.runFailures?.L?.length).toBeGreaterThanOrEqual(DEFAULT_BREAKER_OPTIONS.minimumCalls);
    expect(transitions()).toEqual(['OPEN']);
    expect(logs.filter((log) => log.message === 'circuit breaker state changed')).toHaveLength(1);
  });

  it('adds up failures recorded by different containers', async () => {
    const { breakers, clock, options, store } = await fleet(5);
    for (const breaker of breakers.slice(0, 4)) await record(breaker, CLOSED_PERMIT, 'failure');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 4 });
    expect(transitions()).toEqual([]);

    await record(at(breakers, 4), CLOSED_PERMIT, 'failure');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 5 });
    clock.now += runConfirmMs(options);
    expect((await at(breakers, 0).acquire(CIRCUIT)).allowed).toBe(false);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN', version: 1, openCount: 1 });
    expect(transitions()).toEqual(['OPEN']);
  });

  it('opens on the failure rate over the minimum calls when failures are not consecutive', async () => {
    const { breakers, store } = await fleet(2, { failureThreshold: 100, stateCacheMs: 0 });
    // f s f s ... in separate requests: a lone failure is left standing, and each container's next
    // failure, after a success of its own, replaces the run with itself in the write it makes anyway
    // (writing the container's held successes into the window with it).
    const outcomeOfCall = (n: number) =>
      call(at(breakers, Math.floor(n / 2) % 2), n % 2 === 0 ? 'failure' : 'success');
    for (let n = 0; n < 10; n++) await outcomeOfCall(n);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', windowCalls: 10, windowFailures: 5 });

    await outcomeOfCall(10);
    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'OPEN',
      consecutiveFailures: 1,
      windowCalls: 11,
      windowFailures: 6,
    });
    expect(transitions()).toEqual(['OPEN']);
  });

  it('restarts a lapsed window exactly once when 50 containers fail at once', async () => {
    const { breakers, clock, store, options } = await fleet(50, {
      failureThreshold: 1_000,
      minimumCalls: 1_000,
    });
    for (let i = 0; i < 3; i++) await record(at(breakers, 0), CLOSED_PERMIT, 'failure');
    clock.now += options.windowMs;
    await Promise.all(breakers.map((breaker) => record(breaker, CLOSED_PERMIT, 'failure')));

    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 53,
      windowStart: clock.now,
      windowCalls: 50,
      windowFailures: 50,
    });
  });

  it('sees its own transition at once, without another read', async () => {
    const { container, trip } = await fleet(0);
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    await trip(breaker);
    const reads = calls.QueryCommand;
    expect(await breaker.acquire(CIRCUIT)).toEqual({ allowed: false, state: 'OPEN', retryAfterMs: 60_000 });
    expect(calls.QueryCommand).toBe(reads);
  });
});

describe('CircuitBreaker runs across containers that see the record late', () => {
  it('lets a container refute, at its next fresh read, the part of a run its held success came after', async () => {
    const { breakers, clock, options, store } = await fleet(2);
    const [a, b] = [at(breakers, 0), at(breakers, 1)];
    const t0 = clock.now;
    const permit = permitOf(await b.acquire(CIRCUIT)); // B reads the record before any failure
    await call(a, 'failure');
    await call(a, 'failure');
    clock.now = t0 + 100;
    // B's success comes after A's first two failures, but B's view shows none: it holds the success.
    await record(b, permit, 'success');
    clock.now = t0 + 600;
    for (let i = 0; i < 3; i++) await call(a, 'failure');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 5 });
    expect((await a.acquire(CIRCUIT)).allowed).toBe(false); // A holds its calls on the suspect run

    clock.now = t0 + options.stateCacheMs + 100;
    expect((await b.acquire(CIRCUIT)).allowed).toBe(true);
    // The two failures before B's success are gone; the three after it stand.
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 3 });
    clock.now = t0 + 600 + runConfirmMs(options);
    expect((await a.acquire(CIRCUIT)).allowed).toBe(true);
    expect(transitions()).toEqual([]);
  });
});

describe('CircuitBreaker slow calls', () => {
  it('opens on the slow-call rate when every call succeeds slowly', async () => {
    const { breakers, store } = await fleet(2);
    for (let n = 0; n < 9; n++) await call(at(breakers, n % 2), 'slow');
    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowCalls: 9,
      windowSlowCalls: 9,
      windowFailures: 0,
    });

    await call(at(breakers, 1), 'slow');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN', windowCalls: 10, windowSlowCalls: 10 });
    expect(transitions()).toEqual(['OPEN']);
    const changed = logs.find((log) => log.message === 'circuit breaker state changed');
    expect(changed?.extra).toEqual([expect.objectContaining({ reason: 'slow-call rate threshold crossed' })]);
  });

  it('does not let a slow success end a run of failures', async () => {
    const { breakers, store, trip, standUnrefuted } = await fleet(1);
    const breaker = at(breakers, 0);
    await trip(breaker, 4);
    await call(breaker, 'slow');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 4 });
    await call(breaker, 'failure');
    await standUnrefuted(breaker);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN', consecutiveFailures: 5 });
  });

  it('counts a timed-out call as failed and slow', async () => {
    const { breakers, store } = await fleet(1);
    const breaker = at(breakers, 0);
    const permit = permitOf(await breaker.acquire(CIRCUIT));
    await breaker.recordFailure(permit, 3_800);
    await breaker.release(permit);
    expect(await store.read(CIRCUIT)).toMatchObject({
      windowCalls: 1,
      windowFailures: 1,
      windowSlowCalls: 1,
    });
  });

  it('re-opens on a slow probe: a provider that answers that late has not recovered', async () => {
    const { breakers, clock, options, store, trip } = await fleet(1);
    const breaker = at(breakers, 0);
    await trip(breaker);
    clock.now += options.recoveryTimeoutMs;
    const probe = permitOf(await breaker.acquire(CIRCUIT));
    expect(probe.kind).toBe('probe');
    await record(breaker, probe, 'slow');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN', openCount: 2 });
    expect(transitions()).toEqual(['OPEN', 'HALF_OPEN', 'OPEN']);
  });
});

describe('CircuitBreaker retries', () => {
  it('writes the failure that completes the run at once, and allows no retry on the suspect run', async () => {
    const { breakers, store, trip, standUnrefuted } = await fleet(2);
    const breaker = at(breakers, 0);
    await trip(breaker, 4);
    const permit = permitOf(await breaker.acquire(CIRCUIT));
    expect(await breaker.mayRetry(permit)).toBe(true);

    await breaker.recordFailure(permit, 100);
    // Before the permit is released: every container can see the suspect run and hold its calls.
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 5 });
    expect(await breaker.mayRetry(permit)).toBe(false);
    expect(await at(breakers, 1).acquire(CIRCUIT)).toMatchObject({ allowed: false, state: 'CLOSED' });
    await breaker.release(permit);
    expect(transitions()).toEqual([]);

    await standUnrefuted(at(breakers, 1));
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN' });
    expect(transitions()).toEqual(['OPEN']);
  });

  it('allows no retry once another container opened the breaker and this view of it expired', async () => {
    const { breakers, clock, options, trip } = await fleet(2);
    const permit = permitOf(await at(breakers, 0).acquire(CIRCUIT));
    await trip(at(breakers, 1));
    clock.now += options.stateCacheMs;
    expect(await at(breakers, 0).mayRetry(permit)).toBe(false);
  });

  it('never lets a probe retry: a probe is one call', async () => {
    const { breakers, clock, options, trip } = await fleet(1);
    await trip(at(breakers, 0));
    clock.now += options.recoveryTimeoutMs;
    const probe = permitOf(await at(breakers, 0).acquire(CIRCUIT));
    expect(probe.kind).toBe('probe');
    expect(await at(breakers, 0).mayRetry(probe)).toBe(false);
  });
});

describe('CircuitBreaker recovery', () => {
  it('rejects every call while open and tells when to retry', async () => {
    const { breakers, clock, trip } = await fleet(2);
    await trip(at(breakers, 0));
    clock.now += 20_000;
    expect(await at(breakers, 1).acquire(CIRCUIT)).toEqual({
      allowed: false,
      state: 'OPEN',
      retryAfterMs: 40_000,
    });
    expect(await at(breakers, 1).retryAfterSeconds([CIRCUIT, 'fmp'])).toBe(40);
    expect(await at(breakers, 1).retryAfterSeconds(['fmp'])).toBeUndefined();
  });

  it('lets exactly one of 50 containers probe once the recovery timeout has passed', async () => {
    const { breakers, clock, options, store, trip } = await fleet(50);
    await trip(at(breakers, 0));
    clock.now += options.recoveryTimeoutMs;

    const decisions = await Promise.all(breakers.map((breaker) => breaker.acquire(CIRCUIT)));
    const probes = decisions.filter((decision) => decision.allowed);
    expect(probes).toHaveLength(1);
    expect(probes[0]?.permit.kind).toBe('probe');
    expect(decisions.filter((decision) => !decision.allowed)).toHaveLength(49);
    expect(transitions()).toEqual(['OPEN', 'HALF_OPEN']);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'HALF_OPEN', version: 2 });
  });

  it('closes after enough probe successes, one probe at a time', async () => {
    const { breakers, clock, options, store, trip } = await fleet(3);
    await trip(at(breakers, 0));
    clock.now += options.recoveryTimeoutMs;

    const first = permitOf(await at(breakers, 1).acquire(CIRCUIT));
    expect(await at(breakers, 2).acquire(CIRCUIT)).toMatchObject({ allowed: false, state: 'HALF_OPEN' });
    await at(breakers, 1).recordSuccess(first);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'HALF_OPEN', halfOpenSuccesses: 1 });

    // Container 2 last read a held lease; it sees the lease released once its cached view expires.
    clock.now += options.stateCacheMs;
    const second = permitOf(await at(breakers, 2).acquire(CIRCUIT));
    expect(second.kind).toBe('probe');
    await at(breakers, 2).recordSuccess(second);

    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'CLOSED',
      version: 3,
      consecutiveFailures: 0,
      windowFailures: 0,
      openCount: 0,
      probeOwner: undefined,
    });
    expect(transitions()).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
    expect((await at(breakers, 0).acquire(CIRCUIT)).allowed).toBe(true);
  });

  it('re-opens after a failed probe, doubling the timeout each time up to the cap', async () => {
    const { breakers, clock, store, trip } = await fleet(2);
    await trip(at(breakers, 0));
    const timeouts: number[] = [];
    for (let round = 0; round < 5; round++) {
      clock.now = (await store.read(CIRCUIT)).openUntil ?? Number.NaN;
      const probe = permitOf(await at(breakers, round % 2).acquire(CIRCUIT));
      await at(breakers, round % 2).recordFailure(probe);
      const record = await store.read(CIRCUIT);
      expect(record.state).toBe('OPEN');
      timeouts.push((record.openUntil ?? Number.NaN) - clock.now);
    }
    expect(timeouts).toEqual([120_000, 240_000, 480_000, 600_000, 600_000]);
    expect((await store.read(CIRCUIT)).openCount).toBe(6);
    expect(transitions()).toEqual(['OPEN', ...Array.from({ length: 5 }, () => ['HALF_OPEN', 'OPEN']).flat()]);
  });

  it('hands an expired probe lease to exactly one of 50 containers', async () => {
    const { breakers, clock, options, store, trip } = await fleet(51);
    await trip(at(breakers, 0));
    clock.now += options.recoveryTimeoutMs;
    const crashed = permitOf(await at(breakers, 0).acquire(CIRCUIT));
    clock.now += options.probeLeaseMs;

    const decisions = await Promise.all(breakers.slice(1).map((breaker) => breaker.acquire(CIRCUIT)));
    const takers = decisions.filter((decision) => decision.allowed);
    expect(takers).toHaveLength(1);
    expect(decisions.filter((decision) => !decision.allowed)).toHaveLength(49);
    // Taking over a lease is not a transition: still one HALF_OPEN, same version.
    expect(transitions()).toEqual(['OPEN', 'HALF_OPEN']);
    const taker = takers[0]?.permit;
    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'HALF_OPEN',
      version: 2,
      probeOwner: taker?.kind === 'probe' ? taker.probeId : 'missing',
    });

    // The crashed probe's result, arriving late, no longer counts.
    await at(breakers, 0).recordSuccess(crashed);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'HALF_OPEN', halfOpenSuccesses: 0 });
  });

  it('does not let a success that ends after the breaker opened close it', async () => {
    const { breakers, store, trip, standUnrefuted } = await fleet(2);
    const late = at(breakers, 0);
    const permit = permitOf(await late.acquire(CIRCUIT));
    await record(late, CLOSED_PERMIT, 'failure');
    await trip(at(breakers, 1), 4);
    await standUnrefuted(at(breakers, 1));
    const opened = await store.read(CIRCUIT);
    expect(opened).toMatchObject({ state: 'OPEN', version: 1, consecutiveFailures: 5 });

    await record(late, permit, 'success');
    expect(await store.read(CIRCUIT)).toEqual(opened);
    expect(transitions()).toEqual(['OPEN']);
  });
});

describe('CircuitBreaker cost on the healthy path', () => {
  it('writes nothing for successes and reads once per cache period', async () => {
    const { container, clock } = await fleet(0, { stateCacheMs: 1_000 });
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    for (let i = 0; i < 100; i++) await call(breaker, 'success');
    expect(calls).toEqual({ QueryCommand: 1 });

    clock.now += 1_000;
    await breaker.acquire(CIRCUIT);
    expect(calls).toEqual({ QueryCommand: 2 });
  });

  it('writes once for a lone failure and nothing for 100 successes after it; a second failure replaces it in its own write', async () => {
    const { container, store } = await fleet(0);
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    await call(breaker, 'failure');
    expect(calls.UpdateItemCommand).toBe(1);

    for (let i = 0; i < 100; i++) await call(breaker, 'success');
    // A lone failure is far from any threshold: it stands, and the successes are held in memory.
    expect(calls.UpdateItemCommand).toBe(1);
    expect(await store.read(CIRCUIT)).toMatchObject({
      consecutiveFailures: 1,
      windowCalls: 1,
      windowFailures: 1,
    });

    await call(breaker, 'failure');
    // The successes held since the first failure ended it: the second failure's write says so, and the
    // run is that failure alone, not a run of two for the next success to end with a write of its own.
    expect(calls.UpdateItemCommand).toBe(2);
    expect(await store.read(CIRCUIT)).toMatchObject({ consecutiveFailures: 1, windowCalls: 102 });
    await call(breaker, 'success');
    expect(calls.UpdateItemCommand).toBe(2);
  });

  it('writes a failure and its successful retry as one update', async () => {
    const { container, store } = await fleet(0);
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    await call(breaker, 'failure', 'success');
    for (let i = 0; i < 50; i++) await call(breaker, 'success');

    expect(calls.UpdateItemCommand).toBe(1);
    expect(await store.read(CIRCUIT)).toMatchObject({
      consecutiveFailures: 0,
      windowCalls: 2,
      windowFailures: 1,
    });
  });

  it('costs about one write per failure at a 1 % error rate', async () => {
    const { container, clock, store } = await fleet(0);
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    // One request in a hundred meets a failure and succeeds on its retry; 10 requests a second.
    for (let n = 1; n <= 1_000; n++) {
      await call(breaker, ...(n % 100 === 50 ? (['failure', 'success'] as const) : (['success'] as const)));
      clock.now += 100;
    }
    expect(calls.UpdateItemCommand).toBe(10);
    // The window restarted at the 7th failure (60 s after the 1st); each failure since brought the
    // 99 successes held since the one before into it: 2 + 3 × (99 + 2).
    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowFailures: 4,
      windowCalls: 305,
    });
  });

  it('adds the successes it holds to the window with its next failure', async () => {
    const { container, store } = await fleet(0);
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    await call(breaker, 'failure', 'success');
    for (let i = 0; i < 30; i++) await call(breaker, 'success');
    await call(breaker, 'failure');

    expect(calls.UpdateItemCommand).toBe(2);
    expect(await store.read(CIRCUIT)).toMatchObject({
      windowCalls: 33,
      windowFailures: 2,
      consecutiveFailures: 1,
    });
  });

  it('writes its held successes when another container brings the window near a rate, and so stays closed', async () => {
    // The run is out of the way (threshold 100) so that only the rate can open the breaker.
    const { breakers, clock, store, options } = await fleet(2, { failureThreshold: 100 });
    const [a, b] = [at(breakers, 0), at(breakers, 1)];
    await call(a, 'failure', 'success');
    for (let i = 0; i < 8; i++) await call(a, 'success');
    expect(await store.read(CIRCUIT)).toMatchObject({ windowCalls: 2, windowFailures: 1 });

    // Three failed attempts that their retries cured: 4 failures in 8 calls on record, 2 short of a trip.
    for (let i = 0; i < 3; i++) await call(b, 'failure', 'success');
    clock.now += options.stateCacheMs;
    await call(a, 'success');
    expect(await store.read(CIRCUIT)).toMatchObject({ windowCalls: 17, windowFailures: 4 });

    // Three more failures: 7 of 20 calls. Without A's successes it would have been 7 of 11, and open.
    for (let i = 0; i < 3; i++) await call(b, 'failure');
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'CLOSED', windowCalls: 20, windowFailures: 7 });
    expect(transitions()).toEqual([]);
  });

  it('reads on every decision when the cache is off', async () => {
    const { container } = await fleet(0, { stateCacheMs: 0 });
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    for (let i = 0; i < 10; i++) await breaker.acquire(CIRCUIT);
    expect(calls).toEqual({ QueryCommand: 10 });
  });

  it('makes no DynamoDB call at all when disabled', async () => {
    const { container } = await fleet(0, { enabled: false });
    const own = localDynamoDb();
    const calls = countCommands(own);
    const breaker = container(own);
    for (let i = 0; i < 20; i++) {
      const decision = await breaker.acquire(CIRCUIT);
      expect(decision.allowed).toBe(true);
      await record(breaker, permitOf(decision), 'failure');
    }
    expect(await breaker.retryAfterSeconds([CIRCUIT])).toBeUndefined();
    expect(calls).toEqual({});
  });
});

describe('CircuitBreaker when DynamoDB fails', () => {
  it('fails open when DynamoDB cannot be reached, counting and logging the fault', async () => {
    const { container } = await fleet(0);
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
      maxAttempts: 1,
    });
    const breaker = container(unreachable);

    const decision = await breaker.acquire(CIRCUIT);
    expect(decision.allowed).toBe(true);
    // A failure and its retry's success: written together when the permit is released, and that write fails.
    await expect(record(breaker, permitOf(decision), 'failure', 'success')).resolves.toBeUndefined();
    expect(storeErrors()).toBe(2);
    expect(logs.filter((log) => log.level === 'warn')).toHaveLength(2);
    expect(
      emfMetrics(stdout.lines()).find((metric) => metric.name === 'circuit_breaker_store_errors_total')
        ?.dimensions,
    ).toMatchObject({ circuit_name: CIRCUIT });
  });

  it('fails open when DynamoDB throttles', async () => {
    // DynamoDB Local never throttles, so this fault alone is played by aws-sdk-client-mock.
    const { container } = await fleet(0);
    const throttled = localDynamoDb();
    const mock = mockClient(throttled);
    const throttle = () =>
      new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds', $metadata: {} });
    mock.on(QueryCommand).rejects(throttle()).on(UpdateItemCommand).rejects(throttle());
    try {
      const breaker = container(throttled);
      const decision = await breaker.acquire(CIRCUIT);
      expect(decision.allowed).toBe(true);
      await expect(record(breaker, permitOf(decision), 'failure')).resolves.toBeUndefined();
      expect(storeErrors()).toBe(2);
      // The failed read is remembered for the cache period: no second call while DynamoDB is struggling.
      expect((await breaker.acquire(CIRCUIT)).allowed).toBe(true);
      expect(mock.commandCalls(QueryCommand)).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });
});

describe('CircuitBreaker operator overrides', () => {
  it('forces a breaker open with no automatic probe, and records who did it', async () => {
    const { breakers, operators, clock, options } = await fleet(5);
    await at(operators, 0).forceOpen(CIRCUIT, 'ops@example.com');
    clock.now += 10 * options.maxRecoveryTimeoutMs;

    const decisions = await Promise.all(breakers.map((breaker) => breaker.acquire(CIRCUIT)));
    expect(decisions.every((decision) => !decision.allowed)).toBe(true);
    expect(transitions()).toEqual(['OPEN']);
    expect(await at(breakers, 1).retryAfterSeconds([CIRCUIT])).toBeUndefined();
    const [status] = await at(operators, 1).describeAll([CIRCUIT]);
    expect(status).toMatchObject({
      name: CIRCUIT,
      state: 'OPEN',
      forcedOpen: true,
      nextProbeAt: null,
      openedAt: new Date(T0).toISOString(),
      lastOverride: { action: 'force-open', actor: 'ops@example.com', at: new Date(T0).toISOString() },
    });
  });

  it('resets a tripped breaker to closed with its counts cleared, and records who did it', async () => {
    const { breakers, operators, clock, store, trip } = await fleet(2);
    await trip(at(breakers, 0));
    clock.now += 1_000;
    await at(operators, 1).reset(CIRCUIT, 'ops@example.com');

    expect(await store.read(CIRCUIT)).toMatchObject({
      state: 'CLOSED',
      version: 2,
      consecutiveFailures: 0,
      windowCalls: 0,
      windowFailures: 0,
      openCount: 0,
      forcedOpen: false,
      lastOverride: { action: 'reset', actor: 'ops@example.com', at: clock.now },
    });
    expect(transitions()).toEqual(['OPEN', 'CLOSED']);
    expect((await at(breakers, 1).acquire(CIRCUIT)).allowed).toBe(true);
  });

  it('describes every named breaker from a fresh read', async () => {
    const { breakers, operators, clock, trip } = await fleet(2);
    await trip(at(breakers, 0));
    const [alpha, fmp] = await at(operators, 1).describeAll([CIRCUIT, 'fmp']);
    expect(alpha).toEqual({
      name: CIRCUIT,
      state: 'OPEN',
      consecutiveFailures: 5,
      windowCalls: 5,
      windowFailures: 5,
      windowSlowCalls: 0,
      openedAt: new Date(clock.now).toISOString(),
      nextProbeAt: new Date(clock.now + 60_000).toISOString(),
      openCount: 1,
      forcedOpen: false,
      lastOverride: null,
      probeLeaseUntil: null,
    });
    expect(fmp).toMatchObject({ name: 'fmp', state: 'CLOSED', consecutiveFailures: 0 });
  });
});
