import { describe, expect, it } from 'vitest';
import { twelveDataCorporateActions } from '../../../../lib/providers/twelve-data/corporate-actions.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-12-07T15:30:00Z');
const access = { baseUrl: 'http://127.0.0.1:9/td', apiKey: 'K1' };
const splits = { symbol: 'AAPL', kind: 'splits' } as const;
const dividends = { symbol: 'AAPL', kind: 'dividends' } as const;
const classify = (body: unknown, status = 200) =>
  twelveDataCorporateActions.classify(answerOf(body, status), now);

describe('Twelve Data /splits and /dividends', () => {
  it('is registered for paid plans only (Grow and above)', () => {
    expect(twelveDataCorporateActions.plan).toBe('paid');
  });

  it('asks each kind’s path over the full range with Twelve Data’s symbol', () => {
    const split = twelveDataCorporateActions.buildRequest({ symbol: 'VOD.L', kind: 'splits' }, access).url;
    expect(split.pathname).toBe('/td/splits');
    expect(Object.fromEntries(split.searchParams)).toEqual({
      symbol: 'VOD:LSE',
      range: 'full',
      apikey: 'K1',
    });
    expect(twelveDataCorporateActions.buildRequest(dividends, access).url.pathname).toBe('/td/dividends');
  });

  it('reads the documented splits sample as to_factor per from_factor', () => {
    const body = providerFixture('twelvedata/splits_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = twelveDataCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits).toEqual([{ exDate: '2020-08-31', ratio: 4 }]);
  });

  it('reads dividends in the listing’s currency, ascending, without a pay date', () => {
    const body = providerFixture('twelvedata/dividends_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = twelveDataCorporateActions.transform(body, dividends);
    expect(result.ok && result.value.dividends).toEqual([
      { exDate: '2021-05-07', amount: 0.22, currency: 'USD', payDate: null },
      { exDate: '2021-08-06', amount: 0.22, currency: 'USD', payDate: null },
    ]);
  });

  it('reads a London listing’s dividends in pence (GBX), as its prices', () => {
    const body = { meta: { currency: 'GBp' }, dividends: [{ ex_date: '2024-06-06', amount: 4.5 }] };
    const result = twelveDataCorporateActions.transform(body, { symbol: 'VOD.L', kind: 'dividends' });
    expect(result.ok && result.value.dividends[0]?.currency).toBe('GBX');
  });

  it('answers empty lists as no actions', () => {
    const body = { meta: { currency: 'USD' }, splits: [] };
    expect(twelveDataCorporateActions.transform(body, splits)).toEqual({
      ok: true,
      value: { symbol: 'AAPL', splits: [], dividends: [] },
    });
  });

  it('classifies the free plan’s refusal, and an unknown symbol, like its other endpoints', () => {
    expect(classify(providerFixture('twelvedata/errors/splits_premium_403.json'))?.kind).toBe(
      'plan_restricted',
    );
    const notFound = { code: 404, message: 'symbol not found: XYZ', status: 'error' };
    expect(classify(notFound)?.kind).toBe('unknown_symbol');
    expect(classify(providerFixture('twelvedata/errors/invalid_api_key_401.json'))?.kind).toBe('invalid_key');
  });

  it('refuses dividends without the listing’s currency as bad data', () => {
    const body = { meta: {}, dividends: [{ ex_date: '2021-08-06', amount: 0.22 }] };
    expect(twelveDataCorporateActions.transform(body, dividends)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Twelve Data dividends failed validation: dividends.currency' },
    });
  });
});
