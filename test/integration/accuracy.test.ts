import { describe, expect, it } from 'vitest';
import { AGREEMENT_CHECK_ID } from '../../lib/quality/agreement.js';
import { type QualityReport, reportOf } from '../../lib/quality/report.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { providerStatuses } from '../../lib/services/provider-status.js';
import { layerOnTestSandbox, sandboxOnTestClock } from '../support/sandbox-on-clock.js';

/**
 * Cross-provider agreement, through the production wiring (`createDataLayer`) with the default
 * configuration against the sandbox: every provider on its free plan, in the default orders (quotes:
 * Alpha Vantage, FMP, Finnhub, ...). FMP's breaker is forced open where Finnhub is to answer second:
 * the sandbox stamps FMP's quote with the time of the request, not of the last trade, so outside a
 * session its trading day is not the one the others report, and there is no day to compare.
 * `ACCURACY_AUDIT_SHARE` is a random draw (2 % of fills); the test support sets it to 0 so other
 * tests' call counts hold, and the audit tests here set it to 1, so every fill is audited: the
 * one setting that differs, and why.
 */
const world = sandboxOnTestClock();
const deadline = () => world.clock.now() + 19_000;
const AUDIT_EVERY_FILL = { ACCURACY_AUDIT_SHARE: '1' };

function agreementChecks(report: QualityReport | null) {
  return (report?.checks ?? []).filter((item) => item.id === AGREEMENT_CHECK_ID);
}

/**
 * The difference a failed agreement check names, in percent: a 2 % bias shows as 2/1.02 = 1.96 %,
 * give or take the rounding of both prices to the cent (0.3 % on a $3 price).
 */
function percentApart(detail: string | undefined): number {
  return Number(/^(\d+\.\d+) % apart/.exec(detail ?? '')?.[1]);
}

/** The report's score without its agreement checks: what the answer scored on its own. */
function scoreAlone(report: QualityReport | null): number {
  return reportOf((report?.checks ?? []).filter((item) => item.id !== AGREEMENT_CHECK_ID)).score;
}

describe('providers compared on a fill (DynamoDB Local, sandbox, default configuration)', () => {
  it('checks a refill against the other provider the cache held, and lowers the score when they disagree', async () => {
    const layer = await layerOnTestSandbox(world, 'accuracy-fill');
    world.sandbox.setKnobs({ priceBias: { finnhub: 0.02 } });
    const first = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(first.meta.provider).toBe('alpha-vantage');
    expect(agreementChecks(first.meta.quality)).toEqual([]);

    // Past the quote's freshness, Alpha Vantage is down: Finnhub refills, 2 % dearer than the cached quote.
    world.clock.advance((layer.config.cachePolicy.quote.freshSeconds + 1) * 1000);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    await layer.breakerOperator.forceOpen('fmp', 'test');
    const refill = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(refill.meta).toMatchObject({ provider: 'finnhub', cache: 'miss' });
    const [named] = agreementChecks(refill.meta.quality);
    expect(named).toMatchObject({ passed: false, severity: 'warning', subject: 'alpha-vantage' });
    expect(percentApart(named?.detail)).toBeGreaterThan(1.5);
    expect(percentApart(named?.detail)).toBeLessThan(2.5);
    expect(refill.meta.quality?.score).toBeLessThan(scoreAlone(refill.meta.quality));
    expect(refill.meta.quality?.score).toBeGreaterThanOrEqual(layer.config.qualityFloor);

    // The value is cached with its check: the next hit shows it too.
    const hit = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(hit.meta.cache).toBe('hit');
    expect(agreementChecks(hit.meta.quality)).toEqual([named]);

    const status = await providerStatuses(layer.providerStatusDeps);
    for (const [provider, other] of [
      ['finnhub', 'alpha-vantage'],
      ['alpha-vantage', 'finnhub'],
    ] as const) {
      expect(status.find((row) => row.provider === provider)?.agreement).toEqual([
        {
          dataType: 'quote',
          compared: 1,
          agreed: 0,
          share: 0,
          lastDisagreement: {
            at: refill.meta.fetchedAt,
            other,
            detail: expect.stringMatching(/^(price|previousClose) \d{4}-\d\d-\d\d: /),
          },
        },
      ]);
    }
    expect(status.find((row) => row.provider === 'polygon')?.agreement).toEqual([]);
  });

  it('adds no penalty when the providers agree within the tolerance', async () => {
    const layer = await layerOnTestSandbox(world, 'accuracy-agree');
    world.sandbox.setKnobs({ priceBias: { finnhub: 0.001 } });
    await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    world.clock.advance((layer.config.cachePolicy.quote.freshSeconds + 1) * 1000);
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    await layer.breakerOperator.forceOpen('fmp', 'test');
    const refill = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(refill.meta.provider).toBe('finnhub');
    expect(agreementChecks(refill.meta.quality)).toMatchObject([{ passed: true, subject: 'alpha-vantage' }]);
    expect(refill.meta.quality?.score).toBeGreaterThanOrEqual(scoreAlone(refill.meta.quality));

    const status = await providerStatuses(layer.providerStatusDeps);
    expect(status.find((row) => row.provider === 'finnhub')?.agreement).toEqual([
      { dataType: 'quote', compared: 1, agreed: 1, share: 1, lastDisagreement: null },
    ]);
  });
});

