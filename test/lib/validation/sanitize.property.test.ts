import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIsoDate, toNumber } from '../../../lib/validation/sanitize.js';
import { decoratedAmount, isoDay, missingMarker, rawAmount, rawDate } from '../../support/arbitraries.js';

/** Finite or null: the only two things a reader of provider numbers may answer. */
const finiteOrNull = (value: number | null) => value === null || Number.isFinite(value);

describe('toNumber (properties)', () => {
  it('never throws and answers only finite numbers or null, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), rawAmount, fc.string({ unit: 'grapheme' })),
        decoratedAmount,
        (raw, known) => {
          expect(finiteOrNull(toNumber(raw))).toBe(true);
          // A reader that answered null to everything would pass the line above: it must also read.
          expect(toNumber(known.raw)).toBe(known.expected);
        },
      ),
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
      fc.property(rawDate, isoDay, (raw, known) => {
        const day = toIsoDate(raw);
        if (day !== null) expect(new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10)).toBe(day);
        // A reader that answered null to everything would pass the line above: it must also read.
        expect(toIsoDate(known)).toBe(known);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the day of any real date, alone or with a time', () => {
    fc.assert(
      fc.property(isoDay, fc.constantFrom('', ' 16:00:01', 'T20:00:00Z', 'T09:30:00-05:00'), (day, time) => {
        expect(toIsoDate(` ${day}${time} `)).toBe(day);
      }),
    );
  });

  it('answers null for impossible days, other layouts and missing markers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(
            '2023-02-30',
            '2023-13-01',
            '2023-00-10',
            '2023-04-31',
            '2100-02-29',
            '20230102',
            '02/01/2023',
            '23-01-02',
          ),
          missingMarker,
        ),
        (raw) => {
          expect(toIsoDate(raw)).toBeNull();
        },
      ),
    );
  });
});
