import { describe, expect, it } from 'vitest';
import { polygonCorporateActions } from '../../../../lib/providers/polygon/corporate-actions.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2026-02-15T15:30:00Z');
const access = { baseUrl: 'http://127.0.0.1:9/polygon', apiKey: 'K1' };
const splits = { symbol: 'AAPL', kind: 'splits' } as const;
const dividends = { symbol: 'AAPL', kind: 'dividends' } as const;
const classify = (body: unknown, status = 200) =>
  polygonCorporateActions.classify(answerOf(body, status), now);

describe('Massive (Polygon) /stocks/v1/splits and /stocks/v1/dividends', () => {
  it('is registered for the free plan and asks the new endpoints, one page, the key in a header', () => {
    expect(polygonCorporateActions.plan).toBe('free');
    const request = polygonCorporateActions.buildRequest({ symbol: 'BRK-B', kind: 'splits' }, access);
    expect(request.url.pathname).toBe('/polygon/stocks/v1/splits');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({ ticker: 'BRK.B', limit: '5000' });
    expect(request.headers).toEqual({ Authorization: 'Bearer K1' });
    const dividend = polygonCorporateActions.buildRequest(dividends, access).url;
    expect(dividend.pathname).toBe('/polygon/stocks/v1/dividends');
  });

  it('reads the recorded splits as split_to per split_from, ascending', () => {
    const body = providerFixture('polygon/stocks_v1_splits_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = polygonCorporateActions.transform(body, splits);
    expect(result.ok && result.value.splits).toEqual([
      { exDate: '2014-06-09', ratio: 7 },
      { exDate: '2020-08-31', ratio: 4 },
    ]);
  });

  it('reads the recorded dividends as declared (cash_amount, not the split-adjusted amount)', () => {
    const body = providerFixture('polygon/stocks_v1_dividends_AAPL.json');
    expect(classify(body)).toBeNull();
    const result = polygonCorporateActions.transform(body, dividends);
    expect(result.ok && result.value.dividends).toEqual([
      { exDate: '2012-08-09', amount: 2.65, currency: 'USD', payDate: '2012-08-16' },
      { exDate: '2012-11-07', amount: 2.65, currency: 'USD', payDate: '2012-11-15' },
    ]);
  });

  it('reads the documented sample, whose request_id is a number', () => {
    const body = providerFixture('polygon/stocks_v1_dividends_AAPL_documented.json');
    expect(classify(body)).toBeNull();
    const result = polygonCorporateActions.transform(body, dividends);
    expect(result.ok && result.value.dividends).toEqual([
      { exDate: '2025-08-11', amount: 0.26, currency: 'USD', payDate: '2025-08-14' },
    ]);
  });

  it('answers empty results (no actions, or a ticker Massive does not list) as no actions', () => {
    const body = providerFixture('polygon/errors/stocks_v1_no_results.json');
    expect(classify(body)).toBeNull();
    expect(polygonCorporateActions.transform(body, dividends)).toEqual({
      ok: true,
      value: { symbol: 'AAPL', splits: [], dividends: [] },
    });
  });

  it('classifies Polygon’s recorded refusals like its other endpoints', () => {
    expect(classify(providerFixture('polygon/errors/not_authorized_403.json'), 403)?.kind).toBe(
      'plan_restricted',
    );
    expect(classify(providerFixture('polygon/errors/max_requests_per_minute_429.json'), 429)?.kind).toBe(
      'throttled',
    );
    expect(classify(providerFixture('polygon/errors/ticker_not_found_404.json'), 404)?.kind).toBe(
      'unknown_symbol',
    );
  });

  it('refuses a dividend with an unreadable currency or amount as bad data', () => {
    const row = { ex_dividend_date: '2025-08-11', cash_amount: 0.26, currency: 'dollars' };
    expect(polygonCorporateActions.transform({ status: 'OK', results: [row] }, dividends)).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'Polygon dividends failed validation: dividends.currency' },
    });
    expect(polygonCorporateActions.transform({ status: 'OK', results: 'none' }, dividends)).toMatchObject({
      ok: false,
      failure: { kind: 'bad_data' },
    });
  });
});
