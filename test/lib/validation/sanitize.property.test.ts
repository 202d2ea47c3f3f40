import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIsoDate, toNumber } from '../../../lib/validation/sanitize.js';
import { decoratedAmount, missingMarker, rawAmount, rawDate } from '../../support/arbitraries.js';

/** Finite or null: the only two things a reader of provider numbers may answer. */
const finiteOrNull = (value: number | null) => value === null || Number.isFinite(value);

describe('toNumber (properties)', () => {
  it('never throws and answers only finite numbers or null, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), rawAmount, fc.string({ unit: 'grapheme' })), (raw) => {
        expect(finiteOrNull(toNumber(raw))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers only finite numbers or null for any double', () => {
    fc.assert(
      fc.property(fc.double(), (raw) => {
        const value = toNumber(raw);
        expect(value === null ? Number.isFinite(raw) : Object.is(value, raw + 0)).toBe(value !== null);
      }),
    );
  });

  it('reads back the value of any decorated amount', () => {
    fc.assert(
      fc.property(decoratedAmount, ({ raw, expected }) => {
        expect(toNumber(raw)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads every missing marker as null', () => {
    fc.assert(
      fc.property(missingMarker, (raw) => {
        expect(toNumber(raw)).toBeNull();
      }),
    );
  });
});

describe('toIsoDate (properties)', () => {
  it('never throws and answers a real calendar date or null', () => {
    fc.assert(
      fc.property(rawDate, (raw) => {
        const day = toIsoDate(raw);
        if (day !== null) expect(new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10)).toBe(day);
      }),
      { numRuns: 1000 },
    );
  });
});
