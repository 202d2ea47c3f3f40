import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfirmMs } from '../../lib/resilience/breaker-run.js';
import { DEFAULT_BREAKER_OPTIONS } from '../../lib/resilience/breaker-state.js';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';
import { emfMetrics } from '../support/stdout-capture.js';

/**
 * Two `npm start` processes sharing one DynamoDB Local and one Secrets Manager behave as two Lambda
 * containers of one fleet. Real processes cannot share a fake clock, so the test waits in real time
 * for a run to stand unrefuted (2.4 s at the default one-second state cache) and for a one-second
 * recovery timeout, polling the operator endpoint (bounded).
 */
const fleetEnv = {
  LOCAL_API_KEY: 'fleet-client',
  LOCAL_OPERATOR_KEY: 'fleet-operator',
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: '4',
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '1',
  CIRCUIT_BREAKER_SUCCESS_THRESHOLD: '1',
  RETRY_MAX_ATTEMPTS: '1',
  SANDBOX_ALPHA_VANTAGE_MODE: 'down',
};
let first: LocalStackProcess;
let second: LocalStackProcess;
let symbol = 0;

const quote = (stack: LocalStackProcess) =>
  fetch(`${stack.apiUrl}/api/data/stock/FLEET${symbol++}`, { headers: { 'x-api-key': 'fleet-client' } }).then(
    async (response) =>
      (await response.json()) as { meta: { provider: string; attempts: { outcome: string }[] } },
  );

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

const setSandbox = (stack: LocalStackProcess, knobs: object) =>
  fetch(`${stack.sandboxUrl}/__sandbox/knobs`, {
    method: 'PUT',
    body: JSON.stringify({ 'alpha-vantage': knobs }),
  });

const alphaVantageCalls = async (stack: LocalStackProcess) => {
  const stats = (await (await fetch(`${stack.sandboxUrl}/__sandbox/stats`)).json()) as {
    calls: Record<string, number>;
  };
  return stats.calls['alpha-vantage'] ?? 0;
};

const stateChanges = (state: string) =>
  emfMetrics([...first.output(), ...second.output()]).filter(
    (m) => m.name === 'circuit_breaker_state_changes_total' && m.dimensions.state === state,
  ).length;

beforeAll(async () => {
  first = await spawnLocalStack({
    ...fleetEnv,
    AWS_ENDPOINT_URL_DYNAMODB: '',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
  });
  second = await spawnLocalStack({
    ...fleetEnv,
    AWS_ENDPOINT_URL_DYNAMODB: first.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: first.secretsManagerEndpoint,
  });
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

describe('two local stacks sharing one DynamoDB Local', () => {
  it('add up their failures to one trip, one transition and one state-change metric', async () => {
    await quote(first);
    await quote(first);
    await quote(second);
    // Three failures, two containers: below the threshold of four.
    expect((await alphaVantageBreaker(first)).state).toBe('CLOSED');
    expect((await quote(second)).meta.provider).toBe('fmp');
    // Four failures: a suspect run, whose writer holds its calls until the run has stood unrefuted.
    expect((await quote(second)).meta.attempts[0]?.outcome).toBe('circuit_open');
    expect((await alphaVantageBreaker(first)).state).toBe('CLOSED');
    await new Promise((resolve) => setTimeout(resolve, runConfirmMs(DEFAULT_BREAKER_OPTIONS)));
    expect((await quote(second)).meta.provider).toBe('fmp');
    expect((await alphaVantageBreaker(first)).state).toBe('OPEN');
    expect((await alphaVantageBreaker(second)).state).toBe('OPEN');
    expect(stateChanges('OPEN')).toBe(1);
  });

  it('let exactly one probe through in half-open, across both', async () => {
    // A slow healthy provider keeps the probe in flight while every other request decides.
    await Promise.all([first, second].map((stack) => setSandbox(stack, { mode: 'healthy', latencyMs: 300 })));
    const { nextProbeAt } = await alphaVantageBreaker(first);
    for (let polls = 0; Date.now() < Date.parse(nextProbeAt) && polls < 50; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = (await alphaVantageCalls(first)) + (await alphaVantageCalls(second));
    await Promise.all(Array.from({ length: 20 }, (_, i) => quote(i % 2 === 0 ? first : second)));
    const after = (await alphaVantageCalls(first)) + (await alphaVantageCalls(second));
    expect(after - before).toBe(1);
    expect(stateChanges('HALF_OPEN')).toBe(1);
    expect(stateChanges('CLOSED')).toBe(1);
  });
});
