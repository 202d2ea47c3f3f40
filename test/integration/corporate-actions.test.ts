import { afterAll, describe, expect, it } from 'vitest';
import { findSymbolWithSplit } from '../../infra/local/sandbox/corporate-actions.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../../lib/errors.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { corporateActionsKey } from '../../lib/services/corporate-actions-answer.js';
import { symbolWithoutActions, trueActions } from '../support/corporate-actions.js';
import {
  everyProvider,
  layerOnTestSandbox,
  sandboxOnTestClock,
  upstreamCalls,
} from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

const world = sandboxOnTestClock();
const stdout = captureStdout();
afterAll(() => stdout.restore());

const deadline = () => world.clock.now() + 19_000;
const isoDaysAgo = (days: number) =>
  new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);

describe('MarketDataService.getCorporateActions (DynamoDB Local behind the proxy, sandbox, default configuration)', () => {
  it('answers the sandbox’s true splits and dividends, each part from the first provider of the default order', async () => {
    const { service, config } = await layerOnTestSandbox(world, 'corporate');
    const { symbol, split } = findSymbolWithSplit({
      ratio: 10,
      within: { from: isoDaysAgo(700), to: isoDaysAgo(30) },
    });

    const answer = await workDueBy(deadline(), () => service.getCorporateActions(symbol));

    expect(answer.data).toEqual(trueActions(symbol, world.clock.date()));
    expect(answer.data.splits).toContainEqual(split);
    expect(answer.data.dividends.length).toBeGreaterThan(0);
    const first = config.providerOrder.corporate_actions[0];
    expect(answer.meta).toMatchObject({
      provider: first,
      providers: { splits: first, dividends: first },
      cache: 'miss',
      stale: false,
      freshForSeconds: config.cachePolicy.corporate_actions.freshSeconds,
    });
    // One provider call per part.
    expect(answer.meta.attempts.map((a) => `${a.provider}:${a.outcome}:${a.calls}`)).toEqual([
      `${first}:ok:1`,
      `${first}:ok:1`,
    ]);
    expect(upstreamCalls(world.sandbox)).toBe(2);
    expect(answer.meta.quality?.score).toBeGreaterThanOrEqual(config.qualityFloor);
  });

  it('caches the two parts under their own keys: the next answer is a hit with no provider call', async () => {
    const { service } = await layerOnTestSandbox(world, 'corporate-hit');
    const { symbol } = findSymbolWithSplit({
      ratio: 10,
      within: { from: isoDaysAgo(700), to: isoDaysAgo(30) },
    });
    const first = await workDueBy(deadline(), () => service.getCorporateActions(symbol));
    const calls = upstreamCalls(world.sandbox);

    world.clock.advance(60_000);
    const second = await workDueBy(deadline(), () => service.getCorporateActions(symbol));
    expect(upstreamCalls(world.sandbox)).toBe(calls);
    expect(second.data).toEqual(first.data);
    expect(second.meta).toMatchObject({ cache: 'hit', stale: false, ageSeconds: 60, attempts: [] });

    // Each part is an entry of its own, as `fromFreshEntry` reads one.
    const splits = await service.readCacheMany('corporate_actions', [corporateActionsKey(symbol, 'splits')]);
    const stored = splits.get(corporateActionsKey(symbol, 'splits'));
    expect(stored?.kind === 'value' && stored.entry.value).toMatchObject({ splits: first.data.splits });
  });

  it('answers empty lists, not an error, for a symbol with no splits and no dividends', async () => {
    const { service } = await layerOnTestSandbox(world, 'corporate-none');
    const symbol = symbolWithoutActions(world.clock.date());

    const answer = await workDueBy(deadline(), () => service.getCorporateActions(symbol));

    expect(answer.data).toEqual({ symbol, splits: [], dividends: [] });
    expect(answer.meta.cache).toBe('miss');
    // One call a part, and one company profile call confirming the symbol is listed.
    expect(upstreamCalls(world.sandbox)).toBe(3);
  });

  it('is a 404 for a symbol a provider answers with empty lists, when the company profile’s providers do not know it', async () => {
    // FMP alone: it answers a symbol it does not list with empty lists, as one without actions.
    const { service } = await layerOnTestSandbox(world, 'corporate-unlisted', {
      PROVIDER_ORDER_CORPORATE_ACTIONS: 'fmp',
    });

    await expect(
      workDueBy(deadline(), () => service.getCorporateActions('ZZZNOSUCH')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    const calls = upstreamCalls(world.sandbox);
    // Both parts cached as empty lists, the profile remembered as unknown: the next request asks no one.
    await expect(
      workDueBy(deadline(), () => service.getCorporateActions('ZZZNOSUCH')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(upstreamCalls(world.sandbox)).toBe(calls);
  });

  it('is a 404 when every provider asked says the symbol is unknown, remembered without another call', async () => {
    // Alpha Vantage alone: of the free plans it alone tells a symbol it does not list (`{}`) from one
    // without actions; FMP and Polygon answer both with empty lists (docs/providers.md).
    const { service } = await layerOnTestSandbox(world, 'corporate-unknown', {
      PROVIDER_ORDER_CORPORATE_ACTIONS: 'alpha-vantage',
    });

    await expect(
      workDueBy(deadline(), () => service.getCorporateActions('ZZZNOSUCH')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    // One call a part.
    expect(upstreamCalls(world.sandbox)).toBe(2);

    await expect(
      workDueBy(deadline(), () => service.getCorporateActions('ZZZNOSUCH')),
    ).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(upstreamCalls(world.sandbox)).toBe(2);
  });

  it('serves both cached parts, marked stale, when every provider fails past fresh', async () => {
    const { service, config } = await layerOnTestSandbox(world, 'corporate-stale');
    const { symbol } = findSymbolWithSplit({
      ratio: 10,
      within: { from: isoDaysAgo(700), to: isoDaysAgo(30) },
    });
    const good = await workDueBy(deadline(), () => service.getCorporateActions(symbol));

    const { freshSeconds } = config.cachePolicy.corporate_actions;
    world.clock.advance((freshSeconds + config.staleWhileRevalidateSeconds.corporate_actions + 60) * 1000);
    world.sandbox.setKnobs(everyProvider({ mode: 'down' }));
    const stale = await workDueBy(deadline(), () => service.getCorporateActions(symbol));

    expect(stale.data).toEqual(good.data);
    expect(stale.meta).toMatchObject({
      cache: 'hit',
      stale: true,
      freshForSeconds: 0,
      fetchedAt: good.meta.fetchedAt,
    });
    expect(stale.meta.attempts.length).toBeGreaterThanOrEqual(2);
    expect(stale.meta.attempts.every((attempt) => attempt.outcome !== 'ok')).toBe(true);
  });

  it('is a 503 when no provider can answer and nothing is cached', async () => {
    const { service } = await layerOnTestSandbox(world, 'corporate-down');
    world.sandbox.setKnobs(everyProvider({ mode: 'down' }));
    const { symbol } = findSymbolWithSplit({
      ratio: 10,
      within: { from: isoDaysAgo(700), to: isoDaysAgo(30) },
    });

    await expect(workDueBy(deadline(), () => service.getCorporateActions(symbol))).rejects.toBeInstanceOf(
      ProvidersUnavailableError,
    );
  });
});
