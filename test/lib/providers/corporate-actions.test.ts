import { describe, expect, it } from 'vitest';
import {
  corporateActionsEndpoint,
  dividendsAnswer,
  splitRatio,
  splitsAnswer,
  wholeNumberRatio,
} from '../../../lib/providers/corporate-actions.js';
import { failure } from '../../../lib/providers/provider.js';

const splitsQuery = { symbol: 'aapl', kind: 'splits' } as const;
const dividendsQuery = { symbol: 'AAPL', kind: 'dividends' } as const;
const dividend = (exDate: string | null, amount: number | null, currency: string | null = 'USD') => ({
  exDate,
  amount,
  currency,
  payDate: null,
});

describe('splitRatio', () => {
  it('is shares after per share before, for forward and reverse splits', () => {
    expect(splitRatio(1, 4)).toBe(4);
    expect(splitRatio(10, 1)).toBe(0.1);
    expect(splitRatio(2, 3)).toBe(1.5);
  });

  it('is null when a factor is missing, zero or negative', () => {
    expect(splitRatio(null, 4)).toBeNull();
    expect(splitRatio(1, null)).toBeNull();
    expect(splitRatio(0, 4)).toBeNull();
    expect(splitRatio(1, 0)).toBeNull();
    expect(splitRatio(-1, 4)).toBeNull();
  });
});

describe('wholeNumberRatio', () => {
  it('replaces a rounded decimal by the nearest ratio of whole numbers within the tolerance', () => {
    expect(wholeNumberRatio(0.3333, 0.00005)).toBe(1 / 3);
    expect(wholeNumberRatio(1.5, 0.00005)).toBe(1.5);
    expect(wholeNumberRatio(0.0133, 0.00005)).toBe(1 / 75);
    expect(wholeNumberRatio(0.333333, 0.0000005)).toBe(1 / 3);
  });

  it('takes the nearest ratio when several lie within the tolerance', () => {
    // 4/3 is 0.0067 away, 27/20 0.01: both within, the nearer wins.
    expect(wholeNumberRatio(1.34, 0.011)).toBe(4 / 3);
  });

  it('keeps a value no such ratio is near, and does not snap beyond the tolerance', () => {
    expect(wholeNumberRatio(1.2345, 0.00005)).toBe(1.2345);
    expect(wholeNumberRatio(0.334, 0.00005)).toBe(0.334);
  });
});

describe('splitsAnswer', () => {
  it('sorts splits ascending, keeps the first row of a repeated date, and names the symbol as the layer writes it', () => {
    const result = splitsAnswer(
      splitsQuery,
      [
        { exDate: '2020-08-31', ratio: 4 },
        { exDate: '2014-06-09', ratio: 7 },
        { exDate: '2020-08-31', ratio: 5 },
      ],
      'Test splits',
    );
    expect(result).toEqual({
      ok: true,
      value: {
        symbol: 'AAPL',
        splits: [
          { exDate: '2014-06-09', ratio: 7 },
          { exDate: '2020-08-31', ratio: 4 },
        ],
        dividends: [],
      },
    });
  });

  it('refuses the answer as bad data, naming the field, when a split’s ratio or date could not be read', () => {
    expect(splitsAnswer(splitsQuery, [{ exDate: '2020-08-31', ratio: null }], 'Test splits')).toEqual(
      failure('bad_data', 'Test splits failed validation: splits.ratio'),
    );
    expect(splitsAnswer(splitsQuery, [{ exDate: null, ratio: 4 }], 'Test splits')).toEqual(
      failure('bad_data', 'Test splits failed validation: splits.exDate'),
    );
  });

  it('answers no splits as empty lists, not a failure', () => {
    expect(splitsAnswer(splitsQuery, [], 'Test splits')).toEqual({
      ok: true,
      value: { symbol: 'AAPL', splits: [], dividends: [] },
    });
  });
});

