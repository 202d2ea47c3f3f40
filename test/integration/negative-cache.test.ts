import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_PROVIDER_IDS } from '../../infra/local/sandbox/knobs.js';
import {
  type MarketSandbox,
  type SandboxKnobsPatch,
  startMarketSandbox,
} from '../../infra/local/sandbox/server.js';
import { SymbolNotFoundError } from '../../lib/errors.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import { captureStdout } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const secretsManager = localSecretsManager();
let sandbox: MarketSandbox;
/** Each test's clock; the sandbox reads the same one, so its "today" is the layer's today. */
let clock = new FakeClock();
const stdout = captureStdout();

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => clock.date() });
});
afterAll(async () => {
  stdout.restore();
  await sandbox.close();
});
beforeEach(() => {
  clock = new FakeClock();
  sandbox.resetKnobs();
  sandbox.resetStats();
});

async function layerAt() {
  const tableName = await freshDataTable(dynamodb, 'negative');
  return buildDataLayer({ dynamodb, secretsManager, tableName, sandbox, clock });
}

/** The same knobs on every provider the sandbox serves: the default configuration asks all five. */
const everyProvider = (knobs: SandboxKnobsPatch[keyof SandboxKnobsPatch]) =>
  Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, knobs])) as SandboxKnobsPatch;
const upstreamCalls = () => Object.values(sandbox.stats().calls).reduce((sum, n) => sum + n, 0);
const deadline = () => clock.now() + 19_000;

describe('a remembered unknown symbol beside the last good value (DynamoDB Local, sandbox, default configuration)', () => {
  it('leaves the good value servable as stale after an unknown-symbol answer', async () => {
    const { service, config } = await layerAt();
    const good = await service.getQuote('ACME', deadline());
    expect(good.meta.cache).toBe('miss');

    // Past the quote's freshness, every provider now says it does not know the symbol.
    clock.advance((config.cachePolicy.quote.freshSeconds + 60) * 1000);
    sandbox.setKnobs(everyProvider({ unknownSymbols: ['ACME'] }));
    await expect(service.getQuote('ACME', deadline())).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(upstreamCalls()).toBe(1 + SANDBOX_PROVIDER_IDS.length);

    // While the answer is remembered, a 404 costs no provider call.
    await expect(service.getQuote('ACME', deadline())).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(upstreamCalls()).toBe(1 + SANDBOX_PROVIDER_IDS.length);

    // Once it lapses, with every provider down, the last good value is still there to serve.
    clock.advance((config.negativeCacheSeconds + 1) * 1000);
    sandbox.setKnobs(everyProvider({ unknownSymbols: [], mode: 'down' }));
    const stale = await service.getQuote('ACME', deadline());
    expect(stale.data).toEqual(good.data);
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: good.meta.fetchedAt });
  });

  it('leaves a daily series servable as stale after an unknown-symbol answer', async () => {
    const { service, config } = await layerAt();
    const daysAgo = (days: number) => new Date(clock.now() - days * 86_400_000).toISOString().slice(0, 10);
    const query = { symbol: 'ACME', from: daysAgo(400), to: daysAgo(0) };
    const good = await service.getDailyHistory(query, deadline());

    clock.advance(25 * 3600 * 1000); // past any market close: the series is stale
    sandbox.setKnobs(everyProvider({ unknownSymbols: ['ACME'] }));
    await expect(service.getDailyHistory(query, deadline())).rejects.toBeInstanceOf(SymbolNotFoundError);

    clock.advance((config.negativeCacheSeconds + 1) * 1000);
    sandbox.setKnobs(everyProvider({ unknownSymbols: [], mode: 'down' }));
    const stale = await service.getDailyHistory(query, deadline());
    expect(stale.data).toEqual(good.data);
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: good.meta.fetchedAt });
  });
});
