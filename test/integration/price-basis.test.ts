import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { newYorkTime, parseIsoDay } from '../../infra/local/sandbox/calendar.js';
import {
  type AddedActionsBySymbol,
  findSymbolWithSplit,
} from '../../infra/local/sandbox/corporate-actions.js';
import { SymbolPrices } from '../../infra/local/sandbox/price-bases.js';
import type { DailyBar } from '../../lib/model/daily-bars.js';
import type { Adjustment } from '../../lib/model/price-basis.js';
import { PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { historyCallCounter } from '../support/history-calls.js';
import { layerOnTestSandbox, paidPlans, sandboxOnTestClock } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

const world = sandboxOnTestClock();
const deadline = () => world.clock.now() + 19_000;
/** The ISO date `days` before the clock's today (UTC), as the API reads dates. */
const daysAgo = (days: number) => new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);

afterEach(() => vi.restoreAllMocks());
const stdout = captureStdout();
afterAll(() => stdout.restore());

/** Within 0.01 % or one cent, whichever is looser: the Done-when's tolerance. */
function expectClose(actual: number, expected: number, what: string) {
  const tolerance = Math.max(0.0001 * Math.abs(expected), 0.01);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

/** The sandbox's true closes of `bars`' days on each basis, as of the clock's day in New York. */
function trueCloses(symbol: string, bars: readonly DailyBar[], added: AddedActionsBySymbol = {}) {
  const prices = new SymbolPrices(symbol, added);
  const asOf = newYorkTime(world.clock.date()).day;
  const days = bars.map((bar) => parseIsoDay(bar.date) ?? Number.NaN);
  const sharesNow = prices.actions.splitFactor(asOf);
  return {
    raw: days.map((day) => prices.traded(day).close),
    splits: days.map((day) => (prices.traded(day).close * prices.actions.splitFactor(day)) / sharesNow),
    all: prices.totalReturnCloses(days, asOf),
  } satisfies Record<Adjustment, number[]>;
}

/** Day-over-day moves of a list of closes. */
const moves = (closes: readonly number[]) => closes.slice(1).map((close, i) => close / (closes[i] ?? 1) - 1);

describe('one price basis whatever the provider (sandbox, DynamoDB Local)', () => {
  it('answers the same closes on each basis from each of the five providers, forced one at a time, across a 10-for-1 split and quarterly dividends', async () => {
    // Two years of history need Alpha Vantage's `full` and Finnhub's candles, both paid: every
    // provider on its paid plan, so each of the five can answer the range alone.
    const range = { from: daysAgo(700), to: daysAgo(0) };
    const { symbol, split } = findSymbolWithSplit({
      ratio: 10,
      within: { from: daysAgo(600), to: daysAgo(60) },
    });
    const answered = new Map<ProviderId, Record<Adjustment, number[]>>();
    for (const provider of PROVIDER_IDS) {
      const env = { ...paidPlans(world), PROVIDER_ORDER_DAILY_HISTORY: provider };
      const { service } = await layerOnTestSandbox(world, `basis-${provider}`, env);
      const history = historyCallCounter();
      const closes = {} as Record<Adjustment, number[]>;
      for (const adjustment of ['splits', 'raw', 'all'] as const) {
        const answer = await workDueBy(deadline(), () =>
          service.getDailyHistory({ symbol, ...range, adjustment }),
        );
        expect(answer.meta.provider).toBe(provider);
        expect(answer.meta.adjustment).toMatchObject({ basis: adjustment, actions: 'current' });
        expect(answer.meta.adjustment.splits).toEqual(adjustment === 'raw' ? [] : [split]);
        if (adjustment === 'all') expect(answer.meta.adjustment.dividends.length).toBeGreaterThanOrEqual(6);
        const bars = answer.data.bars;
        expect(bars.length).toBeGreaterThan(400);
        const truth = trueCloses(symbol, bars);
        bars.forEach((bar, i) => {
          expectClose(bar.close, truth[adjustment][i] ?? Number.NaN, `${provider} ${adjustment} ${bar.date}`);
          expectClose(
            bar.adjustedClose ?? Number.NaN,
            truth.all[i] ?? Number.NaN,
            `${provider} total return ${bar.date}`,
          );
        });
        // No day-over-day move the sandbox did not make (a split answered as a crash would be one).
        const trueMoves = moves(truth[adjustment]);
        moves(bars.map((bar) => bar.close)).forEach((move, i) => {
          expect(Math.abs(move - (trueMoves[i] ?? Number.NaN))).toBeLessThan(0.001);
        });
        closes[adjustment] = bars.map((bar) => bar.close);
      }
      // One history call served all three bases: the basis is the layer's, applied on the way out.
      expect(history()).toBe(1);
      answered.set(provider, closes);
    }
    // And the five agree with one another on every basis, day by day.
    const [first, ...others] = [...answered.values()];
    for (const closes of others) {
      for (const adjustment of ['raw', 'splits', 'all'] as const) {
        closes[adjustment].forEach((close, i) => {
          expectClose(close, first?.[adjustment][i] ?? Number.NaN, adjustment);
        });
      }
    }
    // Five containers each fetching two years and its corporate actions: more than the file's 30 s on a
    // loaded machine.
  }, 90_000);

  it('re-adjusts a cached series for a split learned after it was cached, without a new history call', async () => {
    // Corporate actions stay fresh for a day by default; the layer learns the added split only once its
    // entry is past freshness, so it is made short here (1 s) and the clock moved past it. Daily history
    // stays fresh for at least 60 s, so the series is still a hit.
    const { service } = await layerOnTestSandbox(world, 'basis-learned', {
      CACHE_TTL_CORPORATE_ACTIONS_SECONDS: '1',
    });
    const symbol = 'IBM';
    const range = { from: daysAgo(100), to: daysAgo(0) };
    const history = historyCallCounter();
    const before = await workDueBy(deadline(), () =>
      service.getDailyHistory({ symbol, ...range, adjustment: 'splits' }),
    );
    expect(history()).toBe(1);
    const splitBar = before.data.bars[Math.floor(before.data.bars.length / 2)];
    if (!splitBar) throw new Error('the series has bars');
    const split = { exDate: splitBar.date, ratio: 2 };
    expect(before.meta.adjustment.splits).not.toContainEqual(split);

    world.sandbox.setKnobs({ corporateActions: { [symbol]: { splits: [split] } } });
    world.clock.advance(2_000);
    const after = await workDueBy(deadline(), () =>
      service.getDailyHistory({ symbol, ...range, adjustment: 'splits' }),
    );

    expect(history()).toBe(1);
    expect(after.meta.cache).toBe('hit');
    expect(after.meta.fetchedAt).toBe(before.meta.fetchedAt);
    expect(after.meta.adjustment.splits).toContainEqual(split);
    expect([before.meta.adjustment.actions, after.meta.adjustment.actions]).toEqual(['current', 'current']);
    // Before the split every price halves and every volume doubles; from its ex-date on nothing moves.
    after.data.bars.forEach((bar, i) => {
      const was = before.data.bars[i];
      if (!was) throw new Error('the same bars');
      expect(bar.date).toBe(was.date);
      const halved = bar.date < split.exDate;
      expectClose(bar.close, halved ? was.close / 2 : was.close, bar.date);
      expect(bar.volume).toBe(halved ? (was.volume ?? 0) * 2 : was.volume);
    });
  });
  it('answers when the corporate actions cannot be had, adjusted with what the series holds, and says so', async () => {
    // Corporate actions only from Polygon, which is down; the series from Alpha Vantage, which is up.
    const env = {
      PROVIDER_ORDER_CORPORATE_ACTIONS: 'polygon',
      PROVIDER_ORDER_DAILY_HISTORY: 'alpha-vantage',
    };
    const { service } = await layerOnTestSandbox(world, 'basis-no-actions', env);
    world.sandbox.setKnobs({ polygon: { mode: 'down' } });
    const { symbol, split } = findSymbolWithSplit({
      ratio: 10,
      within: { from: daysAgo(120), to: daysAgo(10) },
    });
    const answer = await workDueBy(deadline(), () =>
      service.getDailyHistory({ symbol, from: daysAgo(130), to: daysAgo(0), adjustment: 'splits' }),
    );
    expect(answer.meta.provider).toBe('alpha-vantage');
    expect(answer.meta.adjustment).toEqual({
      basis: 'splits',
      splits: [],
      dividends: [],
      actions: 'stored_with_series',
    });
    expect(answer.meta.quality?.checks).toContainEqual(
      expect.objectContaining({ id: 'corporate_actions_current', passed: false, severity: 'warning' }),
    );
    // Nothing to adjust with: the split the layer could not learn shows as traded.
    const truth = trueCloses(symbol, answer.data.bars);
    answer.data.bars.forEach((bar, i) => {
      expectClose(bar.close, truth.raw[i] ?? Number.NaN, bar.date);
    });
    expect(answer.data.bars.some((bar) => bar.date < split.exDate)).toBe(true);
  });
});