describe('the accuracy audit (every fill audited)', () => {
  it('asks the next available provider once, compares, and neither caches nor answers its value', async () => {
    const layer = await layerOnTestSandbox(world, 'accuracy-audit', AUDIT_EVERY_FILL);
    world.sandbox.setKnobs({ priceBias: { finnhub: 0.02 } });
    // FMP, next in the order, is passed over without a call: its breaker is open.
    await layer.breakerOperator.forceOpen('fmp', 'test');
    const answer = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(answer.meta.provider).toBe('alpha-vantage');
    expect(world.sandbox.stats().calls).toMatchObject({
      'alpha-vantage': 1,
      fmp: 0,
      finnhub: 1,
      'twelve-data': 0,
    });
    const [named] = agreementChecks(answer.meta.quality);
    expect(named).toMatchObject({ passed: false, subject: 'finnhub' });
    expect(percentApart(named?.detail)).toBeGreaterThan(1.5);
    expect(percentApart(named?.detail)).toBeLessThan(2.5);
    expect(answer.meta.quality?.score).toBeLessThan(scoreAlone(answer.meta.quality));

    // The audit's value is not the answer, and the cache holds the answer's.
    const hit = await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    expect(hit.meta).toMatchObject({ cache: 'hit', provider: 'alpha-vantage' });
    expect(hit.data).toEqual(answer.data);
    const status = await providerStatuses(layer.providerStatusDeps);
    expect(status.find((row) => row.provider === 'finnhub')?.agreement).toMatchObject([
      { dataType: 'quote', compared: 1, agreed: 0, share: 0 },
    ]);
    expect(world.sandbox.stats().calls).toMatchObject({ 'alpha-vantage': 1, finnhub: 1 });
  });

  it('never spends the spare of a quota: FMP keeps a fifth of its 250 calls a day from audits', async () => {
    const layer = await layerOnTestSandbox(world, 'accuracy-spare', AUDIT_EVERY_FILL);
    // 199 of FMP's 250 calls spent today: the audit may take the 200th, never one of the last 50.
    const limits = { perDay: 250 };
    for (let call = 0; call < 199; call++)
      await layer.keyStatusDeps.usage.take('fmp', 'primary', limits, world.clock.now());

    await workDueBy(deadline(), () => layer.service.getQuote('ACME'));
    await workDueBy(deadline(), () => layer.service.getQuote('BRAVO'));
    expect(world.sandbox.stats().calls).toMatchObject({ 'alpha-vantage': 2, fmp: 1, finnhub: 1 });
    const usage = await layer.keyStatusDeps.usage.usage('fmp', ['primary'], world.clock.now());
    expect(usage.get('primary')?.day).toBe(200);

    // The answers still have the rest: with Alpha Vantage down, FMP answers from the spare.
    world.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    const fromSpare = await workDueBy(deadline(), () => layer.service.getQuote('CHARLIE'));
    expect(fromSpare.meta.provider).toBe('fmp');
  });
});
