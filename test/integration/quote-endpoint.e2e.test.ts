import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';
import type { ProviderId } from '../../lib/model/provider-ids.js';
import { captureOutput, emfMetrics } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `e2e-client-${run}`;
const PROVIDER_KEY = `AV-SECRET-${run}`;
let stack: LocalStack;
const output = captureOutput();
const bodies: string[] = [];

async function get(path: string, apiKey: string | null = CLIENT_KEY) {
  const response = await fetch(`${stack.baseUrl}${path}`, { headers: apiKey ? { 'x-api-key': apiKey } : {} });
  const text = await response.text();
  bodies.push(text);
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
    body: JSON.parse(text) as Record<string, any>,
  };
}

beforeAll(async () => {
  // This test file is one Lambda container: the handlers read process.env, as on Lambda.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('secretsManagerEndpoint'),
    DATA_TABLE_NAME: `e2e-quote-${run}`,
    KEY_POOL_SECRET_PREFIX: `e2e-${run}/`,
    PORT: '0',
    LOCAL_API_KEY: CLIENT_KEY,
    ALPHA_VANTAGE_API_KEY: PROVIDER_KEY,
    // Retries wait up to 50 ms, not a second: the test is about answers, not backoff.
    RETRY_BASE_DELAY: '0.05',
  });
  stack = await startLocalStack(process.env);
});

afterAll(async () => {
  output.restore();
  await stack?.close();
});

beforeEach(async () => {
  stack.sandbox.resetKnobs();
  // Each test starts with closed breakers and no parked key, whatever the one before it did.
  const { breakerOperator, keyStates } = await import('../../functions/shared/container.js');
  await Promise.all(
    Object.keys(stack.sandbox.baseUrls).map(async (name) => {
      await breakerOperator.reset(name, 'e2e-test');
      await keyStates.release(name as ProviderId, 'primary');
    }),
  );
});

function everyProvider(knobs: { mode: 'throttled' | 'down' | 'malformed' }) {
  stack.sandbox.setKnobs(
    Object.fromEntries(Object.keys(stack.sandbox.baseUrls).map((provider) => [provider, knobs])),
  );
}

