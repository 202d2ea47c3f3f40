import { describe, expect, it } from 'vitest';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { layerOnTestSandbox, sandboxOnTestClock } from '../support/sandbox-on-clock.js';

/**
 * A provider call the request's own deadline cut short, through the whole layer (default
 * configuration unless a test says why not) against a hung Alpha Vantage in the sandbox. The fake
 * clock does not move while a real call waits, so every request has the same remaining time.
 */
const world = sandboxOnTestClock();
const CIRCUIT = 'alpha-vantage';

async function hungAlphaVantage(env: Record<string, string> = {}) {
  const layer = await layerOnTestSandbox(world, 'cut-short', env);
  world.sandbox.setKnobs({ [CIRCUIT]: { mode: 'hang' } });
  let symbol = 0;
  return {
    /** A quote request with `deadlineMs` left; Alpha Vantage, first of five, gets a fifth of it. */
    quote: (deadlineMs: number) =>
      workDueBy(world.clock.now() + deadlineMs, () => layer.service.getQuote(`CUT${symbol++}`)),
    breaker: async () => (await layer.breakerOperator.describeAll([CIRCUIT]))[0],
  };
}

describe('a provider call cut short by the request’s own deadline', () => {
  it('says nothing of the provider when it ends before the slow-call threshold', async () => {
    const { quote, breaker } = await hungAlphaVantage();
    // 2.5 s left: Alpha Vantage's share is 0.5 s, under the 5 s provider timeout and the 3 s slow-call threshold.
    for (let i = 0; i < 3; i++) {
      const answer = await quote(2_500);
      expect(answer.meta.attempts[0]).toMatchObject({ provider: CIRCUIT, outcome: 'timeout' });
    }
    expect(await breaker()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0, windowCalls: 0 });
  });

  it('counts as a failure, and slow, once it has run past the slow-call threshold', async () => {
    // A 0.2 s threshold so that a 0.5 s share outlasts it without the test waiting 3 s: the rule is the same.
    const { quote, breaker } = await hungAlphaVantage({ CIRCUIT_BREAKER_SLOW_CALL_SECONDS: '0.2' });
    const answer = await quote(2_500);
    const calls = answer.meta.attempts[0]?.calls ?? 0;
    expect(calls).toBeGreaterThan(0);
    expect(await breaker()).toMatchObject({
      consecutiveFailures: calls,
      windowCalls: calls,
      windowFailures: calls,
      windowSlowCalls: calls,
    });
  });

  it('is a failure when the provider had its whole timeout', async () => {
    // A 0.5 s provider timeout, well inside the 3.8 s share of a full deadline: the provider's own limit.
    const { quote, breaker } = await hungAlphaVantage({
      PROVIDER_TIMEOUT_SECONDS: '0.5',
      RETRY_MAX_ATTEMPTS: '1',
    });
    await quote(19_000);
    expect(await breaker()).toMatchObject({ consecutiveFailures: 1, windowCalls: 1, windowFailures: 1 });
  });
});
