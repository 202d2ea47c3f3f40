import { describe, expect, it } from 'vitest';
import { fmpCorporateActions } from '../../../../lib/providers/fmp/corporate-actions.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { FMP_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-08-28T15:30:00Z');
const access = { baseUrl: 'http://127.0.0.1:9/fmp', apiKey: 'K1' };
const splits = { symbol: 'AAPL', kind: 'splits' } as const;
const dividends = { symbol: 'AAPL', kind: 'dividends' } as const;
const classify = (body: unknown, status = 200) => fmpCorporateActions.classify(answerOf(body, status), now);

describe('FMP /stable/splits and /stable/dividends', () => {
  it('is registered for the free plan and asks each kind’s path with FMP’s symbol and the key', () => {
    expect(fmpCorporateActions.plan).toBe('free');
    const split = fmpCorporateActions.buildRequest({ symbol: 'BRK.B', kind: 'splits' }, access).url;
    expect(split.pathname).toBe('/fmp/stable/splits');
    expect(Object.fromEntries(split.searchParams)).toEqual({ symbol: 'BRK-B', apikey: 'K1' });
    const dividend = fmpCorporateActions.buildRequest({ symbol: 'AAPL', kind: 'dividends' }, access).url;
    expect(dividend.pathname).toBe('/fmp/stable/dividends');
  });

  it('reads splits as numerator per denominator, ascending', () => {
    const body = providerFixture('fmp/splits_stable_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = fmpCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits).toEqual([
      { exDate: '1987-06-16', ratio: 2 },
      { exDate: '2000-06-21', ratio: 2 },
      { exDate: '2005-02-28', ratio: 2 },
      { exDate: '2014-06-09', ratio: 7 },
      { exDate: '2020-08-31', ratio: 4 },
    ]);
  });

  it('reads a reverse split as a ratio below 1', () => {
    const result = fmpCorporateActions.transform(
      [{ symbol: 'X', date: '2023-05-01', numerator: 1, denominator: 10 }],
      splits,
    );
    expect(result.ok && result.value.splits).toEqual([{ exDate: '2023-05-01', ratio: 0.1 }]);
  });

  it('reads the recorded dividends as declared, in dollars, with their pay dates, ascending', () => {
    const body = providerFixture('fmp/dividends_stable_AAPL_limit5_2026-08-28.json');
    expect(classify(body)).toBeNull();
    const result = fmpCorporateActions.transform(body, dividends);
    expect(result.ok && result.value).toEqual({
      symbol: 'AAPL',
      splits: [],
      dividends: [
        { exDate: '2025-08-11', amount: 0.26, currency: 'USD', payDate: '2025-08-14' },
        { exDate: '2025-11-10', amount: 0.26, currency: 'USD', payDate: '2025-11-13' },
        { exDate: '2026-02-09', amount: 0.26, currency: 'USD', payDate: '2026-02-12' },
        { exDate: '2026-05-11', amount: 0.27, currency: 'USD', payDate: '2026-05-14' },
        { exDate: '2026-08-10', amount: 0.27, currency: 'USD', payDate: '2026-08-13' },
      ],
    });
  });

  it('takes the declared dividend, not the split-adjusted one, and leaves out rows with only the adjusted one', () => {
    const result = fmpCorporateActions.transform(
      [
        { date: '2020-05-08', dividend: 0.82, adjDividend: 0.205, paymentDate: '' },
        { date: '1995-11-21', dividend: null, adjDividend: 0.00107, paymentDate: '' },
      ],
      dividends,
    );
    expect(result.ok && result.value.dividends).toEqual([
      { exDate: '2020-05-08', amount: 0.82, currency: 'USD', payDate: null },
    ]);
  });

  it('answers an empty list (no actions, or a symbol FMP does not list) as no actions', () => {
    expect(classify([])).toBeNull();
    expect(fmpCorporateActions.transform([], splits)).toEqual({
      ok: true,
      value: { symbol: 'AAPL', splits: [], dividends: [] },
    });
  });

  it('classifies FMP’s recorded refusals like its other endpoints, the free plan’s 402 as plan_restricted', () => {
    for (const [file, [status, kind]] of Object.entries(FMP_ERROR_KINDS)) {
      expect(classify(providerFixture(`fmp/errors/${file}`), status)?.kind, file).toBe(kind);
    }
    expect(classify(undefined, 402)?.kind).toBe('plan_restricted');
  });

  it('refuses an answer that is not a list, or a split without a readable ratio, as bad data', () => {
    expect(fmpCorporateActions.transform({ symbol: 'AAPL' }, splits)).toMatchObject({
      ok: false,
      failure: { kind: 'bad_data' },
    });
    expect(
      fmpCorporateActions.transform([{ date: '2010-01-01', numerator: 0, denominator: 1 }], splits),
    ).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'FMP splits failed validation: splits.ratio' },
    });
  });
});
