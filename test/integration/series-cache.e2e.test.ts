import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startContainerStack } from '../support/container-stack.js';
import { historyCallCounter } from '../support/history-calls.js';
import { captureStdout } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `series-client-${run}`;
let stack: LocalStack;
const stdout = captureStdout();

async function get(path: string) {
  const response = await fetch(`${stack.baseUrl}${path}`, { headers: { 'x-api-key': CLIENT_KEY } });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
  return { status: response.status, bytes: text.length, body: JSON.parse(text) as Record<string, any> };
}

/** The ISO date `days` before today (UTC): the stack and its sandbox run on the machine's clock. */
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  stack = await startContainerStack('series', {
    LOCAL_API_KEY: CLIENT_KEY,
  });
});

afterAll(async () => {
  stdout.restore();
  await stack?.close();
});

describe('GET /api/data/stock/{symbol}?history=daily through the local gateway', () => {
  it('caches a 19-year series: the same request is a hit, a sub-range a hit with exactly its bars', async () => {
    // The deepest a free plan serves whole (Twelve Data: 5000 bars an answer, about 19.8 years).
    const whole = `/api/data/stock/IBM?history=daily&from=${daysAgo(19 * 366)}&to=${daysAgo(0)}`;
    // The stack runs in this process: its history calls are counted apart from its corporate actions'.
    const historyCalls = historyCallCounter();
    const first = await get(whole);
    expect(first.status).toBe(200);
    expect(first.bytes).toBeGreaterThan(400 * 1024);
    expect(first.body.meta.cache).toBe('miss');
    expect(historyCalls()).toBe(1);

    const again = await get(whole);
    expect(again.status).toBe(200);
    expect(again.body.meta).toMatchObject({ cache: 'hit', fetchedAt: first.body.meta.fetchedAt });
    expect(again.body.data).toEqual(first.body.data);

    const [from, to] = [daysAgo(15 * 366), daysAgo(10 * 366)];
    const sub = await get(`/api/data/stock/IBM?history=daily&from=${from}&to=${to}`);
    expect(sub.status).toBe(200);
    expect(sub.body.meta).toMatchObject({ cache: 'hit', fetchedAt: first.body.meta.fetchedAt });
    const expected = first.body.data.bars.filter(
      (bar: { date: string }) => bar.date >= from && bar.date <= to,
    );
    expect(expected.length).toBeGreaterThan(1000);
    expect(sub.body.data.bars).toEqual(expected);
    expect(historyCalls()).toBe(1);
  });
});
