import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../../lib/errors.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import type { BreakerOperator } from '../../lib/resilience/breaker-operator.js';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { batchPrices } from '../../lib/services/batch-prices.js';
import { metricTotal } from '../support/cloudwatch-emf.js';
import { buildDataLayer } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import {
  everyProvider,
  layerOnTestSandbox,
  paidPlans,
  sandboxOnTestClock,
} from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();

function layerAt(env: Record<string, string> = {}) {
  return layerOnTestSandbox(world, 'outage', env);
}

/** Forces open every quote provider's breaker but Alpha Vantage's. */
const forceOpenAllButAlphaVantage = (breakers: BreakerOperator) =>
  Promise.all(
    PROVIDER_IDS.filter((id) => id !== 'alpha-vantage').map((id) => breakers.forceOpen(id, 'test')),
  );

const avCalls = () => world.sandbox.stats().calls['alpha-vantage'] ?? 0;

describe('an Alpha Vantage outage at 5 requests a second (fake clock)', () => {
  it('opens the breaker within the requests whose calls reach the threshold, stops calling Alpha Vantage, serves from FMP, and closes after recovery', async () => {
    // A 10 s recovery timeout keeps the run short; the rule is the same at the default 60 s. Alpha
    // Vantage on its paid plan: 5 requests a second spend a free key's 5 calls a minute within a second,
    // and then its budget, not its breaker, would keep the layer from calling it.
    const { service, breakerOperator, config } = await layerAt({
      CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '10',
      ...paidPlans(world, ['alpha-vantage']),
    });
    const request = async (i: number) => {
      const answer = await workDueBy(world.clock.now() + 19_000, () => service.getQuote(`SYM${i}`));
      world.clock.advance(200); // 5 requests a second
      return answer;
    };
    const breakerState = async () => (await breakerOperator.describeAll(['alpha-vantage']))[0]?.state;

    for (let i = 0; i < 5; i++) expect((await request(i)).meta.provider).toBe('alpha-vantage');

    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    let i = 100;
    let calling = 0;
    while ((await breakerState()) !== 'OPEN') {
      const answer = await request(i++);
      expect(answer.meta.provider).toBe('fmp');
      if ((answer.meta.attempts[0]?.calls ?? 0) > 0) calling++;
      // Every attempt counts: calls stop at the request whose attempts reach the threshold. (Counted
      // in requests, not fake seconds: the retry waits in between are jittered at random.)
      expect(calling).toBeLessThanOrEqual(
        Math.ceil(config.breaker.failureThreshold / config.retry.maxAttempts),
      );
      // The run then holds calls until it has stood unrefuted, and the next request opens the breaker.
      expect(i - 100).toBeLessThanOrEqual(calling + Math.ceil(runConfirmMs(config.breaker) / 200) + 1);
    }
    const openedAt = Date.parse((await breakerOperator.describeAll(['alpha-vantage']))[0]?.openedAt ?? '');

    const callsWhenOpened = avCalls();
    for (let n = 0; n < 30; n++) {
      const answer = await request(i++);
      expect(answer.meta.provider).toBe('fmp');
      expect(answer.meta.attempts[0]).toMatchObject({
        provider: 'alpha-vantage',
        outcome: 'circuit_open',
        calls: 0,
      });
    }
    expect(avCalls()).toBe(callsWhenOpened);

    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'healthy' } });
    const recoveredAt = world.clock.now();
    while ((await breakerState()) !== 'CLOSED') {
      await request(i++);
      expect(world.clock.now() - recoveredAt).toBeLessThanOrEqual(config.breaker.recoveryTimeoutMs + 1_000);
    }
    expect(world.clock.now()).toBeGreaterThanOrEqual(openedAt + config.breaker.recoveryTimeoutMs);
    expect((await request(i++)).meta.provider).toBe('alpha-vantage');
  });
});

