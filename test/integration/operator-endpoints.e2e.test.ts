import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureStdout } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `client-${run}`;
const OPERATOR_KEY = `operator-${run}`;
let stack: LocalStack;
const stdout = captureStdout();

async function call(method: 'GET' | 'POST', path: string, apiKey: string) {
  const response = await fetch(`${stack.baseUrl}${path}`, { method, headers: { 'x-api-key': apiKey } });
  // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  stack = await startContainerStack('operator', {
    LOCAL_API_KEY: CLIENT_KEY,
    LOCAL_OPERATOR_KEY: OPERATOR_KEY,
  });
});

afterAll(async () => {
  stdout.restore();
  await stack?.close();
});

describe('operator endpoints through the local gateway', () => {
  it('refuse a client key, as IAM authorization refuses it on AWS', async () => {
    for (const [method, path] of [
      ['GET', '/api/data/circuit-breakers'],
      ['POST', '/api/data/circuit-breakers/fmp/reset'],
      ['GET', '/api/data/providers/status'],
    ] as const) {
      expect((await call(method, path, CLIENT_KEY)).status, path).toBe(403);
    }
  });

  it('refuse the operator key on client routes', async () => {
    expect((await call('GET', '/api/data/stock/IBM', OPERATOR_KEY)).status).toBe(403);
  });

  it('list every provider breaker, closed at first', async () => {
    const { status, body } = await call('GET', '/api/data/circuit-breakers', OPERATOR_KEY);
    expect(status).toBe(200);
    expect(body.data.map((c: { name: string; state: string }) => [c.name, c.state])).toEqual([
      ['alpha-vantage', 'CLOSED'],
      ['fmp', 'CLOSED'],
      ['finnhub', 'CLOSED'],
      ['twelve-data', 'CLOSED'],
      ['polygon', 'CLOSED'],
    ]);
  });

  it('force a breaker open for maintenance, so quotes come from the next provider', async () => {
    const opened = await call('POST', '/api/data/circuit-breakers/alpha-vantage/open', OPERATOR_KEY);
    expect(opened.body.data).toMatchObject({
      state: 'OPEN',
      forcedOpen: true,
      lastOverride: { action: 'force-open', actor: 'local-operator' },
    });
    const quote = await call('GET', '/api/data/stock/IBM', CLIENT_KEY);
    expect(quote.body.meta.provider).toBe('fmp');
    expect(quote.body.meta.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'circuit_open' });
  });

  it('reset a breaker to CLOSED, recording who did it', async () => {
    const { status, body } = await call(
      'POST',
      '/api/data/circuit-breakers/alpha-vantage/reset',
      OPERATOR_KEY,
    );
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      state: 'CLOSED',
      lastOverride: { action: 'reset', actor: 'local-operator' },
    });
    const quote = await call('GET', '/api/data/stock/MSFT', CLIENT_KEY);
    expect(quote.body.meta.provider).toBe('alpha-vantage');
  });

  it('report deep health: table, key pools, and which providers can be called', async () => {
    const { status, body } = await call('GET', '/api/data/health', CLIENT_KEY);
    expect(status).toBe(200);
    expect(body.data.checks.dynamodb.ok).toBe(true);
    expect(body.data.checks.secrets.ok).toBe(true);
    expect(body.data.checks.providers).toHaveLength(5);
    expect(['ok', 'degraded']).toContain(body.data.status);
    for (const name of ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon']) {
      await call('POST', `/api/data/circuit-breakers/${name}/open`, OPERATOR_KEY);
    }
    const down = await call('GET', '/api/data/health', CLIENT_KEY);
    expect(down.status).toBe(503);
    expect(down.body.data.status).toBe('down');
    for (const name of ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon']) {
      await call('POST', `/api/data/circuit-breakers/${name}/reset`, OPERATOR_KEY);
    }
  });

  it('answer 400 for a breaker that does not exist', async () => {
    const { status, body } = await call('POST', '/api/data/circuit-breakers/nope/reset', OPERATOR_KEY);
    expect(status).toBe(400);
    expect(body.type).toBe('https://valor-ivx.dev/problems/bad-request');
  });

  it('show every key pool: fingerprint, age, usage today, budget left and state, never a value', async () => {
    await call('GET', '/api/data/stock/KEYS1', CLIENT_KEY);
    const { status, body } = await call('GET', '/api/data/api-keys/status', OPERATOR_KEY);
    expect(status).toBe(200);
    const alphaVantage = body.data.find((p: { provider: string }) => p.provider === 'alpha-vantage');
    expect(alphaVantage.keys).toEqual([
      expect.objectContaining({
        id: 'primary',
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
        state: 'active',
        usage: { thisMinute: expect.any(Number), today: expect.any(Number) },
      }),
    ]);
    expect(alphaVantage.keys[0].usage.today).toBeGreaterThanOrEqual(1);
    expect(alphaVantage.keys[0].budgetLeft.today).toBe(
      alphaVantage.keys[0].limits.perDay - alphaVantage.keys[0].usage.today,
    );
    expect(JSON.stringify(body)).not.toContain('sandbox-key-');
    expect((await call('GET', '/api/data/api-keys/status', CLIENT_KEY)).status).toBe(403);
  });

  it('show providers with their priority, breaker and key pool size, never a key', async () => {
    const { status, body } = await call('GET', '/api/data/providers/status', OPERATOR_KEY);
    expect(status).toBe(200);
    const alphaVantage = body.data.find((p: { provider: string }) => p.provider === 'alpha-vantage');
    expect(alphaVantage).toMatchObject({
      serves: expect.arrayContaining([{ dataType: 'quote', priority: 1 }]),
      breaker: { state: 'CLOSED' },
      keys: { inService: 1, spare: 0 },
    });
    expect(JSON.stringify(body)).not.toContain('sandbox-key-');
  });
});
