import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryQuery } from '../../lib/model/daily-bars.js';
import { parseHistoryQuery } from '../../lib/requests.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { historyCallCounter } from '../support/history-calls.js';
import { layerOnTestSandbox, sandboxOnTestClock } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * Daily history on the providers' free plans, the sandbox's default and the layer's default
 * configuration: the layer asks each provider only for what its plan serves (no call spent on a
 * refusal), and caches a series as covering only the bars it got.
 */

const world = sandboxOnTestClock();
// A history request also asks for the symbol's corporate actions: the counts below are history calls.
let historyCalls: () => number = () => 0;
beforeEach(() => {
  historyCalls = historyCallCounter();
});
const stdout = captureStdout();
afterAll(() => stdout.restore());

function layerAt(env: Record<string, string> = {}) {
  return layerOnTestSandbox(world, 'free-plans', env);
}

const deadline = () => world.clock.now() + 19_000;
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(world.clock.now() - days * DAY_MS).toISOString().slice(0, 10);
const range = (symbol: string, fromDaysAgo: number): HistoryQuery => ({
  symbol,
  from: daysAgo(fromDaysAgo),
  to: daysAgo(0),
});
/** Days from `from` to the first bar: within a weekend and a holiday when the range is served from its start. */
const startGap = (from: string, firstBar: string | undefined) =>
  (Date.parse(firstBar ?? '9999-12-31') - Date.parse(from)) / DAY_MS;
const refusals = () => world.sandbox.stats().planRefusals;
const noRefusals = () => Object.values(refusals()).every((byKind) => Object.keys(byKind).length === 0);

describe('daily history on the free plans (sandbox and layer defaults)', () => {
  it('answers the default request from Alpha Vantage in one compact call', async () => {
    const { service } = await layerAt();
    const query = parseHistoryQuery('IBM', { history: 'daily' }, world.clock.date());
    const answer = await workDueBy(deadline(), () => service.getDailyHistory(query));
    expect(answer.meta).toMatchObject({ provider: 'alpha-vantage', cache: 'miss' });
    expect(world.sandbox.stats().calls).toMatchObject({ 'alpha-vantage': 1 });
    expect(historyCalls()).toBe(1);
    expect(noRefusals()).toBe(true);
    expect(startGap(query.from, answer.data.bars[0]?.date)).toBeLessThanOrEqual(4);
    // The same request again is a hit: the compact series covers it.
    expect((await workDueBy(deadline(), () => service.getDailyHistory(query))).meta.cache).toBe('hit');
    expect(historyCalls()).toBe(1);
  });

  it('serves a 3-year request from a provider whose free plan reaches it, with bars from the start', async () => {
    const { service } = await layerAt();
    const query = range('MSFT', 3 * 365);
    const answer = await workDueBy(deadline(), () => service.getDailyHistory(query));
    // Alpha Vantage (compact) and Polygon (2 years) cannot reach it; FMP (5 years) is next in order.
    expect(answer.meta.provider).toBe('fmp');
    expect(answer.meta.attempts.map((attempt) => attempt.provider)).toEqual(['fmp']);
    expect(startGap(query.from, answer.data.bars[0]?.date)).toBeLessThanOrEqual(4);
    // One history call, to FMP (its corporate actions may be asked of FMP too: counted apart).
    expect(world.sandbox.stats().calls['alpha-vantage']).toBe(0);
    expect(historyCalls()).toBe(1);
    expect(noRefusals()).toBe(true);
  });

  it('never sends Alpha Vantage `outputsize=full` nor a refused call, whatever the range (property)', async () => {
    const { service } = await layerAt();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 * 365 }),
        fc.integer({ min: 0, max: 30 }),
        async (back, end) => {
          // A minute apart: each run has the free plans' per-minute allowance (Twelve Data: 8 credits).
          world.clock.advance(61_000);
          const query = { symbol: `FREE${n++}`, from: daysAgo(Math.max(back, end)), to: daysAgo(end) };
          await workDueBy(deadline(), () => service.getDailyHistory(query));
          expect(refusals()).toEqual(Object.fromEntries(Object.keys(refusals()).map((id) => [id, {}])));
        },
      ),
      { numRuns: 12 },
    );
    expect(world.sandbox.stats().calls['alpha-vantage']).toBeGreaterThan(0);
  });

  it('asks Alpha Vantage for the deep series when its plan is paid (ALPHA_VANTAGE_PLAN=paid, both sides)', async () => {
    // Why not the default configuration: this is the paid plan, told to the layer and to the sandbox.
    world.sandbox.setKnobs({ 'alpha-vantage': { plan: 'paid' } });
    const { service } = await layerAt({ ALPHA_VANTAGE_PLAN: 'paid' });
    const query = range('AAPL', 3 * 365);
    const answer = await workDueBy(deadline(), () => service.getDailyHistory(query));
    expect(answer.meta.provider).toBe('alpha-vantage');
    expect(historyCalls()).toBe(1);
    expect(startGap(query.from, answer.data.bars[0]?.date)).toBeLessThanOrEqual(4);
  });

  it('caches a series a provider cut short as covering only what it returned, and asks again for earlier years', async () => {
    // Why not the default configuration: the layer is told FMP's plan is paid (20 years) while the
    // key is on the free plan (5 years), so FMP answers a 10-year request with 5 years and no error.
    const { service } = await layerAt({ FMP_PLAN: 'paid' });
    const tenYears = range('NVDA', 10 * 365);
    const short = await workDueBy(deadline(), () => service.getDailyHistory(tenYears));
    expect(short.meta).toMatchObject({ provider: 'fmp', cache: 'miss' });
    const firstBar = short.data.bars[0]?.date ?? '';
    expect(firstBar > daysAgo(5 * 366)).toBe(true);
    expect(historyCalls()).toBe(1);

    // Within what it returned: a hit.
    expect(
      (await workDueBy(deadline(), () => service.getDailyHistory(range('NVDA', 4 * 365)))).meta.cache,
    ).toBe('hit');
    expect(historyCalls()).toBe(1);
    // Reaching before its first bar: not a fresh hit with years missing, but another provider call.
    const deeper = await workDueBy(deadline(), () => service.getDailyHistory(range('NVDA', 7 * 365)));
    expect(deeper.meta.cache).toBe('miss');
    expect(historyCalls()).toBe(2);
  });
});
