import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  check,
  isServable,
  MISSING_FIELDS_LIMIT,
  missingFieldsCheck,
  QUALITY_FLOOR,
  QualityReportSchema,
  reportOf,
} from '../../../lib/quality/report.js';

describe('quality report', () => {
  it('scores the weighted share of passed checks: error 3, warning 2, info 1', () => {
    const report = reportOf([
      check('a', 'error', true),
      check('b', 'warning', false),
      check('c', 'info', true),
      check('d', 'warning', true),
    ]);
    expect(report.score).toBeCloseTo(6 / 8, 12);
  });

  it('scores 1 when no check applied', () => {
    expect(reportOf([]).score).toBe(1);
  });

  it('is servable from the default floor of 0.6 up, with no failed error', () => {
    expect(QUALITY_FLOOR).toBe(0.6);
    // 3 of 5: exactly the floor.
    const atFloor = reportOf([check('a', 'error', true), check('b', 'warning', false)]);
    expect(atFloor.score).toBe(0.6);
    expect(isServable(atFloor)).toBe(true);
    expect(isServable(atFloor, 0.61)).toBe(false);
  });

  it('is not servable when an error check failed, whatever the score', () => {
    const report = reportOf([
      check('a', 'error', false),
      ...Array.from({ length: 20 }, (_, i) => check(`w${i}`, 'warning', true)),
    ]);
    expect(report.score).toBeGreaterThan(0.9);
    expect(isServable(report, 0)).toBe(false);
  });

  it('is not servable under the floor even when only warnings failed', () => {
    const report = reportOf([
      check('a', 'warning', false),
      check('b', 'warning', false),
      check('c', 'info', true),
    ]);
    expect(isServable(report)).toBe(false);
  });

  it('passes missing_fields up to 30 % of fields missing', () => {
    expect(MISSING_FIELDS_LIMIT).toBe(0.3);
    const fields = (missing: number) =>
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i < missing ? null : i]));
    expect(missingFieldsCheck(fields(3))).toEqual([
      { id: 'missing_fields', passed: true, severity: 'warning', detail: '3 of 10 missing: f0, f1, f2' },
    ]);
    expect(missingFieldsCheck(fields(4))[0]?.passed).toBe(false);
    expect(missingFieldsCheck({})).toEqual([]);
  });

  it('produces reports its schema accepts', () => {
    const report = reportOf([check('a', 'error', true, { subject: '2021-12-31', detail: 'fine' })]);
    expect(z.safeParse(QualityReportSchema, report).success).toBe(true);
  });
});
