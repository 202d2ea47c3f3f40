import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dividendsAnswer, splitsAnswer } from '../../../lib/providers/corporate-actions.js';
import { scoreCorporateActions } from '../../../lib/quality/corporate-actions.js';
import { isoDay } from '../../support/arbitraries.js';

const splitsQuery = { symbol: 'AAPL', kind: 'splits' } as const;
const dividendsQuery = { symbol: 'AAPL', kind: 'dividends' } as const;
/** Cents, so that sums are exact enough to compare. */
const cents = fc.integer({ min: 1, max: 100_000 }).map((n) => n / 100);
/** Ex-dates drawn often from a few days, so repeats (the case normalization is about) are common. */
const exDate = fc.oneof(fc.constantFrom('2023-12-01', '2024-03-01', '2024-06-03', '2025-01-02'), isoDay);
const ratio = fc.constantFrom(0.1, 0.5, 1.5, 2, 3, 4, 7, 10);

/** The ex-dates the score looks at: unique and ascending, whatever order and repeats went in. */
const dateChecksPass = (value: Parameters<typeof scoreCorporateActions>[0]) =>
  scoreCorporateActions(value, { now: new Date('2100-01-01T00:00:00Z') })
    .checks.filter((check) => /_dates_(unique|ascending)$/.test(check.id))
    .every((check) => check.passed);

describe('corporate actions normalization (properties)', () => {
  it('any readable splits become one a date, ascending, each date’s first ratio kept', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ exDate, ratio }), { maxLength: 30 }), (candidates) => {
        const result = splitsAnswer(splitsQuery, candidates, 'Test splits');
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const dates = result.value.splits.map((split) => split.exDate);
        expect(dates).toEqual([...new Set(candidates.map((c) => c.exDate))].sort());
        for (const split of result.value.splits) {
          expect(split.ratio).toBe(candidates.find((c) => c.exDate === split.exDate)?.ratio);
        }
        expect(dateChecksPass(result.value)).toBe(true);
      }),
    );
  });

  it('any readable dividends become one a date, ascending, each date the sum of its distinct amounts', () => {
    const dividend = fc.record({
      exDate,
      amount: cents,
      currency: fc.constant('USD'),
      payDate: fc.constant(null),
    });
    fc.assert(
      fc.property(fc.array(dividend, { maxLength: 30 }), (candidates) => {
        const result = dividendsAnswer(dividendsQuery, candidates, 'Test dividends');
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const dates = result.value.dividends.map((d) => d.exDate);
        expect(dates).toEqual([...new Set(candidates.map((c) => c.exDate))].sort());
        for (const { exDate, amount } of result.value.dividends) {
          const distinct = new Set(candidates.filter((c) => c.exDate === exDate).map((c) => c.amount));
          expect(amount).toBeCloseTo(
            [...distinct].reduce((sum, a) => sum + a, 0),
            8,
          );
        }
        expect(dateChecksPass(result.value)).toBe(true);
      }),
    );
  });
});
