import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../infra/local/sandbox/random.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { BreakerView } from '../../lib/resilience/breaker-view.js';
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS } from '../../lib/resilience/circuit-breaker.js';
import { quietLogger } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

/**
 * Breaker writes that DynamoDB applied but whose reply was lost, as happens at scale: the proxy applies
 * the write on DynamoDB Local and then destroys the connection, and the SDK sends the same request
 * again. The breaker's container is one `CircuitBreaker` on the proxy, as `createDataLayer` builds it.
 */
const CIRCUIT = 'alpha-vantage';
const local = dynamoDbProxyForFile();
const options = DEFAULT_BREAKER_OPTIONS;
const LOSE_HALF = 0.5;
/**
 * The proxy draws each write's fate from `mulberry32(seed)`: this seed loses the first reply and keeps
 * the second, so the write's first attempt is applied and unanswered and the SDK's retry is answered.
 */
const FIRST_REPLY_LOST = firstSeed((random) => random() < LOSE_HALF && random() >= LOSE_HALF);

let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

const transitions = () =>
  emfMetrics(stdout.lines())
    .filter((m) => m.name === 'circuit_breaker_state_changes_total')
    .map((m) => m.dimensions.state);

async function container() {
  const tableName = await freshDataTable(local.dynamodb, 'lost-replies');
  const clock = { now: Date.now() };
  const store = new BreakerStore(local.dynamodb, tableName);
  const breaker = new CircuitBreaker({
    store,
    view: new BreakerView(store, options.stateCacheMs),
    metrics: new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'lost-replies' })),
    logger: quietLogger,
    now: () => clock.now,
    options,
  });
  const fail = async () => {
    const decision = await breaker.acquire(CIRCUIT);
    if (!decision.allowed) throw new Error(`expected an allowed call, got ${decision.state}`);
    await breaker.recordFailure(decision.permit, 100);
    await breaker.release(decision.permit);
  };
  return { breaker, store, clock, fail };
}

const loseFirstReplyOfUpdates = () =>
  local.proxy.setKnobs({
    dropAfterApplyShare: LOSE_HALF,
    dropAfterApplyOperations: ['UpdateItem'],
    seed: FIRST_REPLY_LOST,
  });

describe('breaker writes whose reply was lost', () => {
  it('count a failure once when the SDK sends the applied update again', async () => {
    const { store, fail } = await container();
    loseFirstReplyOfUpdates();
    await fail();
    expect(local.proxy.stats().dropped).toBe(1);
    // The applied update was sent again (at least once: on a loaded machine an attempt can also time
    // out and be resent), and the failure is still counted once.
    expect(local.proxy.stats().calls.UpdateItem).toBeGreaterThanOrEqual(2);
    expect(await store.read(CIRCUIT)).toMatchObject({
      consecutiveFailures: 1,
      windowCalls: 1,
      windowFailures: 1,
    });
  });

  it('report a transition whose reply was lost as its writer’s: one state change', async () => {
    const { breaker, store, clock, fail } = await container();
    for (let i = 0; i < options.failureThreshold; i++) await fail();
    clock.now += runConfirmMs(options);
    loseFirstReplyOfUpdates();

    expect(await breaker.acquire(CIRCUIT)).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(local.proxy.stats().dropped).toBe(1);
    expect(await store.read(CIRCUIT)).toMatchObject({ state: 'OPEN', version: 1 });
    expect(transitions()).toEqual(['OPEN']);
  });
});

/** The first seed from 1 whose draws pass `test`. */
function firstSeed(test: (random: () => number) => boolean): number {
  for (let seed = 1; ; seed++) if (test(mulberry32(seed))) return seed;
}
