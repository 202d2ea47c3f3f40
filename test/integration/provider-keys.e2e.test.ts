import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureOutput } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `keys-client-${run}`;
const OPERATOR_KEY = `keys-operator-${run}`;
/** Real-looking keys for every provider: none of them may ever show up outside the key pools. */
const PROVIDER_KEYS = {
  ALPHA_VANTAGE_API_KEY: `AVKEY${run}PRIMARY`,
  ALPHA_VANTAGE_BACKUP_KEYS: `AVKEY${run}BACKUPONE`,
  FMP_API_KEY: `FMPKEY${run}`,
  FINNHUB_API_KEY: `FINNHUBKEY${run}`,
  TWELVE_DATA_API_KEY: `TWELVEKEY${run}`,
  POLYGON_API_KEY: `POLYGONKEY${run}`,
};
let stack: LocalStack;
const output = captureOutput();
const bodies: string[] = [];
let symbol = 0;

async function call(path: string, apiKey = CLIENT_KEY, init: { method?: string; body?: string } = {}) {
  const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const response = await fetch(`${stack.baseUrl}${path}`, { ...init, headers });
  const text = await response.text();
  bodies.push(text);
  // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
  return { status: response.status, body: JSON.parse(text) as Record<string, any> };
}
const alphaVantageCalls = () => stack.sandbox.stats().calls['alpha-vantage'] ?? 0;

beforeAll(async () => {
  stack = await startContainerStack('keys', {
    LOCAL_API_KEY: CLIENT_KEY,
    LOCAL_OPERATOR_KEY: OPERATOR_KEY,
    ALPHA_VANTAGE_RATE_LIMIT: '5',
    CIRCUIT_BREAKER_ENABLED: 'false',
    // The budget test's subject is Alpha Vantage's key budget with FMP taking the overflow: two quote
    // providers, so each gets half the request's deadline. With all five, FMP's share (a fifth, ~3.8 s)
    // can run out on a loaded 2-core machine while 45 requests arrive at once, and Finnhub answers.
    PROVIDER_ORDER_QUOTE: 'alpha-vantage,fmp',
    // DynamoDB Local on a busy machine can take longer than the run's 5 s call budget (see quote-burst).
    DEPENDENCY_CALL_TIMEOUT_SECONDS: '15',
    ...PROVIDER_KEYS,
  });
});

afterAll(async () => {
  output.restore();
  await stack?.close();
});

describe('provider keys through the local gateway', () => {
  it('make at most 5 Alpha Vantage calls a minute per key for 50 concurrent requests, the rest served by FMP', async () => {
    stack.sandbox.resetStats();
    // One key only for this test: quarantine-free, budget 5 a minute.
    const { keyStates } = await import('../../functions/shared/container.js');
    await keyStates.park('alpha-vantage', 'backup-1', Date.now() + 120_000, 'throttled');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => call(`/api/data/stock/RL${symbol++}`)),
    ).finally(() => keyStates.release('alpha-vantage', 'backup-1'));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const byAlphaVantage = answers.filter((answer) => answer.body.meta.provider === 'alpha-vantage').length;
    expect(alphaVantageCalls()).toBeLessThanOrEqual(5);
    expect(byAlphaVantage).toBe(alphaVantageCalls());
    expect(answers.filter((answer) => answer.body.meta.provider === 'fmp').length).toBe(50 - byAlphaVantage);
  });

  it('sends no further call with a key after Alpha Vantage says its daily quota is spent', async () => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'daily-limit' } });
    await call(`/api/data/stock/DL${symbol++}`);
    await call(`/api/data/stock/DL${symbol++}`);
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'healthy' } });
    const status = await call('/api/data/api-keys/status', OPERATOR_KEY);
    const keys: { id: string; state: string; reason: string; parkedUntil: string }[] = status.body.data.find(
      (p: { provider: string }) => p.provider === 'alpha-vantage',
    ).keys;
    const parked = keys.filter((key) => key.state === 'parked');
    expect(parked.length).toBeGreaterThan(0);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    for (const key of parked) {
      expect(key.reason).toBe('quota_exhausted');
      // Until the reset: midnight UTC, rounded up to the whole second the provider's answer implies.
      expect(Math.abs(Date.parse(key.parkedUntil) - midnight.getTime())).toBeLessThan(1_000);
    }

    const keyValueOf: Record<string, string> = {
      primary: PROVIDER_KEYS.ALPHA_VANTAGE_API_KEY,
      'backup-1': PROVIDER_KEYS.ALPHA_VANTAGE_BACKUP_KEYS,
    };
    const callsWith = () =>
      parked.map((key) => stack.sandbox.stats().callsByKey['alpha-vantage']?.[keyValueOf[key.id] ?? ''] ?? 0);
    const before = callsWith();
    for (let i = 0; i < 5; i++) await call(`/api/data/stock/DL${symbol++}`);
    expect(callsWith()).toEqual(before);
  });

  it('quarantines a key the provider rejects three times and never retries it in a loop', async () => {
    stack.sandbox.setKnobs({ fmp: { invalidKeys: [PROVIDER_KEYS.FMP_API_KEY] } });
    const before = stack.sandbox.stats().callsByKey.fmp?.[PROVIDER_KEYS.FMP_API_KEY] ?? 0;
    // One rejection is not a verdict; three (KEY_QUARANTINE_THRESHOLD's default) are.
    for (let i = 0; i < 3; i++) expect((await call(`/api/data/company/QK${symbol++}`)).status).toBe(200);
    const fmpCalls = stack.sandbox.stats().callsByKey.fmp?.[PROVIDER_KEYS.FMP_API_KEY] ?? 0;
    expect(fmpCalls).toBe(before + 3);
    for (let i = 0; i < 3; i++) await call(`/api/data/company/QK${symbol++}`);
    expect(stack.sandbox.stats().callsByKey.fmp?.[PROVIDER_KEYS.FMP_API_KEY] ?? 0).toBe(fmpCalls);
    const status = await call('/api/data/api-keys/status', OPERATOR_KEY);
    const fmp = status.body.data.find((p: { provider: string }) => p.provider === 'fmp');
    expect(fmp.keys[0]).toMatchObject({ state: 'quarantined' });

    // The operator lifts the quarantine once the provider accepts the key again.
    stack.sandbox.setKnobs({ fmp: { invalidKeys: [] } });
    const released = await call('/api/data/api-keys/fmp/primary/release', OPERATOR_KEY, { method: 'POST' });
    expect(released.body.data).toMatchObject({ id: 'primary', state: 'active' });
    await call(`/api/data/company/QK${symbol++}`);
    expect(stack.sandbox.stats().callsByKey.fmp?.[PROVIDER_KEYS.FMP_API_KEY] ?? 0).toBe(fmpCalls + 1);
  });

  it('never shows any provider key value in a log line, a metric or a response body', async () => {
    for (const path of [
      '/api/data/providers/status',
      '/api/data/circuit-breakers',
      '/api/data/api-keys/status',
    ]) {
      await call(path, OPERATOR_KEY);
    }
    await call('/api/data/search?q=apple');
    await call('/api/data/batch/prices', CLIENT_KEY, {
      method: 'POST',
      body: JSON.stringify({ symbols: ['IBM', 'ZZZX'] }),
    });
    const everything = [...bodies, ...output.lines()].join('\n');
    expect(bodies.length).toBeGreaterThan(60);
    // Not a vacuous scan: logs, plus one EMF document for each data request.
    expect(output.lines().length).toBeGreaterThan(50);
    for (const value of [...Object.values(PROVIDER_KEYS)]) expect(everything).not.toContain(value);
  });
});
