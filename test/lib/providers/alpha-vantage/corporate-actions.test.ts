import { describe, expect, it } from 'vitest';
import { alphaVantageCorporateActions } from '../../../../lib/providers/alpha-vantage/corporate-actions.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';
import { ALPHA_VANTAGE_ERROR_KINDS } from './error-fixtures.js';

const now = new Date('2026-12-07T15:30:00Z');
const access = { baseUrl: 'http://127.0.0.1:9/av', apiKey: 'K1' };
const splits = { symbol: 'NVDA', kind: 'splits' } as const;
const dividends = { symbol: 'IBM', kind: 'dividends' } as const;
const classify = (body: unknown) => alphaVantageCorporateActions.classify(answerOf(body), now);

describe('Alpha Vantage SPLITS and DIVIDENDS', () => {
  it('is registered for the free plan and asks each function with the key', () => {
    expect(alphaVantageCorporateActions.plan).toBe('free');
    const split = alphaVantageCorporateActions.buildRequest(splits, access).url;
    expect(split.pathname).toBe('/av/query');
    expect(Object.fromEntries(split.searchParams)).toEqual({
      function: 'SPLITS',
      symbol: 'NVDA',
      apikey: 'K1',
    });
    const dividend = alphaVantageCorporateActions.buildRequest(dividends, access).url;
    expect(dividend.searchParams.get('function')).toBe('DIVIDENDS');
  });

  it('reads split factors (strings) as ratios, ascending', () => {
    const body = providerFixture('alphavantage/splits_NVDA.json');
    expect(classify(body)).toBeNull();
    const result = alphaVantageCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits).toEqual([
      { exDate: '2000-06-27', ratio: 2 },
      { exDate: '2001-09-17', ratio: 2 },
      { exDate: '2006-04-07', ratio: 2 },
      { exDate: '2007-09-11', ratio: 1.5 },
      { exDate: '2021-07-20', ratio: 4 },
      { exDate: '2024-06-10', ratio: 10 },
    ]);
  });

  it('reads a factor rounded to four decimals as the whole-number ratio it stands for', () => {
    const factors = ['0.3333', '0.1429', '0.0133', '0.6667', '1.2345'];
    const body = {
      symbol: 'X',
      data: factors.map((split_factor, i) => ({ effective_date: `201${i}-06-01`, split_factor })),
    };
    const result = alphaVantageCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits.map((split) => split.ratio)).toEqual([
      1 / 3,
      1 / 7,
      1 / 75,
      2 / 3,
      1.2345,
    ]);
  });

  it('reads dividends in dollars, "None" dates as unknown', () => {
    const body = providerFixture('alphavantage/dividends_IBM.json');
    expect(classify(body)).toBeNull();
    const result = alphaVantageCorporateActions.transform(body, dividends);
    expect(result.ok && result.value).toEqual({
      symbol: 'IBM',
      splits: [],
      dividends: [
        { exDate: '1962-02-08', amount: 2.5, currency: 'USD', payDate: null },
        { exDate: '2024-11-12', amount: 1.67, currency: 'USD', payDate: '2024-12-10' },
        { exDate: '2025-02-10', amount: 1.67, currency: 'USD', payDate: '2025-03-10' },
      ],
    });
  });

  it('answers `data: []` as no actions and `{}` as a symbol it does not cover', () => {
    expect(classify({ symbol: 'XYZ', data: [] })).toBeNull();
    expect(alphaVantageCorporateActions.transform({ symbol: 'XYZ', data: [] }, splits)).toEqual({
      ok: true,
      value: { symbol: 'NVDA', splits: [], dividends: [] },
    });
    expect(classify(providerFixture('alphavantage/errors/splits_unknown_symbol.json'))?.kind).toBe(
      'unknown_symbol',
    );
  });

  it('classifies Alpha Vantage’s recorded notices like its other functions', () => {
    for (const [file, kind] of Object.entries(ALPHA_VANTAGE_ERROR_KINDS)) {
      expect(classify(providerFixture(`alphavantage/errors/${file}`))?.kind, file).toBe(kind);
    }
  });

  it('refuses a split factor it cannot read as bad data', () => {
    const body = { symbol: 'NVDA', data: [{ effective_date: '2024-06-10', split_factor: 'None' }] };
    expect(alphaVantageCorporateActions.transform(body, splits)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'SPLITS failed validation: splits.ratio' },
    });
  });
});
