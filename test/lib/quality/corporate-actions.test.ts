import { describe, expect, it } from 'vitest';
import type { CorporateActions } from '../../../lib/model/corporate-actions.js';
import { scoreCorporateActions } from '../../../lib/quality/corporate-actions.js';

const now = new Date('2026-12-07T12:00:00Z');
const dividend = (exDate: string, amount = 0.26, payDate: string | null = null) => ({
  exDate,
  amount,
  currency: 'USD',
  payDate,
});
const actions = (parts: Partial<CorporateActions>): CorporateActions => ({
  symbol: 'AAPL',
  splits: [],
  dividends: [],
  ...parts,
});
const failed = (value: CorporateActions) =>
  scoreCorporateActions(value, { now })
    .checks.filter((check) => !check.passed)
    .map(({ id, subject }) => ({ id, subject }));

describe('scoreCorporateActions', () => {
  it('scores 1 with no checks when there are no actions', () => {
    expect(scoreCorporateActions(actions({}), { now })).toEqual({ score: 1, checks: [] });
  });

  it('passes every check on plausible, ordered actions', () => {
    const report = scoreCorporateActions(
      actions({
        splits: [
          { exDate: '2014-06-09', ratio: 7 },
          { exDate: '2020-08-31', ratio: 4 },
        ],
        dividends: [dividend('2025-08-11', 0.26, '2025-08-14'), dividend('2025-11-10', 0.26, '2025-11-13')],
      }),
      { now },
    );
    expect(report.score).toBe(1);
    expect(report.checks.map((check) => check.id).sort()).toEqual([
      'dividend_amount_plausible',
      'dividend_dates_ascending',
      'dividend_dates_unique',
      'dividend_dates_within_a_year',
      'pay_date_not_before_ex_date',
      'split_dates_ascending',
      'split_dates_unique',
      'split_dates_within_a_year',
      'split_ratio_not_one',
      'split_ratio_plausible',
    ]);
  });

  it('fails split_ratio_plausible (error) beyond 1000 either way and flags a 1-for-1 split', () => {
    expect(failed(actions({ splits: [{ exDate: '2020-01-02', ratio: 5000 }] }))).toEqual([
      { id: 'split_ratio_plausible', subject: '2020-01-02' },
    ]);
    expect(failed(actions({ splits: [{ exDate: '2020-01-02', ratio: 0.0005 }] }))).toEqual([
      { id: 'split_ratio_plausible', subject: '2020-01-02' },
    ]);
    expect(failed(actions({ splits: [{ exDate: '2020-01-02', ratio: 1 }] }))).toEqual([
      { id: 'split_ratio_not_one', subject: '2020-01-02' },
    ]);
    const bounds = actions({
      splits: [
        { exDate: '2020-01-02', ratio: 1000 },
        { exDate: '2021-01-04', ratio: 0.001 },
      ],
    });
    expect(failed(bounds)).toEqual([]);
  });

  it('flags an implausibly large dividend and a pay date before the ex-date', () => {
    expect(failed(actions({ dividends: [dividend('2025-08-11', 26_000)] }))).toEqual([
      { id: 'dividend_amount_plausible', subject: '2025-08-11' },
    ]);
    expect(failed(actions({ dividends: [dividend('2025-08-11', 0.26, '2025-08-01')] }))).toEqual([
      { id: 'pay_date_not_before_ex_date', subject: '2025-08-11' },
    ]);
  });

  it('checks pay dates only where the provider gave one, and allows paying on the ex-date', () => {
    const ids = (value: CorporateActions) =>
      scoreCorporateActions(value, { now }).checks.map((check) => check.id);
    expect(ids(actions({ dividends: [dividend('2025-08-11')] }))).not.toContain(
      'pay_date_not_before_ex_date',
    );
    expect(failed(actions({ dividends: [dividend('2025-08-11', 0.26, '2025-08-11')] }))).toEqual([]);
  });

  it('says how many actions failed a check', () => {
    const report = scoreCorporateActions(
      actions({ dividends: [dividend('2025-08-11', 26_000), dividend('2025-11-10')] }),
      { now },
    );
    expect(report.checks.find((check) => check.id === 'dividend_amount_plausible')).toEqual({
      id: 'dividend_amount_plausible',
      passed: false,
      severity: 'warning',
      subject: '2025-08-11',
      detail: '1 of 2 fail',
    });
  });

  it('fails unique and ascending dates per list, a repeat only as a repeat', () => {
    expect(
      failed(
        actions({ dividends: [dividend('2025-08-11'), dividend('2025-08-11'), dividend('2025-11-10')] }),
      ),
    ).toEqual([{ id: 'dividend_dates_unique', subject: '2025-08-11' }]);
    expect(
      failed(
        actions({
          splits: [
            { exDate: '2020-08-31', ratio: 4 },
            { exDate: '2014-06-09', ratio: 7 },
          ],
        }),
      ),
    ).toEqual([{ id: 'split_dates_ascending', subject: '2014-06-09' }]);
  });

  it('allows an announced action within a year and flags one further ahead', () => {
    expect(failed(actions({ dividends: [dividend('2027-02-09')] }))).toEqual([]);
    // A year (366 days) from now exactly is still within it.
    expect(failed(actions({ dividends: [dividend('2027-12-08')] }))).toEqual([]);
    expect(failed(actions({ dividends: [dividend('2027-12-09')] }))).toEqual([
      { id: 'dividend_dates_within_a_year', subject: '2027-12-09' },
    ]);
    expect(failed(actions({ splits: [{ exDate: '2028-01-03', ratio: 2 }] }))).toEqual([
      { id: 'split_dates_within_a_year', subject: '2028-01-03' },
    ]);
  });

  it('counts the year ahead from the clock it is given, not the machine’s', () => {
    const later = new Date('2040-03-05T12:00:00Z');
    const report = scoreCorporateActions(actions({ dividends: [dividend('2040-09-01')] }), { now: later });
    expect(report.score).toBe(1);
  });

  it('allows a dividend of exactly the plausible maximum', () => {
    expect(failed(actions({ dividends: [dividend('2025-08-11', 10_000)] }))).toEqual([]);
  });

  it('lowers the score by the weight of what failed', () => {
    const report = scoreCorporateActions(actions({ splits: [{ exDate: '2020-01-02', ratio: 1 }] }), { now });
    // split checks: ratio plausible (3), not one (2, failed), unique (3), ascending (3), within a year (2).
    expect(report.score).toBeCloseTo(11 / 13, 10);
  });
});
