import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_PROVIDER_IDS } from '../../infra/local/sandbox/knobs.js';
import { SymbolNotFoundError } from '../../lib/errors.js';
import type { DailyBar } from '../../lib/model/daily-bars.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { buildDataLayer } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import { everyProvider, sandboxOnTestClock, upstreamCalls } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();
const stdout = captureStdout();
afterAll(() => stdout.restore());

async function layerAt() {
  const tableName = await freshDataTable(dynamodb, 'negative');
  return buildDataLayer({ dynamodb, secretsManager, tableName, sandbox: world.sandbox, clock: world.clock });
}

const deadline = () => world.clock.now() + 19_000;

describe('a remembered unknown symbol beside the last good value (DynamoDB Local, sandbox, default configuration)', () => {
  it('leaves the good value servable as stale after an unknown-symbol answer', async () => {
    const { service, config } = await layerAt();
    const good = await workDueBy(deadline(), () => service.getQuote('ACME'));
    expect(good.meta.cache).toBe('miss');

    // Past the quote's freshness, every provider now says it does not know the symbol.
    world.clock.advance((config.cachePolicy.quote.freshSeconds + 60) * 1000);
    world.sandbox.setKnobs(everyProvider({ unknownSymbols: ['ACME'] }));
    await expect(workDueBy(deadline(), () => service.getQuote('ACME'))).rejects.toBeInstanceOf(
      SymbolNotFoundError,
    );
    expect(upstreamCalls(world.sandbox)).toBe(1 + SANDBOX_PROVIDER_IDS.length);

    // While the answer is remembered, a 404 costs no provider call.
    await expect(workDueBy(deadline(), () => service.getQuote('ACME'))).rejects.toBeInstanceOf(
      SymbolNotFoundError,
    );
    expect(upstreamCalls(world.sandbox)).toBe(1 + SANDBOX_PROVIDER_IDS.length);

    // Once it lapses, with every provider down, the last good value is still there to serve.
    world.clock.advance((config.negativeCacheSeconds + 1) * 1000);
    world.sandbox.setKnobs(everyProvider({ unknownSymbols: [], mode: 'down' }));
    const stale = await workDueBy(deadline(), () => service.getQuote('ACME'));
    expect(stale.data).toEqual(good.data);
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: good.meta.fetchedAt });
  });

  it('leaves a daily series servable as stale after an unknown-symbol answer', async () => {
    const { service, config } = await layerAt();
    const daysAgo = (days: number) =>
      new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);
    // As traded: the symbol's corporate actions are read again in between (the providers' splits and
    // dividends lists for a symbol they do not know are empty), and only the adjusted prices read them.
    const query = { symbol: 'ACME', from: daysAgo(400), to: daysAgo(0), adjustment: 'raw' as const };
    const asTraded = (bars: readonly DailyBar[]) => bars.map(({ adjustedClose: _, ...traded }) => traded);
    const good = await workDueBy(deadline(), () => service.getDailyHistory(query));

    world.clock.advance(25 * 3600 * 1000); // past any market close: the series is stale
    world.sandbox.setKnobs(everyProvider({ unknownSymbols: ['ACME'] }));
    await expect(workDueBy(deadline(), () => service.getDailyHistory(query))).rejects.toBeInstanceOf(
      SymbolNotFoundError,
    );

    world.clock.advance((config.negativeCacheSeconds + 1) * 1000);
    world.sandbox.setKnobs(everyProvider({ unknownSymbols: [], mode: 'down' }));
    const stale = await workDueBy(deadline(), () => service.getDailyHistory(query));
    expect(asTraded(stale.data.bars)).toEqual(asTraded(good.data.bars));
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: good.meta.fetchedAt });
  });
});
