import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AlphaVantageEntitlement } from '../../lib/providers/alpha-vantage/entitlement.js';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-stack-process.js';

/**
 * Alpha Vantage's delayed and realtime quote forms, served through the local gateway with the default
 * configuration otherwise (five quote providers, default order). The entitlement is configuration a
 * container reads once, so each form has its own container: an `npm start` process with
 * `ALPHA_VANTAGE_ENTITLEMENT` set, sharing the suite's DynamoDB Local and Secrets Manager. Its sandbox
 * answers `entitlement=` as Alpha Vantage does; no fake clock is involved (stack and sandbox share the
 * machine's, `faketime` included).
 */
const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `forms-client-${run}`;
const ENTITLEMENTS: readonly AlphaVantageEntitlement[] = ['delayed', 'realtime'];
const containers = new Map<AlphaVantageEntitlement, LocalStackProcess>();

function container(entitlement: AlphaVantageEntitlement): LocalStackProcess {
  const stack = containers.get(entitlement);
  if (!stack) throw new Error(`no container for ${entitlement}`);
  return stack;
}

async function sandboxCalls(stack: LocalStackProcess): Promise<Record<string, number>> {
  const response = await fetch(`${stack.sandboxUrl}/__sandbox/stats`);
  return ((await response.json()) as { calls: Record<string, number> }).calls;
}

beforeAll(async () => {
  // One after the other, so that a failed start leaves no process behind the cleanup's back.
  for (const entitlement of ENTITLEMENTS) {
    containers.set(
      entitlement,
      await spawnLocalStack({
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
        AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('secretsManagerEndpoint'),
        DATA_TABLE_NAME: `e2e-forms-${entitlement}-${run}`,
        KEY_POOL_SECRET_PREFIX: `e2e-forms-${entitlement}-${run}/`,
        LOCAL_API_KEY: CLIENT_KEY,
        ALPHA_VANTAGE_ENTITLEMENT: entitlement,
        // The delayed and realtime US data are premium: the layer asks for them, and the sandbox
        // serves them, only on a paid plan (a free key gets the premium notice).
        ALPHA_VANTAGE_PLAN: 'paid',
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all([...containers.values()].map((stack) => stack.stop()));
});

describe('Alpha Vantage quote forms through the local gateway', () => {
  it.each(ENTITLEMENTS)(
    'serves the %s form as an Alpha Vantage quote, with no call to the next provider',
    async (entitlement) => {
      const stack = container(entitlement);
      const response = await fetch(`${stack.apiUrl}/api/data/stock/IBM`, {
        headers: { 'x-api-key': CLIENT_KEY },
      });
      // biome-ignore lint/suspicious/noExplicitAny: the test asserts on the parsed JSON's shape
      const body = (await response.json()) as Record<string, any>;

      expect(response.status).toBe(200);
      expect(body.data).toMatchObject({ symbol: 'IBM', currency: null });
      expect(body.meta).toMatchObject({ provider: 'alpha-vantage', cache: 'miss', stale: false });
      expect(body.meta.attempts).toEqual([
        { provider: 'alpha-vantage', outcome: 'ok', ms: expect.any(Number), calls: 1 },
      ]);
      // One call, to Alpha Vantage; none to the providers behind it.
      expect(await sandboxCalls(stack)).toEqual({
        'alpha-vantage': 1,
        fmp: 0,
        finnhub: 0,
        'twelve-data': 0,
        polygon: 0,
      });
    },
  );

  it('gets the delayed form from the sandbox under Alpha Vantage’s delayed key, the price it served', async () => {
    const stack = container('delayed');
    const served = await fetch(`${stack.apiUrl}/api/data/stock/MSFT`, {
      headers: { 'x-api-key': CLIENT_KEY },
    });
    const { data } = (await served.json()) as { data: { price: number } };
    const query = 'function=GLOBAL_QUOTE&symbol=MSFT&entitlement=delayed&apikey=any';
    const raw = (await (await fetch(`${stack.sandboxUrl}/alpha-vantage/query?${query}`)).json()) as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(raw)).toEqual(['Global Quote - DATA DELAYED BY 15 MINUTES']);
    expect(Number(raw['Global Quote - DATA DELAYED BY 15 MINUTES']?.['05. price'])).toBe(data.price);
  });
});
