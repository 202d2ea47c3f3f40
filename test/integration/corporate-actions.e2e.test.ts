import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { findSymbolWithSplit } from '../../infra/local/sandbox/corporate-actions.js';
import type { CorporateActions } from '../../lib/model/corporate-actions.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import { ENDPOINTS } from '../../lib/providers/registry.js';
import { symbolWithoutActions, trueActions } from '../support/corporate-actions.js';
import { captureStdout } from '../support/stdout-capture.js';

const CLIENT_KEY = `actions-client-${randomUUID().slice(0, 8)}`;
const stdout = captureStdout();
afterAll(() => stdout.restore());

// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
type Json = Record<string, any>;

async function call(stack: LocalStack, path: string) {
  const response = await fetch(`${stack.baseUrl}${path}`, { headers: { 'x-api-key': CLIENT_KEY } });
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** A symbol with a 10-for-1 split inside the last two years and quarterly dividends. */
const { symbol: SPLIT_SYMBOL, split: TEN_FOR_ONE } = findSymbolWithSplit({
  ratio: 10,
  within: { from: isoDaysAgo(730), to: isoDaysAgo(1) },
});

/** Every provider with a corporate-actions endpoint, and whether its free plan serves them. */
const SERVING = servingProviders();

/** Massive's Basic plan lists the last 2 years of actions (docs/providers.md); the others all 20. */
const REACH_DAYS: Partial<Record<ProviderId, number>> = { polygon: 2 * 365 };

/** Twelve Data's `/dividends` lists an ex-date and an amount only: no pay date (its adapter's schema). */
const STATES_NO_PAY_DATE: ReadonlySet<ProviderId> = new Set(['twelve-data']);

/** The sandbox's truth as `provider` can tell it: as far back as its plan lists, pay dates where it has them. */
function truthFrom(provider: ProviderId, symbol: string): CorporateActions {
  const truth = trueActions(symbol, new Date(), REACH_DAYS[provider]);
  if (!STATES_NO_PAY_DATE.has(provider)) return truth;
  return { ...truth, dividends: truth.dividends.map((dividend) => ({ ...dividend, payDate: null })) };
}

/**
 * A container (the handlers' modules loaded afresh, so they read this environment) with `env` over
 * the file's settings, on a table of its own, with a sandbox of its own: the last container's
 * provider URLs are dropped, or the new stack would keep them and its sandbox would go unused.
 */
async function containerWith(name: string, env: Record<string, string>): Promise<LocalStack> {
  for (const id of PROVIDER_IDS) delete process.env[`${PROVIDER_ENV_PREFIX[id]}_BASE_URL`];
  vi.resetModules();
  const { startContainerStack } = await import('../support/container-stack.js');
  return startContainerStack(name, { LOCAL_API_KEY: CLIENT_KEY, ...env });
}

describe.each(SERVING)('GET /api/data/corporate-actions/{symbol} from %s alone', (provider, freePlan) => {
  let stack: LocalStack;
  const plan = `${PROVIDER_ENV_PREFIX[provider]}_PLAN`;

  beforeAll(async () => {
    stack = await containerWith(`actions-${provider}`, {
      PROVIDER_ORDER_CORPORATE_ACTIONS: provider,
      // A provider whose free plan lacks corporate actions is tested on its paid plan (sandbox and key pool
      // follow the same variable): what is under test is its answer on the wire, not its plan.
      ...(freePlan ? {} : { [plan]: 'paid' }),
    });
  });
  afterAll(async () => {
    await stack?.close();
    delete process.env[plan];
    delete process.env.PROVIDER_ORDER_CORPORATE_ACTIONS;
  });

  it('answers the sandbox’s true splits and dividends, as far back as its plan lists them', async () => {
    const { status, body } = await call(stack, `/api/data/corporate-actions/${SPLIT_SYMBOL.toLowerCase()}`);
    expect(status).toBe(200);
    expect(body.data).toEqual(truthFrom(provider, SPLIT_SYMBOL));
    expect(body.data.splits).toContainEqual(TEN_FOR_ONE);
    expect(body.data.dividends.length).toBeGreaterThan(4);
    expect(body.meta).toMatchObject({
      provider,
      providers: { splits: provider, dividends: provider },
      cache: 'miss',
      stale: false,
    });
    expect(body.meta.quality.score).toBeGreaterThanOrEqual(0.6);
  });

  it('answers a symbol it does not list with a 404, told by the provider or by the company lookup behind its empty lists', async () => {
    const { status, body } = await call(stack, '/api/data/corporate-actions/ZZZNOSUCH');
    expect(status).toBe(404);
    expect(body.type).toBe('https://valor-ivx.dev/problems/symbol-not-found');
  });
});

describe('GET /api/data/corporate-actions/{symbol} in the default configuration', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await containerWith('actions-default', {});
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a second request from the cache, with its ETag and no provider call', async () => {
    const path = `/api/data/corporate-actions/${SPLIT_SYMBOL}`;
    const first = await call(stack, path);
    expect(first.status).toBe(200);
    const calls = upstreamCalls(stack);

    const second = await call(stack, path);
    expect(second.status).toBe(200);
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.meta).toMatchObject({ cache: 'hit', stale: false, attempts: [] });
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(upstreamCalls(stack)).toBe(calls);
  });

  it('answers empty lists for a symbol with no splits and no dividends', async () => {
    const symbol = symbolWithoutActions(new Date());
    const { status, body } = await call(stack, `/api/data/corporate-actions/${symbol}`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ symbol, splits: [], dividends: [] });
  });

  it.each(['TOOLONGSYMBOL1234', 'BAD%24SYM', 'BAD%20SYM'])(
    'answers %s with a 400 problem',
    async (symbol) => {
      const calls = upstreamCalls(stack);
      const { status, body } = await call(stack, `/api/data/corporate-actions/${symbol}`);
      expect(status).toBe(400);
      expect(body.type).toBe('https://valor-ivx.dev/problems/bad-request');
      expect(upstreamCalls(stack)).toBe(calls);
    },
  );
});

function upstreamCalls(stack: LocalStack): number {
  return Object.values(stack.sandbox.stats().calls).reduce((sum, n) => sum + n, 0);
}

function servingProviders(): [ProviderId, boolean][] {
  return Object.entries(ENDPOINTS.corporate_actions).map(([provider, endpoint]) => [
    provider as ProviderId,
    endpoint?.plan !== 'paid',
  ]);
}
