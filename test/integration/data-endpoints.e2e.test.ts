import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { countCommands } from '../support/call-counter.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureStdout } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `data-client-${run}`;
let stack: LocalStack;
const stdout = captureStdout();

// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
type Json = Record<string, any>;

async function call(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const upstreamCalls = () => Object.values(stack.sandbox.stats().calls).reduce((sum, n) => sum + n, 0);

beforeAll(async () => {
  stack = await startContainerStack('data', {
    LOCAL_API_KEY: CLIENT_KEY,
    // The file makes more Alpha Vantage calls a minute than a free key's 5: on its paid plan (the sandbox
    // and the key pool follow the same variable) each fallback test sees Alpha Vantage's fault, not its budget.
    ALPHA_VANTAGE_PLAN: 'paid',
    RETRY_BASE_DELAY: '0.02',
    RETRY_MAX_ATTEMPTS: '2',
    CIRCUIT_BREAKER_ENABLED: 'false',
  });
});

afterAll(async () => {
  stdout.restore();
  await stack?.close();
});

beforeEach(() => {
  stack.sandbox.resetKnobs();
});

const endpoints: [string, string, (body: Json) => void][] = [
  [
    'daily history',
    '/api/data/stock/IBM?history=daily&from=2026-09-01&to=2026-11-20',
    (body) => {
      const dates = body.data.bars.map((bar: { date: string }) => bar.date);
      expect(dates.length).toBeGreaterThan(40);
      expect(dates).toEqual([...dates].sort());
      expect(dates[0] >= '2026-09-01' && dates.at(-1) <= '2026-11-20').toBe(true);
    },
  ],
  [
    'financial statements',
    '/api/data/financials/MSFT?statement=income&period=annual',
    (body) => {
      expect(body.data).toMatchObject({ statement: 'income', period: 'annual' });
      expect(body.data.reports.length).toBeGreaterThan(0);
      expect(typeof body.data.reports[0].totalRevenue).toBe('number');
    },
  ],
  [
    'cash-flow statements',
    '/api/data/financials/MSFT?statement=cash&period=quarterly',
    (body) => {
      for (const report of body.data.reports) expect(report.capitalExpenditures ?? -1).toBeLessThanOrEqual(0);
    },
  ],
  [
    'company profile',
    '/api/data/company/AAPL',
    (body) => expect(body.data).toMatchObject({ symbol: expect.any(String), name: expect.any(String) }),
  ],
  [
    'symbol search',
    '/api/data/search?q=apple',
    (body) => expect(Array.isArray(body.data.matches)).toBe(true),
  ],
];

describe('data endpoints through the local gateway', () => {
  it.each(endpoints)('serve %s from Alpha Vantage with a quality report', async (_, path, assertData) => {
    const { status, body } = await call(path);
    expect(status).toBe(200);
    expect(body.meta.provider).toBe('alpha-vantage');
    expect(body.meta.quality.score).toBeGreaterThanOrEqual(0.6);
    expect(body.meta.quality.checks.length).toBeGreaterThan(0);
    assertData(body);
  });

  it.each(endpoints)('fall back to FMP for %s when Alpha Vantage is down', async (_, path, assertData) => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    const fresh = path
      .replace('IBM', 'ORCL')
      .replace('MSFT', 'NVDA')
      .replace('AAPL', 'AMD')
      .replace('apple', 'micro');
    const { status, body } = await call(fresh);
    expect(status).toBe(200);
    expect(body.meta.provider).toBe('fmp');
    expect(body.meta.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'upstream_error' });
    assertData(body);
  });

  it.each([
    ['/api/data/financials/IBM?statement=bogus', 400],
    ['/api/data/financials/IBM', 400],
    ['/api/data/search?q=', 400],
    ['/api/data/search?q=%3Cscript%3E%3C%2Fscript%3E', 400],
    ['/api/data/stock/IBM?history=daily&from=2026-11-20&to=2026-09-01', 400],
    ['/api/data/stock/IBM?history=weekly', 400],
    ['/api/data/stock/IBM?history=daily&to=2099-01-01', 400],
    ['/api/data/stock/IBM?history=daily&adjustment=dividends', 400],
    ['/api/data/stock/IBM?adjustment=raw', 400],
  ])('answer %s with %i problem+json', async (path, status) => {
    const answer = await call(path);
    expect(answer.status).toBe(status);
    expect(answer.body.type).toBe('https://valor-ivx.dev/problems/bad-request');
  });
});

describe('POST /api/data/batch/prices', () => {
  const symbols = Array.from({ length: 100 }, (_, i) => `B${i}`);

  it('answers 100 symbols this container cached from its memory: no DynamoDB read, no upstream call', async () => {
    expect((await call('/api/data/batch/prices', { method: 'POST', body: { symbols } })).status).toBe(200);
    const { clients } = await import('../../functions/shared/container.js');
    const commands = countCommands(clients.dynamodb);
    const before = upstreamCalls();
    const { status, body } = await call('/api/data/batch/prices', { method: 'POST', body: { symbols } });
    expect(status).toBe(200);
    expect(Object.keys(body.results).sort()).toEqual([...symbols].sort());
    expect(body.missing).toEqual([]);
    expect(body.errors).toEqual([]);
    expect(upstreamCalls()).toBe(before);
    // Fresh in the container's memory since the first batch wrote them (the BatchGetItem round for
    // keys it does not hold is tested on DataCache.lookupMany).
    expect(commands).toEqual({});
  });

  it('lists each symbol in exactly one of results, missing or errors', async () => {
    const asked = ['B1', 'B2', 'ZZZNONE', 'ZZZGONE', 'FRESH1'];
    const { body: first } = await call('/api/data/batch/prices', {
      method: 'POST',
      body: { symbols: asked },
    });
    expect(Object.keys(first.results).sort()).toEqual(['B1', 'B2', 'FRESH1']);
    expect(first.missing).toEqual(['ZZZGONE', 'ZZZNONE']);

    const providers = Object.keys(stack.sandbox.baseUrls);
    stack.sandbox.setKnobs(Object.fromEntries(providers.map((provider) => [provider, { mode: 'down' }])));
    const second = await call('/api/data/batch/prices', {
      method: 'POST',
      body: { symbols: [...asked, 'NEVERSEEN'] },
    });
    const placed = [
      ...Object.keys(second.body.results),
      ...second.body.missing,
      ...second.body.errors.map((e: { symbol: string }) => e.symbol),
    ].sort();
    expect(placed).toEqual([...asked, 'NEVERSEEN'].sort());
    expect(second.body.errors).toEqual([
      expect.objectContaining({
        symbol: 'NEVERSEEN',
        error: 'providers_unavailable',
        retryAfterSeconds: expect.any(Number),
      }),
    ]);
  });

  it.each([
    [{ symbols: [] }],
    [{ symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }],
    [{ symbols: ['IBM', 'NOT VALID!'] }],
    [{ tickers: ['IBM'] }],
    ['not json'],
  ])('refuses %j with 400 problem+json', async (body) => {
    const answer = await call('/api/data/batch/prices', { method: 'POST', body });
    expect(answer.status).toBe(400);
    expect(answer.body.type).toBe('https://valor-ivx.dev/problems/bad-request');
  });
});
