import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SymbolNotFoundError } from '../../lib/errors.js';
import type { HistoryQuery } from '../../lib/model/daily-bars.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { countCommands } from '../support/call-counter.js';
import { buildDataLayer } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { historyCallCounter } from '../support/history-calls.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { everyProvider, sandboxOnTestClock, upstreamCalls } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();
// A history request also asks for the symbol's corporate actions: the counts below are history calls.
let historyCalls: () => number = () => 0;
beforeEach(() => {
  historyCalls = historyCallCounter();
});
// DynamoDB's replica lag on the test's clock: a test that moves the clock a day reads its own writes.
const db = dynamoDbProxyForFile({ now: () => world.clock.now(), knobs: { replicaLagMs: 1000 } });
const stdout = captureStdout();
afterAll(() => stdout.restore());

/**
 * A container of the layer in its default configuration, on its own table (or `tableName`, another
 * container's) and its own DynamoDB client (counted).
 */
async function layerAt(tableName?: string) {
  const dynamodb = db.dynamodb;
  const table = tableName ?? (await freshDataTable(dynamodb, 'series'));
  const layer = await buildDataLayer({
    dynamodb,
    secretsManager,
    tableName: table,
    sandbox: world.sandbox,
    clock: world.clock,
  });
  return { ...layer, tableName: table, dynamodbCalls: countCommands(dynamodb) };
}

const deadline = () => world.clock.now() + 19_000;
/** The ISO date `days` before the clock's today (UTC), as the API reads dates. */
const daysAgo = (days: number) => new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);
const range = (symbol: string, fromDaysAgo: number, toDaysAgo = 0): HistoryQuery => ({
  symbol,
  from: daysAgo(fromDaysAgo),
  to: daysAgo(toDaysAgo),
});
// The clock does not move between requests unless a test moves it: daily history can be fresh for
// as little as a minute (before a market close), and a test must pass at any time of day.

/**
 * The deepest series a free plan serves whole: Twelve Data answers up to 5000 bars (about 19.8 years
 * of sessions); a 20-year range would come back without its oldest weeks (series-cache-free-plans).
 */
const DEEPEST_FREE_DAYS = 19 * 366;

describe('the daily series cache (DynamoDB Local, sandbox, default configuration)', () => {
  it('caches a 19-year daily history: the same request again is a hit with no provider call', async () => {
    const { service } = await layerAt();
    const deepest = range('IBM', DEEPEST_FREE_DAYS);
    const first = await workDueBy(deadline(), () => service.getDailyHistory(deepest));
    expect(first.meta.cache).toBe('miss');
    expect(first.data.bars.length).toBeGreaterThan(4700);
    expect(JSON.stringify(first.data).length).toBeGreaterThan(400 * 1024);
    expect(historyCalls()).toBe(1);

    const again = await workDueBy(deadline(), () => service.getDailyHistory(deepest));
    expect(historyCalls()).toBe(1);
    expect(again.data).toEqual(first.data);
    expect(again.meta).toMatchObject({
      cache: 'hit',
      stale: false,
      provider: first.meta.provider,
      fetchedAt: first.meta.fetchedAt,
      attempts: [],
    });
  });

  it('answers a sub-range of a cached series with no provider call, holding exactly that range', async () => {
    const { service } = await layerAt();
    const whole = await workDueBy(deadline(), () =>
      service.getDailyHistory(range('MSFT', DEEPEST_FREE_DAYS)),
    );
    for (const sub of [
      range('MSFT', 3000, 1000),
      range('MSFT', 9, 2),
      range('MSFT', DEEPEST_FREE_DAYS, 6700),
    ]) {
      const answer = await workDueBy(deadline(), () => service.getDailyHistory(sub));
      const expected = whole.data.bars.filter((bar) => bar.date >= sub.from && bar.date <= sub.to);
      expect(expected.length).toBeGreaterThan(0);
      expect(answer.data).toEqual({ ...whole.data, bars: expected });
      expect(answer.meta).toMatchObject({ cache: 'hit', fetchedAt: whole.meta.fetchedAt });
      expect(answer.meta.quality?.score).toBe(1);
    }
    expect(historyCalls()).toBe(1);
  });

  it('serves a cached series to a container that has not seen it, from DynamoDB, with no provider call', async () => {
    const first = await layerAt();
    await workDueBy(deadline(), () => first.service.getDailyHistory(range('AAPL', DEEPEST_FREE_DAYS)));
    world.clock.advance(1000); // past the replica lag: the other container's read sees the write
    const other = await layerAt(first.tableName);
    for (const name of Object.keys(other.dynamodbCalls)) delete other.dynamodbCalls[name];
    const answer = await workDueBy(deadline(), () => other.service.getDailyHistory(range('AAPL', 400, 100)));
    expect(answer.meta).toMatchObject({ cache: 'hit', stale: false });
    expect(historyCalls()).toBe(1);
    expect(other.dynamodbCalls.GetItemCommand ?? 0).toBeGreaterThan(0);
  });

  it('serves every range within two years from the one call a short request made', async () => {
    const { service } = await layerAt();
    const short = await workDueBy(deadline(), () => service.getDailyHistory(range('NVDA', 140)));
    expect(short.meta.cache).toBe('miss');
    for (const query of [range('NVDA', 365), range('NVDA', 700, 30), range('NVDA', 5)]) {
      expect((await workDueBy(deadline(), () => service.getDailyHistory(query))).meta.cache).toBe('hit');
    }
    expect(historyCalls()).toBe(1);
  });

  it('extends the cached series once for a range it does not reach back to, then serves both', async () => {
    const { service } = await layerAt();
    await workDueBy(deadline(), () => service.getDailyHistory(range('TSLA', 140)));
    const deep = await workDueBy(deadline(), () => service.getDailyHistory(range('TSLA', 10 * 366, 9 * 366)));
    expect(deep.meta.cache).toBe('miss');
    expect(deep.data.bars[0]?.date.slice(0, 4)).toBe(daysAgo(10 * 366).slice(0, 4));
    expect(historyCalls()).toBe(2);
    for (const query of [range('TSLA', 140), range('TSLA', 10 * 366, 9 * 366), range('TSLA', 5 * 366)]) {
      expect((await workDueBy(deadline(), () => service.getDailyHistory(query))).meta.cache).toBe('hit');
    }
    expect(historyCalls()).toBe(2);
  });

  it('serves the cached slice as stale when every provider fails after the series went stale', async () => {
    const { service } = await layerAt();
    const query = range('AMZN', 200, 100);
    const fresh = await workDueBy(deadline(), () => service.getDailyHistory(query));
    world.clock.advance(25 * 3600 * 1000); // past any market close: the series is stale, within its 7-day window
    world.sandbox.setKnobs(everyProvider({ mode: 'down' }));
    const stale = await workDueBy(deadline(), () => service.getDailyHistory(query));
    expect(stale.data).toEqual(fresh.data);
    expect(stale.meta).toMatchObject({ cache: 'hit', stale: true, fetchedAt: fresh.meta.fetchedAt });
  });

  it('remembers an unknown symbol once for all its ranges', async () => {
    const { service } = await layerAt();
    await expect(
      workDueBy(deadline(), () => service.getDailyHistory(range('ZZZQ', 140))),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    const calls = upstreamCalls(world.sandbox);
    await expect(
      workDueBy(deadline(), () => service.getDailyHistory(range('ZZZQ', 3000, 2000))),
    ).rejects.toMatchObject({
      symbol: 'ZZZQ',
    });
    expect(upstreamCalls(world.sandbox)).toBe(calls);
  });
});
