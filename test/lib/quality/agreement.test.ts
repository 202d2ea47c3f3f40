import { describe, expect, it } from 'vitest';
import type { DailyBar } from '../../../lib/model/daily-bars.js';
import {
  AGREEMENT_CHECK_ID,
  agreementCheck,
  agreementChecksOf,
  agrees,
  compareQuotes,
  compareSeries,
  DEFAULT_AGREEMENT_TOLERANCE,
  withAgreement,
} from '../../../lib/quality/agreement.js';
import { check, reportOf } from '../../../lib/quality/report.js';
import { sessionClose as closeOf } from '../../../lib/services/agreement-review.js';
import { pricedQuote, seen, series } from '../../support/sightings.js';

const tolerance = DEFAULT_AGREEMENT_TOLERANCE;
// Friday 2026-12-04: the session closes at 16:00 New York (21:00 UTC in winter).
const DAY = '2026-12-04';
const AFTER_CLOSE = Date.parse('2026-12-04T22:00:00Z');
const DURING_SESSION = Date.parse('2026-12-04T17:00:00Z');

const quote = (price: number, previousClose: number | null, tradingDay = DAY) =>
  pricedQuote(price, previousClose, tradingDay);

function bar(date: string, close: number, scale = 1): DailyBar {
  return {
    date,
    open: close * scale,
    high: close * 1.01 * scale,
    low: close * 0.99 * scale,
    close: close * scale,
    adjustedClose: null,
    volume: 1000,
  };
}

describe('agrees', () => {
  it('allows 0.5 % of the larger price, or one cent for small prices, and no more', () => {
    expect(agrees(100, 100.5, tolerance)).toBe(true);
    expect(agrees(100, 100.51, tolerance)).toBe(false);
    expect(agrees(0.5, 0.51, tolerance)).toBe(true); // 2 % but one cent
    expect(agrees(0.5, 0.52, tolerance)).toBe(false);
  });
});

describe('compareQuotes', () => {
  it('compares the previous close always and the price only when both are settled or simultaneous', () => {
    const ours = seen('alpha-vantage', quote(101, 100), DURING_SESSION);
    const later = seen('fmp', quote(110, 100), DURING_SESSION + 5 * 60_000);
    // Five minutes apart in the session: the price moved, only previousClose is compared.
    expect(compareQuotes(ours, later, tolerance, closeOf)).toMatchObject({ compared: 1, agreed: true });
    const sameMoment = seen('fmp', quote(110, 100), DURING_SESSION + 30_000);
    expect(compareQuotes(ours, sameMoment, tolerance, closeOf)).toMatchObject({
      compared: 2,
      agreed: false,
      other: 'fmp',
      worst: { field: 'price', ours: 101, theirs: 110 },
    });
    const settled = compareQuotes(
      seen('alpha-vantage', quote(101, 100), AFTER_CLOSE),
      seen('fmp', quote(110, 100), AFTER_CLOSE + 3_600_000),
      tolerance,
      closeOf,
    );
    expect(settled).toMatchObject({ compared: 2, agreed: false });
  });

  it('finds nothing to compare between different trading days', () => {
    const ours = seen('alpha-vantage', quote(101, 100), AFTER_CLOSE);
    expect(
      compareQuotes(ours, seen('fmp', quote(101, 100, '2026-12-03'), AFTER_CLOSE), tolerance, closeOf),
    ).toBeNull();
    expect(
      compareQuotes(
        seen('fmp', quote(101, null), DURING_SESSION),
        seen('polygon', quote(1, null), DURING_SESSION + 120_000),
        tolerance,
        closeOf,
      ),
    ).toBeNull();
  });
});

describe('compareSeries', () => {
  const days = ['2026-12-01', '2026-12-02', '2026-12-03', DAY];

  it('compares the closes of the days both hold, and the latest day open, high and low', () => {
    const ours = seen('alpha-vantage', series(days.map((d, i) => bar(d, 100 + i))), AFTER_CLOSE);
    const theirs = seen('fmp', series(days.slice(1).map((d, i) => bar(d, 101 + i))), AFTER_CLOSE);
    expect(compareSeries(ours, theirs, tolerance, closeOf)).toMatchObject({ compared: 3 + 3, agreed: true });
  });

  it('disagrees when one day is off by more than the tolerance, naming that day and both values', () => {
    const ours = seen('alpha-vantage', series(days.map((d) => bar(d, 100))), AFTER_CLOSE);
    const off = days.map((d) => bar(d, d === '2026-12-02' ? 101 : 100));
    const comparison = compareSeries(ours, seen('fmp', series(off), AFTER_CLOSE), tolerance, closeOf);
    expect(comparison).toMatchObject({
      agreed: false,
      worst: { field: 'close', day: '2026-12-02', ours: 100, theirs: 101 },
    });
  });

  it('leaves out a bar one side fetched before its session closed (a partial bar)', () => {
    const ours = seen('alpha-vantage', series(days.map((d) => bar(d, 100))), DURING_SESSION);
    const partial = days.map((d) => bar(d, d === DAY ? 120 : 100));
    const comparison = compareSeries(ours, seen('fmp', series(partial), AFTER_CLOSE), tolerance, closeOf);
    expect(comparison).toMatchObject({ agreed: true, compared: 3 + 3 });
    expect(closeOf(DAY)).toBe(Date.parse('2026-12-04T21:00:00Z'));
  });
});

describe('agreementCheck and withAgreement', () => {
  const base = reportOf([check('high_gte_low', 'error', true), check('missing_fields', 'warning', true)]);
  const disagreeing = compareQuotes(
    seen('alpha-vantage', quote(101, 100), AFTER_CLOSE),
    seen('polygon', quote(110, 100), AFTER_CLOSE),
    tolerance,
    closeOf,
  );

  it('names the other provider and the difference with both values', () => {
    if (!disagreeing) throw new Error('the quotes compare');
    const named = agreementCheck(disagreeing, tolerance);
    expect(named).toMatchObject({
      id: AGREEMENT_CHECK_ID,
      passed: false,
      severity: 'warning',
      subject: 'polygon',
    });
    expect(named.detail).toContain('8.18 %');
    expect(named.detail).toContain('101 here, 110 at polygon');
  });

  it('lowers the score on a disagreement, never under the floor, and not for an agreement', () => {
    if (!disagreeing) throw new Error('the quotes compare');
    const lowered = withAgreement(base, [agreementCheck(disagreeing, tolerance)], 0.6);
    expect(lowered?.score).toBeCloseTo(5 / 7);
    expect(withAgreement(base, [agreementCheck(disagreeing, tolerance)], 0.9)?.score).toBe(0.9);
    const agreeing = compareQuotes(
      seen('alpha-vantage', quote(101, 100), AFTER_CLOSE),
      seen('polygon', quote(101.2, 100), AFTER_CLOSE),
      tolerance,
      closeOf,
    );
    if (!agreeing) throw new Error('the quotes compare');
    const kept = withAgreement(base, [agreementCheck(agreeing, tolerance)], 0.6);
    expect(kept?.score).toBe(1);
    expect(agreementChecksOf(kept)).toHaveLength(1);
    expect(withAgreement(base, [], 0.6)).toBe(base);
  });
});