describe('when every provider fails', () => {
  it('serves the last good value, marked stale with its age', async () => {
    const { service } = await layerAt({ RETRY_BASE_DELAY: '0.05' });
    const fresh = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('IBM'));
    world.clock.advance(6 * 60_000); // past the 5-minute fresh lifetime, well within 24 h
    world.sandbox.setKnobs(everyProvider({ mode: 'down' }));
    const stale = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('IBM'));
    expect(stale.data).toEqual(fresh.data);
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, ageSeconds: 360 });
    expect(stale.meta.attempts.map((a) => a.outcome)).toEqual(PROVIDER_IDS.map(() => 'upstream_error'));
  });

  it('answers 503 with a Retry-After when nothing cached may be served', async () => {
    const { service } = await layerAt({ RETRY_BASE_DELAY: '0.05' });
    world.sandbox.setKnobs({ ...everyProvider({ mode: 'down' }), 'alpha-vantage': { mode: 'throttled' } });
    const error = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('MSFT')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProvidersUnavailableError);
    expect((error as ProvidersUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('takes Retry-After from the earliest breaker reopening', async () => {
    const { service, breakerOperator, config } = await layerAt();
    await forceOpenAllButAlphaVantage(breakerOperator);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    let error: unknown;
    for (let i = 0; i < 2; i++)
      error = await workDueBy(world.clock.now() + 19_000, () => service.getQuote(`X${i}`)).catch(
        (e: unknown) => e,
      );
    // Six failures: the run holds calls until it has stood unrefuted; the next request opens it.
    world.clock.advance(runConfirmMs(config.breaker));
    error = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('X2')).catch(
      (e: unknown) => e,
    );
    // Alpha Vantage's breaker opened on these failures; the others are forced open, with no probe time.
    const [alphaVantage] = await breakerOperator.describeAll(['alpha-vantage']);
    expect(alphaVantage?.state).toBe('OPEN');
    const untilProbe = Math.ceil((Date.parse(alphaVantage?.nextProbeAt ?? '') - world.clock.now()) / 1000);
    expect(untilProbe).toBeGreaterThan(0);
    expect((error as ProvidersUnavailableError).retryAfterSeconds).toBe(untilProbe);
  });
});

describe('unknown symbols', () => {
  it('are remembered for a while, so asking again spends no provider call', async () => {
    const { service } = await layerAt();
    await expect(
      workDueBy(world.clock.now() + 19_000, () => service.getQuote('ZZZGONE')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    const calls = world.sandbox.stats().calls;
    expect([calls['alpha-vantage'], calls.fmp]).toEqual([1, 1]); // both asked: coverage differs
    await expect(
      workDueBy(world.clock.now() + 19_000, () => service.getQuote('ZZZGONE')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(world.sandbox.stats().calls).toEqual(calls);
  });
});

describe('an unknown symbol', () => {
  it('is a 503, not a remembered 404, when one provider says so and the others were not asked', async () => {
    const { service, breakerOperator } = await layerAt();
    await forceOpenAllButAlphaVantage(breakerOperator);
    world.sandbox.setKnobs({ 'alpha-vantage': { unknownSymbols: ['LISTEDELSEWHERE'] } });
    await expect(
      workDueBy(world.clock.now() + 19_000, () => service.getQuote('LISTEDELSEWHERE')),
    ).rejects.toBeInstanceOf(ProvidersUnavailableError);
    // Nothing was remembered: once FMP is back, it answers.
    await breakerOperator.reset('fmp', 'test');
    const answer = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('LISTEDELSEWHERE'));
    expect(answer.meta.provider).toBe('fmp');
  });
});

describe('with DynamoDB unreachable', () => {
  it('still reaches the providers: cache and breaker fail open', async () => {
    const broken = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const tableName = await freshDataTable(dynamodb, 'unreachable');
    const { service } = await buildDataLayer({
      dynamodb: broken,
      secretsManager,
      tableName,
      sandbox: world.sandbox,
      clock: world.clock,
    });
    const answer = await workDueBy(world.clock.now() + 19_000, () => service.getQuote('IBM'));
    expect(answer.meta).toMatchObject({ provider: 'alpha-vantage', cache: 'miss' });
    expect(avCalls()).toBe(1);
  });

  it('serves a batch from the providers and counts the failed cache read and writes', async () => {
    const broken = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const tableName = await freshDataTable(dynamodb, 'unreachable-batch');
    const { batchDeps } = await buildDataLayer({
      dynamodb: broken,
      secretsManager,
      tableName,
      sandbox: world.sandbox,
      clock: world.clock,
    });
    const stdout = captureStdout();
    let answer: Awaited<ReturnType<typeof batchPrices>>;
    try {
      answer = await workDueBy(world.clock.now() + 19_000, () => batchPrices(['IBM', 'MSFT'], batchDeps));
    } finally {
      stdout.restore();
    }
    expect(Object.keys(answer.results).sort()).toEqual(['IBM', 'MSFT']);
    const lines = stdout.lines();
    expect(
      metricTotal(lines, 'cache_errors_total', { data_type: 'quote', operation: 'read' }),
    ).toBeGreaterThan(0);
    // Each symbol's cache write failed (its fill lease's write fails too, and counts the same way).
    expect(
      metricTotal(lines, 'cache_errors_total', { data_type: 'quote', operation: 'write' }),
    ).toBeGreaterThanOrEqual(2);
  });
});
