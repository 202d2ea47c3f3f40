import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { DEFAULT_BREAKER_OPTIONS } from '../../lib/resilience/breaker-state.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureOutput } from '../support/stdout-capture.js';

/**
 * A slow Alpha Vantage through the local gateway, with the default configuration: all five quote
 * providers in the default order, the default deadline, timeouts and breaker thresholds. Each
 * provider gets about 19 s ÷ 5 = 3.8 s of a request, under the 5 s provider timeout, which is how a
 * hanging provider once escaped its breaker: a call the deadline cuts short is no failure, but one
 * that ran past the 3 s slow-call threshold counts as slow, so the slow-call rate catches it.
 */

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `client-${run}`;
const OPERATOR_KEY = `operator-${run}`;
let stack: LocalStack;
const output = captureOutput();

async function call(path: string, apiKey = CLIENT_KEY, method: 'GET' | 'POST' = 'GET') {
  const response = await fetch(`${stack.baseUrl}${path}`, { method, headers: { 'x-api-key': apiKey } });
  // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const quote = (symbol: string) => call(`/api/data/stock/${symbol}`);
const avCalls = () => stack.sandbox.stats().calls['alpha-vantage'] ?? 0;
async function alphaVantageBreaker() {
  const { body } = await call('/api/data/circuit-breakers', OPERATOR_KEY);
  return (body.data as { name: string; state: string }[]).find((breaker) => breaker.name === 'alpha-vantage');
}

beforeAll(async () => {
  stack = await startContainerStack('slow', {
    LOCAL_API_KEY: CLIENT_KEY,
    LOCAL_OPERATOR_KEY: OPERATOR_KEY,
    // One setting off the default: the slow-call rate needs ten Alpha Vantage calls in its window
    // (the minimum calls), and the free plan grants five a minute, so the sixth would find no key and
    // the breaker would never see it. The breaker is under test here, not the plan.
    ALPHA_VANTAGE_PLAN: 'paid',
  });
});

afterAll(async () => {
  output.restore();
  await stack?.close();
});

beforeEach(async () => {
  stack.sandbox.resetKnobs();
  stack.sandbox.resetStats();
  await call('/api/data/circuit-breakers/alpha-vantage/reset', OPERATOR_KEY, 'POST');
});

describe('a slow Alpha Vantage through the local gateway, default configuration', () => {
  it('opens its breaker after five calls that outlast their share, then serves from FMP without calling it', async () => {
    // slowMs defaults to 30 s: every call runs out of its 3.8 s share, a timeout the deadline set after
    // the call had run past the 3 s slow-call threshold, so a failure, as any hung provider's call is.
    // At the failure threshold the run holds further calls until it has stood unrefuted, then opens.
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'slow' } });
    const { failureThreshold } = DEFAULT_BREAKER_OPTIONS;
    let requests = 0;
    while ((await alphaVantageBreaker())?.state !== 'OPEN') {
      const { status, body } = await quote(`HUNG${requests}`);
      expect(status).toBe(200);
      expect(body.meta.provider).toBe('fmp');
      const [alphaVantage] = body.meta.attempts;
      if (alphaVantage.calls === 0) {
        // Held while the run stands unrefuted: no call, and a moment before asking again.
        expect(alphaVantage).toMatchObject({ provider: 'alpha-vantage', outcome: 'circuit_open' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      } else {
        expect(alphaVantage).toMatchObject({ provider: 'alpha-vantage', outcome: 'timeout', calls: 1 });
      }
      // The hold lasts 2.4 s (runConfirmMs): far fewer than 200 requests of 100 ms each.
      expect(++requests).toBeLessThan(200);
    }
    expect(avCalls()).toBe(failureThreshold);
    expect(await alphaVantageBreaker()).toMatchObject({
      windowFailures: failureThreshold,
      windowSlowCalls: failureThreshold,
    });

    for (let i = 0; i < 5; i++) {
      const { status, body } = await quote(`AFTER${i}`);
      expect(status).toBe(200);
      expect(body.meta.provider).toBe('fmp');
      expect(body.meta.attempts[0]).toMatchObject({
        provider: 'alpha-vantage',
        outcome: 'circuit_open',
        calls: 0,
      });
    }
    expect(avCalls()).toBe(failureThreshold);
  }, 120_000);

  it('opens its breaker on the slow-call rate when the answers come just inside the share', async () => {
    // 3.4 s: over the 3 s slow-call threshold, inside the 3.8 s share, so each answer is served.
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'slow', slowMs: 3_400 } });
    // The minimum calls of the rate window at once, as ten clients would ask.
    const { minimumCalls } = DEFAULT_BREAKER_OPTIONS;
    const answers = await Promise.all(Array.from({ length: minimumCalls }, (_, i) => quote(`SLOW${i}`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(await alphaVantageBreaker()).toMatchObject({ state: 'OPEN' });
    expect(avCalls()).toBe(minimumCalls);

    const next = await quote('NEXT');
    expect(next.body.meta.provider).toBe('fmp');
    expect(avCalls()).toBe(minimumCalls);
  }, 60_000);
});
