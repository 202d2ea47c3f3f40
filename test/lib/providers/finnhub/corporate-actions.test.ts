import { describe, expect, it } from 'vitest';
import { finnhubCorporateActions } from '../../../../lib/providers/finnhub/corporate-actions.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-12-07T15:30:00Z');
const access = { baseUrl: 'http://127.0.0.1:9/finnhub', apiKey: 'K1' };
const splits = { symbol: 'AAPL', kind: 'splits' } as const;
const dividends = { symbol: 'AAPL', kind: 'dividends' } as const;
const classify = (body: unknown, status = 200) =>
  finnhubCorporateActions.classify(answerOf(body, status), now);

describe('Finnhub /stock/split and /stock/dividend', () => {
  it('is registered for paid plans only (premium endpoints)', () => {
    expect(finnhubCorporateActions.plan).toBe('paid');
  });

  it('asks each kind’s path over the whole history, the key in a header, not the URL', () => {
    const request = finnhubCorporateActions.buildRequest(splits, access);
    expect(request.url.pathname).toBe('/finnhub/api/v1/stock/split');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({
      symbol: 'AAPL',
      from: '1900-01-01',
      to: '2099-12-31',
    });
    expect(request.headers).toEqual({ 'X-Finnhub-Token': 'K1' });
    expect(finnhubCorporateActions.buildRequest(dividends, access).url.pathname).toBe(
      '/finnhub/api/v1/stock/dividend',
    );
  });

  it('reads splits as toFactor per fromFactor, ascending', () => {
    const body = providerFixture('finnhub/split_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = finnhubCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits).toEqual([
      { exDate: '2014-06-09', ratio: 7 },
      { exDate: '2020-08-31', ratio: 4 },
    ]);
  });

  it('reads dividends as declared (amount, not adjustedAmount) in their currency', () => {
    const body = providerFixture('finnhub/dividend_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = finnhubCorporateActions.transform(body, dividends);
    expect(result.ok && result.value.dividends).toEqual([
      { exDate: '2019-08-09', amount: 0.77, currency: 'USD', payDate: '2019-08-15' },
      { exDate: '2019-11-07', amount: 0.77, currency: 'USD', payDate: '2019-11-14' },
    ]);
  });

  it('answers an empty list as no actions', () => {
    expect(classify([])).toBeNull();
    expect(finnhubCorporateActions.transform([], dividends)).toEqual({
      ok: true,
      value: { symbol: 'AAPL', splits: [], dividends: [] },
    });
  });

  it('classifies the free plan’s 403 as plan_restricted, and Finnhub’s other refusals like its other endpoints', () => {
    expect(classify(providerFixture('finnhub/errors/no_access_403.json'), 403)?.kind).toBe('plan_restricted');
    expect(classify(providerFixture('finnhub/errors/invalid_api_key_401.json'), 401)?.kind).toBe(
      'invalid_key',
    );
    expect(classify(providerFixture('finnhub/errors/api_limit_429.json'), 429)?.kind).toBe('throttled');
  });

  it('refuses a dividend without a currency as bad data', () => {
    const body = [{ date: '2019-11-07', amount: 0.77 }];
    expect(finnhubCorporateActions.transform(body, dividends)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Finnhub dividends failed validation: dividends.currency' },
    });
  });
});