describe('dividendsAnswer', () => {
  it('sorts ascending and counts a repeated row once', () => {
    const result = dividendsAnswer(
      dividendsQuery,
      [dividend('2025-08-11', 0.26), dividend('2025-05-12', 0.26), dividend('2025-08-11', 0.26)],
      'Test dividends',
    );
    expect(result.ok && result.value.dividends).toEqual([
      dividend('2025-05-12', 0.26),
      dividend('2025-08-11', 0.26),
    ]);
  });

  it('sums distinct amounts going ex on one day (a regular and a special dividend)', () => {
    const result = dividendsAnswer(
      dividendsQuery,
      [dividend('2024-03-01', 0.25), dividend('2024-03-01', 1.1)],
      'Test dividends',
    );
    expect(result.ok && result.value.dividends).toEqual([dividend('2024-03-01', 1.35)]);
  });

  it('refuses two currencies on one day, which have no sum', () => {
    const result = dividendsAnswer(
      dividendsQuery,
      [dividend('2024-03-01', 0.25, 'USD'), dividend('2024-03-01', 0.2, 'EUR')],
      'Test dividends',
    );
    expect(result).toEqual(failure('bad_data', 'Test dividends failed validation: dividends.currency'));
  });

  it('refuses a day with an amount that could not be read, whichever row of the day it is', () => {
    for (const rows of [
      [dividend('2024-03-01', 0.25), dividend('2024-03-01', null)],
      [dividend('2024-03-01', null), dividend('2024-03-01', 0.25)],
    ]) {
      expect(dividendsAnswer(dividendsQuery, rows, 'Test dividends')).toEqual(
        failure('bad_data', 'Test dividends failed validation: dividends.amount'),
      );
    }
  });

  it('refuses a dividend whose ex-date could not be read', () => {
    const rows = [dividend('2024-03-01', 0.25), dividend(null, 0.3)];
    expect(dividendsAnswer(dividendsQuery, rows, 'Test dividends')).toEqual(
      failure('bad_data', 'Test dividends failed validation: dividends.exDate'),
    );
  });

  it('leaves out a row that paid nothing, and refuses one whose amount could not be read', () => {
    const zero = dividendsAnswer(dividendsQuery, [dividend('2024-03-01', 0)], 'Test dividends');
    expect(zero.ok && zero.value.dividends).toEqual([]);
    expect(dividendsAnswer(dividendsQuery, [dividend('2024-03-01', null)], 'Test dividends')).toEqual(
      failure('bad_data', 'Test dividends failed validation: dividends.amount'),
    );
  });
});

describe('corporateActionsEndpoint', () => {
  it('asks the path of the query’s kind and reads the answer with that kind’s reader', () => {
    const endpoint = corporateActionsEndpoint({
      provider: 'fmp',
      plan: 'free',
      classify: () => null,
      splits: {
        buildRequest: () => ({ url: new URL('http://127.0.0.1:9/splits') }),
        transform: (_body, query) => splitsAnswer(query, [{ exDate: '2020-08-31', ratio: 4 }], 'S'),
      },
      dividends: {
        buildRequest: () => ({ url: new URL('http://127.0.0.1:9/dividends') }),
        transform: (_body, query) => dividendsAnswer(query, [dividend('2025-08-11', 0.26)], 'D'),
      },
    });
    const access = { baseUrl: 'http://127.0.0.1:9', apiKey: 'K' };
    expect(endpoint.dataType).toBe('corporate_actions');
    expect(endpoint.buildRequest(splitsQuery, access).url.pathname).toBe('/splits');
    expect(endpoint.buildRequest(dividendsQuery, access).url.pathname).toBe('/dividends');
    const splits = endpoint.transform(null, splitsQuery);
    const dividends = endpoint.transform(null, dividendsQuery);
    expect(splits.ok && splits.value.splits).toHaveLength(1);
    expect(dividends.ok && dividends.value.dividends).toHaveLength(1);
  });
});
