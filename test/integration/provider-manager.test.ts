import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BreakerOperator } from '../../lib/resilience/breaker-operator.js';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import { BREAKER_PARTITION } from '../../lib/resilience/breaker-store.js';
import type { BreakerPermit, CircuitBreaker } from '../../lib/resilience/circuit-breaker.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { countWritesToPartition } from '../support/call-counter.js';
import { buildDataLayer } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import { paidPlans, sandboxOnTestClock } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * The provider manager as `createDataLayer` wires it, with the default configuration (five quote
 * providers in the default order): its breaker on DynamoDB Local, its providers in the sandbox, on
 * a fake clock the sandbox shares. Upstream calls are counted by the sandbox.
 */

const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();
// These drive one key through dozens of calls a minute, more than any free plan grants (Alpha Vantage:
// 5): the breaker and retries are under test here, not the plans, so every key is on a paid plan, on
// both sides: the sandbox's knob, and `<PROVIDER>_PLAN` for the layer (and its keys' budgets).
let PAID_PLANS: Record<string, string> = {};
beforeEach(() => {
  PAID_PLANS = paidPlans(world);
});
// The layer's EMF lines go to stdout; nothing here reads them.
let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

/** Containers (layers) sharing one fresh table, each with its own DynamoDB client. */
async function containers(count: number, env: Record<string, string> = {}) {
  const tableName = await freshDataTable(localDynamoDb(), 'manager');
  return Promise.all(
    Array.from({ length: count }, async () => {
      const dynamodb = localDynamoDb();
      const breakerWrites = countWritesToPartition(dynamodb, BREAKER_PARTITION);
      const layer = await buildDataLayer({
        dynamodb,
        secretsManager,
        tableName,
        sandbox: world.sandbox,
        clock: world.clock,
        env: { ...PAID_PLANS, ...env },
      });
      /** One quote request's walk through the providers, with the deadline a route function gives it. */
      const quote = (symbol: string, deadlineMs = 19_000) =>
        workDueBy(world.clock.now() + deadlineMs, () =>
          layer.providers.fetch(layer.sources.quote.endpoints, { symbol }, (value) =>
            layer.sources.quote.score(value, world.clock.date()),
          ),
        );
      return { ...layer, quote, breakerWrites };
    }),
  );
}

async function oneContainer(env: Record<string, string> = {}) {
  const [layer] = await containers(1, env);
  if (!layer) throw new Error('no layer');
  return layer;
}

const avCalls = () => world.sandbox.stats().calls['alpha-vantage'] ?? 0;
const state = async (breakers: BreakerOperator) => (await breakers.describeAll(['alpha-vantage']))[0];

/** Records Alpha Vantage failures through another container's breaker, as its own requests would. */
async function failuresElsewhere(breaker: CircuitBreaker, count: number) {
  for (let i = 0; i < count; i++) {
    const decision = await breaker.acquire('alpha-vantage');
    if (!decision.allowed) throw new Error('breaker already open');
    const permit: BreakerPermit = decision.permit;
    await breaker.recordFailure(permit, 50);
    await breaker.release(permit);
  }
}

describe('ProviderManager on the healthy path', () => {
  it('answers from the first provider with one call and writes nothing to the breaker', async () => {
    const layer = await oneContainer();
    for (let i = 0; i < 20; i++) {
      const result = await layer.quote(`OK${i}`);
      expect(result).toMatchObject({ ok: true, provider: 'alpha-vantage' });
    }
    expect(avCalls()).toBe(20);
    expect(layer.breakerWrites.writes).toBe(0);
  });

  it('writes the breaker once for a failure its retry cured, and not for the successes after it', async () => {
    const layer = await oneContainer();
    // Flapping by one: the first call fails with a 503, the retry succeeds.
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'flapping', flapEvery: 1 } });
    const cured = await layer.quote('FLAP');
    expect(cured).toMatchObject({ ok: true, provider: 'alpha-vantage' });
    expect(cured.attempts).toEqual([
      { provider: 'alpha-vantage', outcome: 'ok', ms: expect.any(Number), calls: 2 },
    ]);

    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'healthy' } });
    for (let i = 0; i < 20; i++) await layer.quote(`AFTER${i}`);
    expect(layer.breakerWrites.writes).toBe(1);
    expect(await state(layer.breakerOperator)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowFailures: 1,
    });
  });
});

