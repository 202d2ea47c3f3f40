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
  SIMULTANEOUS_MS,
  withAgreement,
} from '../../../lib/quality/agreement.js';
import { check } from '../../../lib/quality/report.js';
import { pricedQuote, seen, series } from '../../support/sightings.js';

const tolerance = DEFAULT_AGREEMENT_TOLERANCE;
const DAY = '2026-12-04';
/** The session's close, as the caller's market clock would give it. */
const CLOSE = Date.parse('2026-12-04T21:00:00Z');
const closeOf = () => CLOSE;
const DURING_SESSION = CLOSE - 4 * 3_600_000;

const quote = (price: number, previousClose: number | null) => pricedQuote(price, previousClose, DAY);

function bar(date: string, close: number): DailyBar {
  return { date, open: close, high: close, low: close, close, adjustedClose: null, volume: 1000 };
}

describe('agrees and the difference it reports', () => {
  it('takes 0.5 % of the larger of the two prices, not the smaller', () => {
    // 0.5 % of 100.502 is 0.50251: the 0.502 apart agree; 0.5 % of 100 would not allow it.
    expect(agrees(100, 100.502, tolerance)).toBe(true);
    expect(agrees(100.502, 100, tolerance)).toBe(true);
  });

  it('agrees at exactly the allowed difference, its billionth of slack included', () => {
    const halfUnit = { relative: 0, absolute: 0.5 };
    expect(agrees(0.5 + 1e-9, 0, halfUnit)).toBe(true);
    expect(agrees(0.5 + 2e-9, 0, halfUnit)).toBe(false);
  });

  it('measures a difference against the larger value, and two zeros as no difference', () => {
    const comparison = compareQuotes(
      seen('alpha-vantage', quote(101, 100), DURING_SESSION),
      seen('fmp', quote(101, 99), DURING_SESSION + 10 * SIMULTANEOUS_MS),
      tolerance,
      closeOf,
    );
    expect(comparison?.worst).toStrictEqual({
      field: 'previousClose',
      day: DAY,
      ours: 100,
      theirs: 99,
      difference: 0.01,
    });
    const zeros = compareQuotes(
      seen('alpha-vantage', quote(101, 0), DURING_SESSION),
      seen('fmp', quote(101, 0), DURING_SESSION + 10 * SIMULTANEOUS_MS),
      tolerance,
      closeOf,
    );
    expect(zeros).toMatchObject({ agreed: true, compared: 1, worst: { difference: 0 } });
  });

  it('reports the first of equally large differences as the worst', () => {
    const ours = seen('alpha-vantage', series([bar('2026-12-02', 100), bar('2026-12-03', 100)]), CLOSE + 1);
    const theirs = seen('fmp', series([bar('2026-12-02', 101), bar('2026-12-03', 101)]), CLOSE + 1);
    expect(compareSeries(ours, theirs, tolerance, closeOf)?.worst).toMatchObject({
      field: 'close',
      day: '2026-12-02',
    });
  });
});

describe('compareQuotes: when the price is compared', () => {
  it('compares the price of quotes exactly a minute apart in the session', () => {
    const comparison = compareQuotes(
      seen('alpha-vantage', quote(101, 100), DURING_SESSION),
      seen('fmp', quote(101, 100), DURING_SESSION + SIMULTANEOUS_MS),
      tolerance,
      closeOf,
    );
    expect(comparison?.compared).toBe(2);
  });

  it('compares the price once the earlier quote was taken at the close, not when only the later one was', () => {
    const atClose = compareQuotes(
      seen('alpha-vantage', quote(101, 100), CLOSE),
      seen('fmp', quote(101, 100), CLOSE + 3_600_000),
      tolerance,
      closeOf,
    );
    expect(atClose?.compared).toBe(2);
    const straddling = compareQuotes(
      seen('alpha-vantage', quote(101, 100), CLOSE - 3_600_000),
      seen('fmp', quote(101, 100), CLOSE + 3_600_000),
      tolerance,
      closeOf,
    );
    expect(straddling?.compared).toBe(1);
  });

  it('compares the previous close only when both quotes carry one', () => {
    for (const [ours, theirs] of [
      [null, 100],
      [100, null],
    ] as const) {
      const comparison = compareQuotes(
        seen('alpha-vantage', quote(101, ours), CLOSE + 1),
        seen('fmp', quote(101, theirs), CLOSE + 1),
        tolerance,
        closeOf,
      );
      expect(comparison).toMatchObject({ compared: 1, worst: { field: 'price' } });
    }
  });
});

describe('compareSeries: which days are compared', () => {
  it('compares a day whose session closed the moment the earlier series was fetched', () => {
    const ours = seen('alpha-vantage', series([bar(DAY, 100)]), CLOSE);
    const theirs = seen('fmp', series([bar(DAY, 100)]), CLOSE + 60_000);
    expect(compareSeries(ours, theirs, tolerance, closeOf)?.compared).toBe(4);
  });

  it('finds nothing to compare when the series share no settled day', () => {
    const ours = seen('alpha-vantage', series([bar('2026-12-03', 100)]), CLOSE + 1);
    const theirs = seen('fmp', series([bar(DAY, 100)]), CLOSE + 1);
    expect(compareSeries(ours, theirs, tolerance, closeOf)).toBeNull();
  });
});

describe('agreementCheck and the reports it joins', () => {
  it('says how many values agreed, within what, and the largest difference', () => {
    const comparison = compareQuotes(
      seen('alpha-vantage', quote(101, 100), CLOSE + 1),
      seen('polygon', quote(101.2, 100), CLOSE + 1),
      tolerance,
      closeOf,
    );
    if (!comparison) throw new Error('the quotes compare');
    expect(agreementCheck(comparison, tolerance)).toStrictEqual({
      id: AGREEMENT_CHECK_ID,
      passed: true,
      severity: 'warning',
      subject: 'polygon',
      detail: '2 values within 0.50 % or 0.01; largest 0.20 % (price 2026-12-04: 101 here, 101.2 at polygon)',
    });
  });

  it('builds a report from the agreement checks alone when the answer had none, and finds none in no report', () => {
    const agreement = check(AGREEMENT_CHECK_ID, 'warning', true, { subject: 'fmp' });
    expect(withAgreement(null, [agreement], 0.6)).toStrictEqual({ score: 1, checks: [agreement] });
    expect(agreementChecksOf(null)).toEqual([]);
  });
});
