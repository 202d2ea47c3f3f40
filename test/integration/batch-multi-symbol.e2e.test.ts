import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureStdout } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `multi-client-${run}`;
let stack: LocalStack;
const stdout = captureStdout();

beforeAll(async () => {
  // One container whose operator holds FMP's paid plan, which has a multi-symbol quote endpoint.
  stack = await startContainerStack('multi', {
    LOCAL_API_KEY: CLIENT_KEY,
    FMP_PLAN: 'paid',
    PROVIDER_ORDER_QUOTE: 'fmp,alpha-vantage',
  });
});

afterAll(async () => {
  stdout.restore();
  await stack?.close();
});

describe('batch prices on a plan with a multi-symbol endpoint', () => {
  it('fetches the misses in one FMP batch call, and only the symbols it did not know one by one', async () => {
    const symbols = [...Array.from({ length: 30 }, (_, i) => `M${i}`), 'ZZZNONE'];
    const response = await fetch(`${stack.baseUrl}/api/data/batch/prices`, {
      method: 'POST',
      headers: { 'x-api-key': CLIENT_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ symbols }),
    });
    const body = (await response.json()) as {
      results: Record<string, { meta: { provider: string; quality: { score: number } } }>;
      missing: string[];
    };
    expect(response.status).toBe(200);
    expect(Object.keys(body.results)).toHaveLength(30);
    expect(body.missing).toEqual(['ZZZNONE']);
    for (const result of Object.values(body.results)) {
      expect(result.meta.provider).toBe('fmp');
      expect(result.meta.quality.score).toBeGreaterThan(0.6);
    }
    // One batch call for 31 symbols; ZZZNONE then asked alone of each provider (coverage differs).
    expect(stack.sandbox.stats().calls).toMatchObject({ fmp: 2, 'alpha-vantage': 1 });
  });
});
