import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BREAKER_PARTITION } from '../../../lib/resilience/breaker-store.js';
import type { BreakerPermit, CircuitBreaker } from '../../../lib/resilience/circuit-breaker.js';
import { countWritesToPartition } from '../../support/call-counter.js';
import { buildDataLayer } from '../../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../../support/local-services.js';
import { everyProvider, sandboxOnTestClock } from '../../support/sandbox-on-clock.js';
import { captureStdout } from '../../support/stdout-capture.js';

/**
 * The provider manager as `createDataLayer` wires it, with the default configuration (five quote
 * providers in the default order): its breaker on DynamoDB Local, its providers in the sandbox, on
 * a fake clock the sandbox shares. Upstream calls are counted by the sandbox.
 */

const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();
// These drive one key through dozens of calls a minute, more than any free plan grants (Alpha Vantage:
// 5): the breaker and retries are under test here, not the plans, so every key is on a paid plan.
beforeEach(() => world.sandbox.setKnobs(everyProvider({ plan: 'paid' })));
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
        env,
      });
      /** One quote request's walk through the providers, with the deadline a route function gives it. */
      const quote = (symbol: string, deadlineMs = 19_000) =>
        layer.providers.fetch(
          layer.sources.quote.endpoints,
          { symbol },
          world.clock.now() + deadlineMs,
          (value) => layer.sources.quote.score(value, world.clock.date()),
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
const state = async (breaker: CircuitBreaker) => (await breaker.describeAll(['alpha-vantage']))[0];

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
    expect(await state(layer.breaker)).toMatchObject({
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowFailures: 1,
    });
  });
});

describe('ProviderManager with a provider that hangs', () => {
  it('counts timeouts the deadline shortened, opens the breaker after five calls, and then serves from FMP', async () => {
    const layer = await oneContainer();
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'hang' } });
    // A 2.5 s deadline shares 0.5 s to Alpha Vantage, well under the 5 s provider timeout: every
    // attempt is one the deadline shortened. (The fake clock does not move while a real call waits.)
    let requests = 0;
    while ((await state(layer.breaker))?.state !== 'OPEN') {
      const result = await layer.quote(`HANG${requests}`, 2_500);
      expect(result).toMatchObject({ ok: true, provider: 'fmp' });
      expect(result.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'timeout' });
      expect(++requests).toBeLessThanOrEqual(5);
    }
    expect(avCalls()).toBe(5);

    for (let i = 0; i < 10; i++) {
      const result = await layer.quote(`AFTER${i}`, 2_500);
      expect(result).toMatchObject({ ok: true, provider: 'fmp' });
      expect(result.attempts[0]).toMatchObject({
        provider: 'alpha-vantage',
        outcome: 'circuit_open',
        calls: 0,
      });
    }
    expect(avCalls()).toBe(5);
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
    expect(await state(layer.breaker)).toMatchObject({
      state: 'OPEN',
      windowSlowCalls: 10,
      windowFailures: 0,
    });

    expect(await layer.quote('NEXT')).toMatchObject({ ok: true, provider: 'fmp' });
    expect(avCalls()).toBe(layer.config.breaker.minimumCalls);
  });
});

describe('ProviderManager retries and the breaker', () => {
  it('makes no second attempt once its own failure opened the breaker', async () => {
    const [here, elsewhere] = await containers(2);
    if (!here || !elsewhere) throw new Error('no layers');
    await failuresElsewhere(elsewhere.breaker, 4);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });

    const result = await here.quote('IBM');
    expect(result).toMatchObject({ ok: true, provider: 'fmp' });
    // Three attempts without the re-check; the fifth failure fleet-wide opened the breaker after the first.
    expect(result.attempts[0]).toMatchObject({
      provider: 'alpha-vantage',
      outcome: 'upstream_error',
      calls: 1,
    });
    expect(avCalls()).toBe(1);
    expect(await state(here.breaker)).toMatchObject({ state: 'OPEN', consecutiveFailures: 5 });
  });

  it('makes no further attempt once another container opened the breaker during its backoff', async () => {
    // The retry's wait: meanwhile another container sees five failures, and the wait outlasts this
    // container's view of the breaker (1 s), so the re-check before the retry reads it afresh.
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
    world.clock.advance(layer.config.breaker.recoveryTimeoutMs);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });

    const result = await layer.quote('PROBE');
    expect(result.attempts[0]).toMatchObject({
      provider: 'alpha-vantage',
      outcome: 'upstream_error',
      calls: 1,
    });
    expect(avCalls()).toBe(1);
    expect(await state(layer.breaker)).toMatchObject({ state: 'OPEN', openCount: 2 });
  });
});