describe('ProviderManager with a provider that hangs', () => {
  // `breaker-cut-short.test.ts` has the rule on the breaker's record; this is what the manager does
  // with it: past the failure threshold, which such timeouts would have made suspect (holding every
  // call) had they counted, each request still tries Alpha Vantage, and the breaker is never written.
  it('does not count timeouts the deadline shortened: every request past the failure threshold still tries Alpha Vantage, with no breaker write', async () => {
    const layer = await oneContainer();
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'hang' } });
    // A 2.5 s deadline shares 0.5 s to Alpha Vantage, under the 5 s provider timeout and the 3 s
    // slow-call threshold: every attempt is one the deadline cut short before it was slow. (The fake
    // clock does not move while a real call waits, so every request has the same share.)
    const requests = layer.config.breaker.failureThreshold + 1;
    let calls = 0;
    for (let i = 0; i < requests; i++) {
      const result = await layer.quote(`HANG${i}`, 2_500);
      expect(result).toMatchObject({ ok: true, provider: 'fmp' });
      expect(result.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'timeout' });
      calls += result.attempts[0]?.calls ?? 0;
    }
    expect(calls).toBeGreaterThanOrEqual(requests);
    expect(avCalls()).toBe(calls);
    expect(layer.breakerWrites.writes).toBe(0);
    expect(await state(layer.breakerOperator)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowCalls: 0,
    });
  });
});

describe('ProviderManager with a provider that answers slowly', () => {
  it('opens the breaker on the slow-call rate though every answer is served', async () => {
    // A 0.1 s threshold so each slow call waits 0.15 s, not 3 s: the rule is the same at the default.
    const layer = await oneContainer({ CIRCUIT_BREAKER_SLOW_CALL_SECONDS: '0.1' });
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'slow', slowMs: 150 } });
    for (let i = 0; i < layer.config.breaker.minimumCalls; i++) {
      expect(await layer.quote(`SLOW${i}`)).toMatchObject({ ok: true, provider: 'alpha-vantage' });
    }
    expect(await state(layer.breakerOperator)).toMatchObject({
      state: 'OPEN',
      windowSlowCalls: 10,
      windowFailures: 0,
    });

    expect(await layer.quote('NEXT')).toMatchObject({ ok: true, provider: 'fmp' });
    expect(avCalls()).toBe(layer.config.breaker.minimumCalls);
  });
});

describe('ProviderManager retries and the breaker', () => {
  it('makes no second attempt once its own failure completed the run, which then opens the breaker', async () => {
    const [here, elsewhere] = await containers(2);
    if (!here || !elsewhere) throw new Error('no layers');
    await failuresElsewhere(elsewhere.breaker, 4);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });

    const result = await here.quote('IBM');
    expect(result).toMatchObject({ ok: true, provider: 'fmp' });
    // Three attempts without the re-check; the fifth failure fleet-wide made the run suspect after the
    // first, and a suspect run holds every call, retries included, until it opens or is refuted.
    expect(result.attempts[0]).toMatchObject({
      provider: 'alpha-vantage',
      outcome: 'upstream_error',
      calls: 1,
    });
    expect(avCalls()).toBe(1);
    expect(await state(here.breakerOperator)).toMatchObject({ state: 'CLOSED', consecutiveFailures: 5 });

    // Unrefuted for the confirmation time, the run opens the breaker at the next decision.
    world.clock.advance(runConfirmMs(here.config.breaker));
    const next = await here.quote('NEXT');
    expect(next).toMatchObject({ ok: true, provider: 'fmp' });
    expect(next.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'circuit_open', calls: 0 });
    expect(await state(here.breakerOperator)).toMatchObject({ state: 'OPEN', consecutiveFailures: 5 });
    expect(avCalls()).toBe(1);
  });

  it('makes no further attempt once another container’s failures made the run suspect during its backoff', async () => {
    // The retry's wait: meanwhile another container records five failures, a run that holds every
    // call until it opens the breaker or is refuted, and the wait outlasts this container's view of
    // the breaker (1 s), so the re-check before the retry reads it afresh.
    let duringBackoff = async () => {};
    world.clock.sleep = async (ms: number) => {
      await duringBackoff();
      world.clock.advance(Math.max(ms, 1_000));
    };
    const [here, elsewhere] = await containers(2);
    if (!here || !elsewhere) throw new Error('no layers');
    duringBackoff = () => failuresElsewhere(elsewhere.breaker, 5);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });

    const result = await here.quote('MSFT');
    expect(result).toMatchObject({ ok: true, provider: 'fmp' });
    expect(result.attempts[0]).toMatchObject({
      provider: 'alpha-vantage',
      outcome: 'upstream_error',
      calls: 1,
    });
    expect(avCalls()).toBe(1);
    expect(here.config.breaker.stateCacheMs).toBeLessThanOrEqual(1_000);
  });

  it('lets a half-open probe make one call, whatever the retry settings', async () => {
    const layer = await oneContainer();
    await failuresElsewhere(layer.breaker, 5);
    // The run opens the breaker at the first decision after it stood for the confirmation time.
    world.clock.advance(runConfirmMs(layer.config.breaker));
    expect(await layer.breaker.acquire('alpha-vantage')).toMatchObject({ allowed: false, state: 'OPEN' });
    world.clock.advance(layer.config.breaker.recoveryTimeoutMs);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });

    const result = await layer.quote('PROBE');
    expect(result.attempts[0]).toMatchObject({
      provider: 'alpha-vantage',
      outcome: 'upstream_error',
      calls: 1,
    });
    expect(avCalls()).toBe(1);
    expect(await state(layer.breakerOperator)).toMatchObject({ state: 'OPEN', openCount: 2 });
  });
});
