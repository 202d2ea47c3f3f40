import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import { startGatedUpstream } from '../support/gated-upstream.js';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';
import { emfMetrics } from '../support/stdout-capture.js';

/**
 * Two `npm start` processes sharing one DynamoDB Local and one Secrets Manager behave as two Lambda
 * containers of one fleet. Real processes cannot share a fake clock, so the test waits in real time
 * for what only time brings (a run standing unrefuted; the one-second recovery timeout), and otherwise
 * on events: both containers reach Alpha Vantage through a gate in this process, which fails every call
 * for the first test, and holds the probe of the second until every other request has decided.
 */
const STATE_CACHE_MS = 5_000;
const fleetEnv = {
  LOCAL_API_KEY: 'fleet-client',
  LOCAL_OPERATOR_KEY: 'fleet-operator',
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: '4',
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '1',
  CIRCUIT_BREAKER_SUCCESS_THRESHOLD: '1',
  RETRY_MAX_ATTEMPTS: '1',
  // A suspect run stands unrefuted for twice the state cache: the first test's next request must decide
  // within it, and one request on a busy 2-core machine can take seconds (2.4 s at the default 1 s).
  CIRCUIT_BREAKER_STATE_CACHE_MS: String(STATE_CACHE_MS),
  // Alpha Vantage alone answers quotes: a request it cannot serve answers 503 at once, and the probe's
  // time is its request's whole deadline (19 s), not a share split with four fallbacks (under 4 s),
  // which a busy machine can spend before 19 other requests have decided.
  PROVIDER_ORDER_QUOTE: 'alpha-vantage',
  // The probe is held at the gate for as long as the other requests take to decide: that time is the
  // machine's, not the provider's, so neither the call's timeout nor the slow-call threshold may judge
  // it (either would fail the probe this test lets through).
  PROVIDER_TIMEOUT_SECONDS: '25',
  CIRCUIT_BREAKER_SLOW_CALL_SECONDS: '25',
  // DynamoDB Local on a busy 2-core machine can take longer than the run's 5 s call budget: a
  // container's guard would then skip DynamoDB for a while (fail open) and count its failures alone.
  DEPENDENCY_CALL_TIMEOUT_SECONDS: '15',
  // A key of Alpha Vantage's own (the gate is not the sandbox, whose key the stack would seed), with room
  // for the failures and the probe: the key's budget is not what this test is about.
  ALPHA_VANTAGE_API_KEY: 'fleet-alpha-vantage',
  ALPHA_VANTAGE_RATE_LIMIT: '100',
};
let gate: Awaited<ReturnType<typeof startGatedUpstream>>;
let first: LocalStackProcess;
let second: LocalStackProcess;
let symbol = 0;

type QuoteAnswer = { status: number; provider: string | undefined };

const quote = async (stack: LocalStackProcess): Promise<QuoteAnswer> => {
  const response = await fetch(`${stack.apiUrl}/api/data/stock/FLEET${symbol++}`, {
    headers: { 'x-api-key': 'fleet-client' },
  });
  const body = (await response.json()) as { meta?: { provider: string } };
  return { status: response.status, provider: body.meta?.provider };
};

async function alphaVantageBreaker(stack: LocalStackProcess) {
  const response = await fetch(`${stack.apiUrl}/api/data/circuit-breakers`, {
    headers: { 'x-api-key': 'fleet-operator' },
  });
  const { data } = (await response.json()) as {
    data: { name: string; state: string; nextProbeAt: string }[];
  };
  const breaker = data.find((c) => c.name === 'alpha-vantage');
  if (!breaker) throw new Error('no alpha-vantage breaker');
  return breaker;
}

const stateChanges = (state: string) =>
  emfMetrics([...first.output(), ...second.output()]).filter(
    (m) => m.name === 'circuit_breaker_state_changes_total' && m.dimensions.state === state,
  ).length;

