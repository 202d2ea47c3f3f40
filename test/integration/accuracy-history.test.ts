import { afterAll, describe, expect, it } from 'vitest';
import { findSymbolWithSplit } from '../../infra/local/sandbox/corporate-actions.js';
import { AGREEMENT_CHECK_ID } from '../../lib/quality/agreement.js';
import { type QualityReport, reportOf } from '../../lib/quality/report.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { providerStatuses } from '../../lib/services/provider-status.js';
import { layerOnTestSandbox, sandboxOnTestClock } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * Daily series of two providers compared on one basis, through the production wiring with the
 * default configuration (free plans, default orders: Alpha Vantage, then FMP). Alpha Vantage serves
 * bars as traded and FMP split-adjusted: across a 10-for-1 split their raw answers differ tenfold
 * before it, so only bars brought to one basis (as traded, as the layer caches them) can agree.
 */
const world = sandboxOnTestClock();
const deadline = () => world.clock.now() + 19_000;
const daysAgo = (days: number) => new Date(world.clock.now() - days * 86_400_000).toISOString().slice(0, 10);
const stdout = captureStdout();
afterAll(() => stdout.restore());

const agreementChecks = (report: QualityReport | null) =>
  (report?.checks ?? []).filter((item) => item.id === AGREEMENT_CHECK_ID);
const scoreAlone = (report: QualityReport | null) =>
  reportOf((report?.checks ?? []).filter((item) => item.id !== AGREEMENT_CHECK_ID)).score;

/**
 * The difference a failed agreement check names, in percent: a 2 % bias shows as 2/1.02 = 1.96 %,
 * give or take the rounding of both prices to the cent (0.3 % on a $3 price).
 */
function percentApart(detail: string | undefined): number {
  return Number(/^(\d+\.\d+) % apart/.exec(detail ?? '')?.[1]);
}

/** A series cached from Alpha Vantage, then refilled by FMP a day later (Alpha Vantage down). */
async function refilledAcrossASplit(label: string, fmpBias: number) {
  // Alpha Vantage's free plan serves the latest 100 sessions: the split falls well inside them.
  const { symbol } = findSymbolWithSplit({ ratio: 10, within: { from: daysAgo(80), to: daysAgo(10) } });
  const query = { symbol, from: daysAgo(90), to: daysAgo(0), adjustment: 'raw' as const };
  const layer = await layerOnTestSandbox(world, label);
  world.sandbox.setKnobs({ priceBias: { fmp: fmpBias } });
  const first = await workDueBy(deadline(), () => layer.service.getDailyHistory(query));
  expect(first.meta.provider).toBe('alpha-vantage');
  expect(agreementChecks(first.meta.quality)).toEqual([]);

  world.clock.advance(25 * 3600 * 1000); // past the next market close: the series is stale
  world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
  const refill = await workDueBy(deadline(), () =>
    layer.service.getDailyHistory({ ...query, to: daysAgo(0) }),
  );
  expect(refill.meta).toMatchObject({ provider: 'fmp', cache: 'miss' });
  return { layer, refill };
}

describe('daily series compared across providers on one basis (DynamoDB Local, sandbox)', () => {
  it('finds an as-traded and a split-adjusted provider in agreement across a 10-for-1 split', async () => {
    const { layer, refill } = await refilledAcrossASplit('accuracy-history-agree', 0);
    const [named] = agreementChecks(refill.meta.quality);
    expect(named).toMatchObject({ passed: true, subject: 'alpha-vantage' });
    // Every day both hold, closes and the latest day's open, high and low: some 60 sessions.
    const compared = Number(/^(\d+) values/.exec(named?.detail ?? '')?.[1]);
    expect(compared).toBeGreaterThan(50);
    expect(refill.meta.quality?.score).toBeGreaterThanOrEqual(scoreAlone(refill.meta.quality));
    const status = await providerStatuses(layer.providerStatusDeps);
    expect(status.find((row) => row.provider === 'fmp')?.agreement).toEqual([
      { dataType: 'daily_history', compared: 1, agreed: 1, share: 1, lastDisagreement: null },
    ]);
  });

  it('names the other provider and lowers the score when one is 2 % off, in every slice of the series', async () => {
    const { layer, refill } = await refilledAcrossASplit('accuracy-history-off', 0.02);
    const [named] = agreementChecks(refill.meta.quality);
    expect(named).toMatchObject({ passed: false, subject: 'alpha-vantage' });
    expect(percentApart(named?.detail)).toBeGreaterThan(1.5);
    expect(percentApart(named?.detail)).toBeLessThan(2.5);
    expect(refill.meta.quality?.score).toBeLessThan(scoreAlone(refill.meta.quality));
    // A shorter range is a slice of the same cached series: its answer keeps the series' check.
    const slice = await workDueBy(deadline(), () =>
      layer.service.getDailyHistory({ symbol: refill.data.symbol, from: daysAgo(20), to: daysAgo(0) }),
    );
    expect(slice.meta.cache).toBe('hit');
    expect(agreementChecks(slice.meta.quality)).toEqual(agreementChecks(refill.meta.quality));
    expect(slice.meta.quality?.score).toBeLessThan(scoreAlone(slice.meta.quality));
  });
});
