import { describe, expect, it } from 'vitest';
import { check, isNear, latestPlausibleDate } from '../../../lib/quality/report.js';

describe('building quality reports', () => {
  it('leaves subject and detail out of a check when they are not given, to keep reports small', () => {
    expect(Object.keys(check('high_gte_low', 'error', true))).toEqual(['id', 'passed', 'severity']);
    expect(
      Object.keys(check('high_gte_low', 'error', true, { subject: undefined, detail: undefined })),
    ).toEqual(['id', 'passed', 'severity']);
  });

  it('counts a difference of exactly the tolerance as near', () => {
    expect(isNear(10.5, 10, 0.5)).toBe(true);
    expect(isNear(10.5, 10, 0.25)).toBe(false);
  });

  it('gives the latest plausible day as a bare ISO date, one day after today UTC', () => {
    expect(latestPlausibleDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });
});
