import { afterAll, describe, expect, it, vi } from 'vitest';
import type { HistoryQuery } from '../../lib/model/daily-bars.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { buildDataLayer } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { sandboxOnTestClock } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

// Every scoring of a daily series, counted: the scorer is the layer's own, wrapped.
const scorings = vi.hoisted(() => ({ bars: [] as number[] }));
vi.mock('../../lib/quality/daily-bars.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/quality/daily-bars.js')>();
  return {
    ...actual,
    scoreDailySeries: (...args: Parameters<typeof actual.scoreDailySeries>) => {
      scorings.bars.push(args[0].bars.length);
      return actual.scoreDailySeries(...args);
    },
  };
});

const secretsManager = localSecretsManager();
const world = sandboxOnTestClock();
const db = dynamoDbProxyForFile({ now: () => world.clock.now(), knobs: { replicaLagMs: 1000 } });
const stdout = captureStdout();
afterAll(() => stdout.restore());

const daysAgo = (days: number) => new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);
const range = (symbol: string, fromDaysAgo: number): HistoryQuery => ({
  symbol,
  from: daysAgo(fromDaysAgo),
  to: daysAgo(0),
});
const deadline = () => world.clock.now() + 19_000;

async function service() {
  const layer = await buildDataLayer({
    dynamodb: db.dynamodb,
    secretsManager,
    tableName: await freshDataTable(db.dynamodb, 'series-score'),
    sandbox: world.sandbox,
    clock: world.clock,
  });
  return layer.service;
}

describe("a daily series' quality, scored once (DynamoDB Local, sandbox)", () => {
  it('scores a fetched series once when the range asked holds every bar of it, and a hit of it not again', async () => {
    const history = await service();
    scorings.bars = [];
    const miss = await workDueBy(deadline(), () => history.getDailyHistory(range('IBM', 3 * 366)));
    expect(miss.meta.cache).toBe('miss');
    expect(scorings.bars).toEqual([miss.data.bars.length]);
    const hit = await workDueBy(deadline(), () => history.getDailyHistory(range('IBM', 3 * 366)));
    expect(hit.meta.cache).toBe('hit');
    expect(scorings.bars).toHaveLength(1);
    expect(hit.meta.quality).toEqual(miss.meta.quality);
  });

  it('scores a narrower slice of a cached series on its own bars', async () => {
    const history = await service();
    await workDueBy(deadline(), () => history.getDailyHistory(range('MSFT', 3 * 366)));
    scorings.bars = [];
    const slice = await workDueBy(deadline(), () => history.getDailyHistory(range('MSFT', 30)));
    expect(slice.meta.cache).toBe('hit');
    expect(scorings.bars).toEqual([slice.data.bars.length]);
  });
});