describe('GET /api/data/stock/{symbol} through the local gateway', () => {
  it('uses the shared DynamoDB and Secrets Manager instead of starting its own', () => {
    expect(stack.started).toMatchObject({ dynamodb: false, secretsManager: false, table: 'created' });
  });

  it('answers 200 with a normalized quote from Alpha Vantage on a miss', async () => {
    const { status, headers, body } = await get('/api/data/stock/ibm');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(body.data).toMatchObject({ symbol: 'IBM', currency: null });
    expect(typeof body.data.price).toBe('number');
    expect(body.data.tradingDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // In percent, as the provider sent it: the change over the previous close, times 100.
    expect(body.data.changePercent).toBeCloseTo((body.data.change / body.data.previousClose) * 100, 2);
    expect(body.meta).toMatchObject({ provider: 'alpha-vantage', cache: 'miss', stale: false });
    expect(body.meta.attempts).toEqual([
      { provider: 'alpha-vantage', outcome: 'ok', ms: expect.any(Number), calls: 1 },
    ]);
  });

  it('serves the same call again from the cache without an upstream call', async () => {
    await get('/api/data/stock/MSFT');
    const upstream = stack.sandbox.stats().calls['alpha-vantage'] ?? 0;
    const again = await get('/api/data/stock/MSFT');
    expect(again.body.meta).toMatchObject({ cache: 'hit', provider: 'alpha-vantage', attempts: [] });
    expect(stack.sandbox.stats().calls['alpha-vantage'] ?? 0).toBe(upstream);
  });

  it('calls the provider with the key from the Secrets Manager pool', async () => {
    await get('/api/data/stock/AMZN');
    expect(stack.sandbox.stats().callsByKey['alpha-vantage']?.[PROVIDER_KEY]).toBeGreaterThan(0);
  });

  it('answers 400 problem+json for a bad symbol, without calling upstream', async () => {
    const upstream = stack.sandbox.stats().calls['alpha-vantage'] ?? 0;
    const { status, headers, body } = await get('/api/data/stock/NOT_A%20SYMBOL!');
    expect(status).toBe(400);
    expect(headers.get('content-type')).toBe('application/problem+json');
    expect(body).toMatchObject({ type: 'https://valor-ivx.dev/problems/bad-request', status: 400 });
    expect(stack.sandbox.stats().calls['alpha-vantage'] ?? 0).toBe(upstream);
  });

  it('answers 403 without a client key or with a wrong one', async () => {
    expect((await get('/api/data/stock/IBM', null)).status).toBe(403);
    const wrong = await get('/api/data/stock/IBM', 'not-the-key');
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('https://valor-ivx.dev/problems/forbidden');
  });

  it('answers an unknown route with 403, as API Gateway does', async () => {
    const { status, body } = await get('/api/data/nothing-here');
    expect(status).toBe(403);
    expect(body.type).toBe('https://valor-ivx.dev/problems/forbidden');
  });

  it('answers 404 for a symbol the provider does not know', async () => {
    const { status, body } = await get('/api/data/stock/ZZZNOPE');
    expect(status).toBe(404);
    expect(body).toMatchObject({
      type: 'https://valor-ivx.dev/problems/symbol-not-found',
      symbol: 'ZZZNOPE',
    });
  });

  it('falls back to FMP when Alpha Vantage throttles, and says so in meta.attempts', async () => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'throttled' } });
    const { status, body } = await get('/api/data/stock/INTC');
    expect(status).toBe(200);
    expect(body.meta.provider).toBe('fmp');
    expect(
      body.meta.attempts.map((a: { provider: string; outcome: string }) => [a.provider, a.outcome]),
    ).toEqual([
      ['alpha-vantage', 'throttled'],
      ['fmp', 'ok'],
    ]);
  });

  it('answers 503 with Retry-After when every provider throttles', async () => {
    everyProvider({ mode: 'throttled' });
    const { status, headers, body } = await get('/api/data/stock/GOOG');
    expect(status).toBe(503);
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body).toMatchObject({ type: 'https://valor-ivx.dev/problems/providers-unavailable' });
  });

  it('answers 503 when every provider is down, and caches nothing', async () => {
    everyProvider({ mode: 'down' });
    expect((await get('/api/data/stock/NFLX')).status).toBe(503);
    stack.sandbox.resetKnobs();
    expect((await get('/api/data/stock/NFLX')).body.meta.cache).toBe('miss');
  });

  it('never caches an answer that failed validation', async () => {
    everyProvider({ mode: 'malformed' });
    expect((await get('/api/data/stock/ORCL')).status).toBe(503);
    stack.sandbox.resetKnobs();
    const next = await get('/api/data/stock/ORCL');
    expect(next.status).toBe(200);
    expect(next.body.meta.cache).toBe('miss');
  });

  it('emits provider request, duration and cache metrics as EMF', () => {
    const metrics = emfMetrics(output.lines());
    expect(metrics).toContainEqual({
      name: 'data_provider_requests_total',
      value: 1,
      dimensions: { service: 'valor-ivx-data', provider: 'alpha-vantage', data_type: 'quote', status: 'ok' },
    });
    expect(
      metrics.some((m) => m.name === 'data_provider_duration_seconds' && m.dimensions.status === 'ok'),
    ).toBe(true);
    expect(
      metrics.some((m) => m.name === 'data_provider_requests_total' && m.dimensions.status === 'throttled'),
    ).toBe(true);
    expect(metrics.some((m) => m.name === 'cache_hits_total')).toBe(true);
    expect(metrics.some((m) => m.name === 'cache_misses_total')).toBe(true);
  });

  it('never shows the provider key in a response body, a log line or a metric', () => {
    const everything = [...bodies, ...output.lines()].join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(PROVIDER_KEY);
  });
});