/**
 * The state-change metrics once `count` of them reached this process: a child writes its metrics before
 * it answers, but its output comes through a pipe this process may read after the answer. Fails, naming
 * the count, if they never do.
 */
async function stateChangesReaching(state: string, count: number): Promise<number> {
  await vi.waitFor(
    () => {
      if (stateChanges(state) < count) throw new Error(`${stateChanges(state)} ${state} state changes`);
    },
    { timeout: 10_000, interval: 20 },
  );
  return stateChanges(state);
}

beforeAll(async () => {
  gate = await startGatedUpstream();
  gate.open({ status: 503 });
  first = await spawnLocalStack({
    ...fleetEnv,
    ALPHA_VANTAGE_BASE_URL: gate.url,
    AWS_ENDPOINT_URL_DYNAMODB: '',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
  });
  second = await spawnLocalStack({
    ...fleetEnv,
    ALPHA_VANTAGE_BASE_URL: gate.url,
    AWS_ENDPOINT_URL_DYNAMODB: first.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: first.secretsManagerEndpoint,
  });
  // Two stacks, each a DynamoDB Local or a Node process to start: a minute or more on a busy machine.
}, 180_000);

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await gate?.close();
});

describe('two local stacks sharing one DynamoDB Local', () => {
  it('add up their failures to one trip, one transition and one state-change metric', async () => {
    expect((await quote(first)).status).toBe(503);
    await quote(first);
    await quote(second);
    // Three failures, two containers: below the threshold of four.
    expect((await alphaVantageBreaker(first)).state).toBe('CLOSED');
    await quote(second);
    expect(gate.calls()).toBe(4);
    // Four failures: a suspect run, whose writer holds its calls until the run has stood unrefuted.
    expect((await quote(second)).status).toBe(503);
    expect(gate.calls()).toBe(4);
    expect((await alphaVantageBreaker(first)).state).toBe('CLOSED');
    await sleep(runConfirmMs({ stateCacheMs: STATE_CACHE_MS }));
    expect((await quote(second)).status).toBe(503);
    expect(gate.calls()).toBe(4);
    expect((await alphaVantageBreaker(first)).state).toBe('OPEN');
    expect((await alphaVantageBreaker(second)).state).toBe('OPEN');
    expect(await stateChangesReaching('OPEN', 1)).toBe(1);
  }, 120_000);

  it('let exactly one probe through in half-open, across both', async () => {
    gate.hold();
    const { nextProbeAt } = await alphaVantageBreaker(first);
    // The recovery timeout runs on the machine's clock, which both containers read.
    await sleep(Math.max(0, Date.parse(nextProbeAt) - Date.now() + 1));
    const callsBefore = gate.calls();
    let turnedAway = 0;
    const answers = Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const answer = await quote(i % 2 === 0 ? first : second);
        if (answer.status === 503) turnedAway++;
        return answer;
      }),
    );
    try {
      // Every request either waits at the gate (a probe) or was turned away by the breaker: counted once
      // all 20 decided, whatever the machine's load, before the probe can end. (Bounded within the
      // probe's request deadline, 19 s.)
      await vi.waitFor(
        () => {
          const held = gate.calls() - callsBefore;
          if (held + turnedAway < 20)
            throw new Error(`${held} held, ${turnedAway} turned away of 20 requests`);
        },
        { timeout: 15_000, interval: 20 },
      );
      expect(gate.calls() - callsBefore).toBe(1);
    } finally {
      gate.open({ forwardTo: `${first.sandboxUrl}/alpha-vantage` });
    }

    const served = (await answers).filter((answer) => answer.status === 200);
    expect(gate.calls() - callsBefore).toBe(1);
    expect(served.map((answer) => answer.provider)).toEqual(['alpha-vantage']);
    expect(await stateChangesReaching('HALF_OPEN', 1)).toBe(1);
    expect(await stateChangesReaching('CLOSED', 1)).toBe(1);
  }, 60_000);
});
