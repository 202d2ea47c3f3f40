import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isoDay, isTradingDay, latestTradingDay, parseIsoDay } from '../../infra/local/sandbox/calendar.js';
import { plansFromEnv } from '../../infra/local/sandbox/knobs.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';

/**
 * The sandbox on its default plans, the providers' free plans: what each refuses (status and body as
 * the fixtures record them), its per-key limits, and its exchange calendar. Fixed instants: these
 * assert the sandbox's own behaviour, which must not depend on the day the suite runs.
 */

/** Monday 2026-12-07, 02:25 UTC: Sunday evening in New York, before Monday's session. */
const MONDAY_BEFORE_OPEN = new Date('2026-12-07T02:25:00Z');
/** Tuesday 2025-09-23, 18:00 UTC: 14:00 in New York, that day's session open. */
const TUESDAY_SESSION = new Date('2025-09-23T18:00:00Z');

let now = TUESDAY_SESSION;
let sandbox: MarketSandbox;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => now });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  now = TUESDAY_SESSION;
  sandbox.resetKnobs();
  sandbox.resetStats();
});

const fixtureText = (path: string) =>
  readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8');
const fixture = (path: string): unknown => JSON.parse(fixtureText(path));

async function call(provider: keyof MarketSandbox['baseUrls'], path: string, params: Record<string, string>) {
  const res = await fetch(`${sandbox.baseUrls[provider]}${path}?${new URLSearchParams(params)}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // FMP's 402 is text.
  }
  return { status: res.status, body };
}
const av = (params: Record<string, string>, apikey = 'k1') =>
  call('alpha-vantage', '/query', { ...params, apikey });
const withoutRequestId = (body: unknown) => ({ ...(body as Record<string, unknown>), request_id: '' });

describe('the sandbox on the free plans (its default)', () => {
  it('answers Alpha Vantage `compact` (the latest 100 trading days) and refuses `full` with the premium notice', async () => {
    const compact = await av({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'compact' });
    const dates = Object.keys(
      (compact.body as Record<string, Record<string, unknown>>)['Time Series (Daily)'] ?? {},
    );
    expect(dates).toHaveLength(100);
    const full = await av({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' });
    expect(full).toEqual({
      status: 200,
      body: fixture('alphavantage/errors/information_premium_outputsize_full.json'),
    });
    expect(sandbox.stats().planRefusals['alpha-vantage']).toEqual({ 'outputsize=full': 1 });
  });

  it('refuses Alpha Vantage premium functions and premium quote data with the premium-endpoint notice', async () => {
    const premium = { status: 200, body: fixture('alphavantage/errors/information_premium_endpoint.json') };
    for (const fn of ['TIME_SERIES_DAILY_ADJUSTED', 'REALTIME_BULK_QUOTES']) {
      expect(await av({ function: fn, symbol: 'IBM' })).toEqual(premium);
    }
    expect(await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM', entitlement: 'delayed' }, 'k2')).toEqual(
      premium,
    );
    expect(sandbox.stats().planRefusals['alpha-vantage']).toEqual({ 'premium function': 2, entitlement: 1 });
  });

  it('gives an Alpha Vantage key 5 calls a minute and 25 a day, with the real messages', async () => {
    const quote = { function: 'GLOBAL_QUOTE', symbol: 'IBM' };
    for (let i = 0; i < 5; i++) expect((await av(quote)).body).toHaveProperty('Global Quote');
    expect((await av(quote)).body).toEqual(
      fixture('alphavantage/errors/note_call_frequency_5pm_500pd_legacy.json'),
    );
    // Another key has its own allowance; the sixth call was counted against the first one's day.
    expect((await av(quote, 'k2')).body).toHaveProperty('Global Quote');
    for (let minute = 1; minute < 5; minute++) {
      now = new Date(TUESDAY_SESSION.getTime() + minute * 60_000);
      for (let i = 0; i < 5; i++) await av(quote);
    }
    now = new Date(TUESDAY_SESSION.getTime() + 5 * 60_000);
    expect((await av(quote)).body).toEqual(fixture('alphavantage/errors/information_daily_limit_25.json'));
  });

  it('refuses Finnhub candles with 403 and throttles a key past 60 calls a minute with 429', async () => {
    const candles = await call('finnhub', '/api/v1/stock/candle', {
      symbol: 'AAPL',
      resolution: 'D',
      from: '1758000000',
      to: '1758600000',
      token: 'k1',
    });
    expect(candles).toEqual({ status: 403, body: fixture('finnhub/errors/no_access_403.json') });
    for (let i = 1; i < 60; i++) {
      expect((await call('finnhub', '/api/v1/quote', { symbol: 'AAPL', token: 'k1' })).status).toBe(200);
    }
    expect(await call('finnhub', '/api/v1/quote', { symbol: 'AAPL', token: 'k1' })).toEqual({
      status: 429,
      body: fixture('finnhub/errors/api_limit_429.json'),
    });
  });

  it('refuses Polygon aggregates older than 2 years with 403 and throttles past 5 calls a minute', async () => {
    const range = (from: string) =>
      call('polygon', `/v2/aggs/ticker/AAPL/range/1/day/${from}/2025-09-23`, { apiKey: 'k1' });
    const old = await range('2023-09-01');
    expect(old.status).toBe(403);
    expect(withoutRequestId(old.body)).toEqual(
      withoutRequestId(fixture('polygon/errors/not_authorized_timeframe_403.json')),
    );
    for (let i = 1; i < 5; i++) expect((await range('2024-09-30')).status).toBe(200);
    const throttled = await range('2024-09-30');
    expect(throttled.status).toBe(429);
    expect(withoutRequestId(throttled.body)).toEqual(
      withoutRequestId(fixture('polygon/errors/max_requests_per_minute_429.json')),
    );
    expect(sandbox.stats().planRefusals.polygon).toEqual({ 'history before 2 years': 1 });
  });

  it('refuses Twelve Data paid endpoints (HTTP 200, code 403) and counts a credit per symbol: 8 a minute', async () => {
    const profile = await call('twelve-data', '/profile', { symbol: 'AAPL', apikey: 'k1' });
    expect(profile).toEqual({ status: 200, body: fixture('twelvedata/errors/premium_endpoint_403.json') });
    // The refused call cost a credit too: a fresh key for the quotes.
    expect((await call('twelve-data', '/quote', { symbol: 'AAPL,MSFT,IBM', apikey: 'k2' })).status).toBe(200);
    for (let i = 0; i < 5; i++) await call('twelve-data', '/quote', { symbol: 'AAPL', apikey: 'k2' });
    expect(await call('twelve-data', '/quote', { symbol: 'AAPL', apikey: 'k2' })).toEqual({
      status: 200,
      body: fixture('twelvedata/errors/run_out_of_credits_429.json'),
    });
  });

  it('refuses FMP batch quotes with 402 and serves no more than 5 years of history', async () => {
    const batch = await call('fmp', '/stable/batch-quote', { symbols: 'AAPL,MSFT', apikey: 'k1' });
    expect(batch).toEqual({ status: 402, body: fixtureText('fmp/errors/premium_query_parameter_402.txt') });
    const history = await call('fmp', '/stable/historical-price-eod/full', {
      symbol: 'AAPL',
      from: '2015-01-02',
      to: '2025-09-23',
      apikey: 'k1',
    });
    const dates = (history.body as { date: string }[]).map((bar) => bar.date);
    // Asked 10 years, answered the last 5 without a word: the form of a provider answering less than asked.
    expect(dates.at(-1)).toBe('2020-09-23');
    expect(dates[0]).toBe('2025-09-23');
  });

  it('serves everything on the paid plan (the knob, or `<PROVIDER>_PLAN=paid` as the layer reads it)', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { plan: 'paid' } });
    const full = await av({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' });
    expect(
      Object.keys((full.body as Record<string, object>)['Time Series (Daily)'] ?? {}).length,
    ).toBeGreaterThan(4900);
    for (let i = 0; i < 10; i++)
      expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' })).status).toBe(200);
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' })).body).toHaveProperty('Global Quote');
    expect(sandbox.stats().planRefusals['alpha-vantage']).toEqual({});
    expect(plansFromEnv({ ALPHA_VANTAGE_PLAN: 'paid', POLYGON_PLAN: '' })).toEqual({
      'alpha-vantage': 'paid',
    });
    expect(() => plansFromEnv({ FMP_PLAN: 'gold' })).toThrow(/FMP_PLAN=gold/);
  });
});

describe("the sandbox's market keeps the NYSE calendar", () => {
  it('dates nothing on a session that has not opened: at 02:25 UTC on Monday the latest trading day is Friday', async () => {
    now = MONDAY_BEFORE_OPEN;
    const quote = await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' });
    expect(
      (quote.body as Record<string, Record<string, string>>)['Global Quote']?.['07. latest trading day'],
    ).toBe('2026-12-04');
    // FMP's and Finnhub's quotes are stamped with the session's last trade (Friday's close), not now.
    const fridayClose = Date.parse('2026-12-04T20:00:00Z') / 1000;
    const fmpQuote = await call('fmp', '/stable/quote', { symbol: 'IBM', apikey: 'k1' });
    expect((fmpQuote.body as { timestamp: number }[])[0]?.timestamp).toBe(fridayClose);
    const finnhubQuote = await call('finnhub', '/api/v1/quote', { symbol: 'IBM', token: 'k1' });
    expect((finnhubQuote.body as { t: number }).t).toBe(fridayClose);
    // 09:29 and 09:30 in New York (EST, UTC−5).
    expect(isoDay(latestTradingDay(new Date('2026-12-07T14:29:00Z')))).toBe('2026-12-04');
    expect(isoDay(latestTradingDay(new Date('2026-12-07T14:30:00Z')))).toBe('2026-12-07');
    // 01:00 UTC Tuesday is still Monday evening in New York.
    expect(isoDay(latestTradingDay(new Date('2026-12-08T01:00:00Z')))).toBe('2026-12-07');
  });

  it.each([
    ['2026-11-26', 'Thanksgiving'],
    ['2026-04-03', 'Good Friday'],
    ['2027-06-18', 'Juneteenth, a Saturday, observed on the Friday'],
    ['2027-12-24', 'Christmas, a Saturday, observed on the Friday'],
    ['2026-01-19', 'Martin Luther King Jr. Day'],
    ['2025-01-09', "President Carter's day of mourning"],
  ])('has no session on %s (%s)', (date) => {
    expect(isTradingDay(parseIsoDay(date) ?? 0)).toBe(false);
  });

  it('keeps the session of a Friday before a Saturday New Year (NYSE does not move that one)', () => {
    expect(isTradingDay(parseIsoDay('2021-12-31') ?? 0)).toBe(true);
    expect(isTradingDay(parseIsoDay('2026-11-27') ?? 0)).toBe(true);
  });

  it('serves no bar dated on a weekend or a holiday in any provider series', async () => {
    now = MONDAY_BEFORE_OPEN;
    const compact = await av({ function: 'TIME_SERIES_DAILY', symbol: 'MSFT' });
    const avDates = Object.keys((compact.body as Record<string, object>)['Time Series (Daily)'] ?? {});
    const fmpDates = (
      (
        await call('fmp', '/stable/historical-price-eod/full', {
          symbol: 'MSFT',
          from: '2025-01-01',
          apikey: 'k1',
        })
      ).body as { date: string }[]
    ).map((bar) => bar.date);
    for (const date of [...avDates, ...fmpDates])
      expect(isTradingDay(parseIsoDay(date) ?? 0), date).toBe(true);
    expect(avDates[0]).toBe('2026-12-04');
    expect(avDates).not.toContain('2026-11-26');
    expect(fmpDates).not.toContain('2025-07-04');
  });
});
