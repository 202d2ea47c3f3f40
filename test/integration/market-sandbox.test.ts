import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_PROVIDER_IDS } from '../../infra/local/sandbox/knobs.js';
import { knobsFromEnv, type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';

/**
 * Every provider on its paid plan: these test the wire format of every answer, the paid ones
 * included, and call one key more often than a free plan allows. The free plans' refusals and
 * limits: market-sandbox-free-plans.test.ts.
 */
const PAID = Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, 'paid' as const]));

type Json = Record<string, unknown>;

/** Tuesday 2025-09-23, 18:00 UTC: the latest trading day is that day. */
const NOW = new Date('2025-09-23T18:00:00Z');
const KEY = 'test-key';

function fixture(path: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8')) as Json;
}

function record(value: unknown): Json {
  expect(value).toBeTypeOf('object');
  expect(value).not.toBeNull();
  return value as Json;
}

function isWeekday(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
}

let sandbox: MarketSandbox;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ port: 0, now: () => NOW, plans: PAID });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.resetKnobs();
  sandbox.resetStats();
});

/** `apikey: null` sends no key at all. */
function avUrl(params: Record<string, string>, apikey: string | null = KEY): string {
  const query = new URLSearchParams(apikey === null ? params : { ...params, apikey });
  return `${sandbox.baseUrls['alpha-vantage']}/query?${query}`;
}

async function av(params: Record<string, string>, apikey?: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(avUrl(params, apikey ?? KEY));
  return { status: res.status, body: record(await res.json()) };
}

function fmpUrl(path: string, params: Record<string, string>, apikey = KEY): string {
  return `${sandbox.baseUrls.fmp}/stable/${path}?${new URLSearchParams({ ...params, apikey })}`;
}

async function fmp(
  path: string,
  params: Record<string, string>,
  apikey = KEY,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(fmpUrl(path, params, apikey));
  const text = await res.text();
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

async function quote(symbol: string, apikey?: string): Promise<Json> {
  const { body } = await av({ function: 'GLOBAL_QUOTE', symbol }, apikey);
  return record(body['Global Quote']);
}

describe('market sandbox: base URLs', () => {
  it('serves each provider under its own path, as a stand-in for the real host', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.baseUrls).toEqual({
      'alpha-vantage': `${sandbox.url}/alpha-vantage`,
      fmp: `${sandbox.url}/fmp`,
      finnhub: `${sandbox.url}/finnhub`,
      'twelve-data': `${sandbox.url}/twelve-data`,
      polygon: `${sandbox.url}/polygon`,
    });
  });
});

describe('market sandbox: Alpha Vantage', () => {
  it('answers GLOBAL_QUOTE with the key set and value formats of the recorded answer', async () => {
    const expected = record(fixture('alphavantage/global_quote_IBM_2020-05-08.json')['Global Quote']);
    const res = await fetch(avUrl({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = record(await res.json());
    expect(Object.keys(body)).toEqual(['Global Quote']);
    const actual = record(body['Global Quote']);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) expect(typeof actual[key]).toBe(typeof expected[key]);
    expect(actual['01. symbol']).toBe('IBM');
    for (const key of ['02. open', '03. high', '04. low', '05. price', '08. previous close', '09. change']) {
      expect(actual[key]).toMatch(/^-?\d+\.\d{4}$/);
    }
    expect(actual['06. volume']).toMatch(/^\d+$/);
    expect(actual['07. latest trading day']).toBe('2025-09-23');
    expect(actual['10. change percent']).toMatch(/^-?\d+\.\d{4}%$/);
  });

  it('gives the same data for the same symbol and different data for different symbols', async () => {
    expect(await quote('IBM')).toEqual(await quote('IBM'));
    expect(await quote('ibm')).toEqual(await quote('IBM'));
    expect((await quote('MSFT'))['05. price']).not.toBe((await quote('IBM'))['05. price']);
  });

  it('keeps quote figures consistent: high ≥ open, price ≥ low > 0, change and percent from the previous close', async () => {
    for (const symbol of ['IBM', 'AAPL', 'TSLA', 'XYZ1', 'BRK.B']) {
      const q = await quote(symbol);
      const [open, high, low, price, previous] = [
        '02. open',
        '03. high',
        '04. low',
        '05. price',
        '08. previous close',
      ].map((key) => Number(q[key])) as [number, number, number, number, number];
      expect(high).toBeGreaterThanOrEqual(Math.max(open, price));
      expect(low).toBeLessThanOrEqual(Math.min(open, price));
      expect(low).toBeGreaterThan(0);
      expect(Number(q['06. volume'])).toBeGreaterThanOrEqual(0);
      expect(q['09. change']).toBe((price - previous).toFixed(4));
      const percent = Number(String(q['10. change percent']).replace('%', ''));
      expect(percent).toBeCloseTo(((price - previous) / previous) * 100, 3);
    }
  });

  it('takes the latest trading day from now(), the last weekday on or before today', async () => {
    const sunday = await startMarketSandbox({ now: () => new Date('2025-09-21T12:00:00Z') });
    try {
      const res = await fetch(
        `${sunday.baseUrls['alpha-vantage']}/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=k`,
      );
      const body = record(await res.json());
      expect(record(body['Global Quote'])['07. latest trading day']).toBe('2025-09-19');
    } finally {
      await sunday.close();
    }
  });

  it('answers TIME_SERIES_DAILY compact with 100 weekday bars, newest first, in the recorded shape', async () => {
    const expected = fixture('alphavantage/time_series_daily_IBM_2020-05-08_truncated.json');
    const { body } = await av({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'compact' });
    expect(Object.keys(body)).toEqual(Object.keys(expected));
    const meta = record(body['Meta Data']);
    expect(Object.keys(meta)).toEqual(Object.keys(record(expected['Meta Data'])));
    expect(meta['2. Symbol']).toBe('IBM');
    expect(meta['4. Output Size']).toBe('Compact');
    const series = record(body['Time Series (Daily)']);
    const dates = Object.keys(series);
    expect(dates).toHaveLength(100);
    expect(dates[0]).toBe('2025-09-23');
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(dates.every(isWeekday)).toBe(true);
    const barKeys = Object.keys(record(Object.values(record(expected['Time Series (Daily)']))[0]));
    for (const date of dates) {
      const bar = record(series[date]);
      expect(Object.keys(bar)).toEqual(barKeys);
      const [open, high, low, close] = ['1. open', '2. high', '3. low', '4. close'].map((k) =>
        Number(bar[k]),
      ) as number[];
      expect(high).toBeGreaterThanOrEqual(Math.max(open ?? 0, close ?? 0));
      expect(low).toBeLessThanOrEqual(Math.min(open ?? 0, close ?? 0));
      expect(bar['5. volume']).toMatch(/^\d+$/);
    }
    // The quote's previous close is the series' close of the day before.
    expect((await quote('IBM'))['08. previous close']).toBe(record(series[dates[1] ?? ''])['4. close']);
  });

  it('answers TIME_SERIES_DAILY full with 20 years of bars', async () => {
    const { body } = await av({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' });
    expect(record(body['Meta Data'])['4. Output Size']).toBe('Full size');
    const dates = Object.keys(record(body['Time Series (Daily)']));
    // About 252 sessions a year: weekdays less the NYSE holidays.
    expect(dates.length).toBeGreaterThan(5000);
    expect(dates.at(-1)?.slice(0, 4)).toBe('2005');
  });

  it('answers the statements with the recorded keys and consistent figures', async () => {
    const checks = {
      INCOME_STATEMENT: (r: Json) =>
        Number(r.grossProfit) === Number(r.totalRevenue) - Number(r.costOfRevenue),
      BALANCE_SHEET: (r: Json) =>
        Number(r.totalAssets) === Number(r.totalLiabilities) + Number(r.totalShareholderEquity),
      CASH_FLOW: (r: Json) => Number(r.capitalExpenditures) > 0,
    };
    const files = {
      INCOME_STATEMENT: 'income_statement',
      BALANCE_SHEET: 'balance_sheet',
      CASH_FLOW: 'cash_flow',
    };
    for (const [fn, check] of Object.entries(checks) as [keyof typeof checks, (r: Json) => boolean][]) {
      const expected = fixture(`alphavantage/${files[fn]}_TSLA_2023-01-27.json`);
      const { body } = await av({ function: fn, symbol: 'IBM' });
      expect(Object.keys(body)).toEqual(Object.keys(expected));
      const annual = body.annualReports as Json[];
      const quarterly = body.quarterlyReports as Json[];
      expect([annual.length, quarterly.length]).toEqual([5, 20]);
      const keys = Object.keys(record((expected.annualReports as Json[])[0]));
      for (const report of [...annual, ...quarterly]) {
        expect(Object.keys(report)).toEqual(keys);
        expect(Object.values(report).every((v) => typeof v === 'string')).toBe(true);
        expect(check(report)).toBe(true);
      }
      expect(Object.values(annual[0] ?? {})).toContain('None');
    }
  });

  it('answers OVERVIEW and SYMBOL_SEARCH with the recorded keys', async () => {
    const overview = await av({ function: 'OVERVIEW', symbol: 'IBM' });
    expect(Object.keys(overview.body)).toEqual(
      Object.keys(fixture('alphavantage/overview_TSLA_2023-01-27.json')),
    );
    expect(Object.values(overview.body).every((v) => typeof v === 'string')).toBe(true);
    const search = await av({ function: 'SYMBOL_SEARCH', keywords: 'tesco' });
    const expected = (fixture('alphavantage/symbol_search_tesco.json').bestMatches as Json[])[0] ?? {};
    const matches = search.body.bestMatches as Json[];
    expect(matches.length).toBeGreaterThan(0);
    for (const match of matches) {
      expect(Object.keys(match)).toEqual(Object.keys(expected));
      expect(match['9. matchScore']).toMatch(/^[01]\.\d{4}$/);
    }
  });

  it('answers a missing or invalid key, an unknown function and a missing symbol with an Error Message', async () => {
    const badKey = fixture('alphavantage/errors/error_apikey_invalid_or_missing.json');
    const noKey = await fetch(avUrl({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }, null));
    expect(noKey.status).toBe(200);
    expect(await noKey.json()).toEqual(badKey);
    sandbox.setKnobs({ 'alpha-vantage': { invalidKeys: ['revoked'] } });
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }, 'revoked')).body).toEqual(badKey);
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' })).body).toHaveProperty(
      'Global Quote.05\\. price',
    );
    expect((await av({ function: 'NOPE', symbol: 'IBM' })).body).toEqual({
      'Error Message': 'This API function (NOPE) does not exist.',
    });
    const missing = await av({ function: 'GLOBAL_QUOTE' });
    expect(Object.keys(missing.body)).toEqual(['Error Message']);
    expect(missing.body['Error Message']).toMatch(/^Invalid API call\. .* for GLOBAL_QUOTE\.$/);
  });

  it('answers unknown symbols as Alpha Vantage does, for the knob list and the ZZZ rule', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { unknownSymbols: ['gone'] } });
    for (const symbol of ['GONE', 'ZZZTOP']) {
      expect((await av({ function: 'GLOBAL_QUOTE', symbol })).body).toEqual(
        fixture('alphavantage/errors/global_quote_unknown_symbol.json'),
      );
      expect((await av({ function: 'TIME_SERIES_DAILY', symbol })).body).toEqual(
        fixture('alphavantage/errors/error_invalid_api_call_time_series_daily.json'),
      );
      expect((await av({ function: 'OVERVIEW', symbol })).body).toEqual({});
    }
  });

  it.each([
    ['throttled', 'note_call_frequency_5pm_500pd_legacy.json'],
    ['daily-limit', 'information_daily_limit_25.json'],
    ['invalid-key', 'error_apikey_invalid_or_missing.json'],
    ['premium', 'information_premium_endpoint.json'],
  ] as const)('answers mode %s with HTTP 200 and the body of %s', async (mode, file) => {
    sandbox.setKnobs({ 'alpha-vantage': { mode } });
    const expected = fixture(`alphavantage/errors/${file}`);
    const { status, body } = await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(Object.keys(expected));
    expect(body).toEqual(expected);
  });
});

describe('market sandbox: FMP', () => {
  it('answers /stable/quote with the recorded key set and JSON number types', async () => {
    const expected = record((fixture('fmp/quote_stable_AAPL_2025-09-23.json') as unknown as Json[])[0]);
    const res = await fetch(fmpUrl('quote', { symbol: 'AAPL' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json[];
    expect(body).toHaveLength(1);
    const actual = record(body[0]);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) expect(typeof actual[key]).toBe(typeof expected[key]);
    expect(actual.timestamp).toBe(NOW.getTime() / 1000);
    expect(actual.change).toBeCloseTo(Number(actual.price) - Number(actual.previousClose), 6);
  });

  it('quotes the same market as Alpha Vantage', async () => {
    const { body } = await fmp('quote', { symbol: 'IBM' });
    expect(String(record((body as Json[])[0]).price)).toBe(String(Number((await quote('IBM'))['05. price'])));
  });

  it('answers batch-quote with one quote per known symbol', async () => {
    const { body } = await fmp('batch-quote', { symbols: 'AAPL,MSFT,ZZZNOPE' });
    expect((body as Json[]).map((q) => q.symbol)).toEqual(['AAPL', 'MSFT']);
  });

  it('answers the statements with the recorded keys, consistent figures and negative capex', async () => {
    const income = (await fmp('income-statement', { symbol: 'AAPL', period: 'annual', limit: '1' }))
      .body as Json[];
    const expected = record(
      (fixture('fmp/income_statement_stable_AAPL_annual_limit1_2025-09-23.json') as unknown as Json[])[0],
    );
    expect(income).toHaveLength(1);
    expect(Object.keys(record(income[0]))).toEqual(Object.keys(expected));
    for (const key of Object.keys(expected)) expect(typeof record(income[0])[key]).toBe(typeof expected[key]);
    const balance = (await fmp('balance-sheet-statement', { symbol: 'AAPL', period: 'quarter', limit: '8' }))
      .body as Json[];
    expect(balance).toHaveLength(8);
    for (const b of balance) expect(b.totalAssets).toBe(Number(b.totalLiabilities) + Number(b.totalEquity));
    expect(balance.map((b) => b.period)).toContain('Q1');
    const cash = (await fmp('cash-flow-statement', { symbol: 'AAPL' })).body as Json[];
    expect(cash).toHaveLength(5);
    for (const c of cash) {
      expect(c.capitalExpenditure).toBeLessThan(0);
      expect(c.freeCashFlow).toBe(Number(c.operatingCashFlow) + Number(c.capitalExpenditure));
    }
  });

  it('answers historical-price-eod/full for a date range, newest first, sessions only', async () => {
    const { body } = await fmp('historical-price-eod/full', {
      symbol: 'AAPL',
      from: '2025-09-01',
      to: '2025-09-12',
    });
    const bars = body as Json[];
    expect(bars.map((b) => b.date)).toEqual(
      // 2025-09-01 was Labor Day.
      ['12', '11', '10', '09', '08', '05', '04', '03', '02'].map((d) => `2025-09-${d}`),
    );
    expect(Object.keys(record(bars[0]))).toEqual([
      'symbol',
      'date',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'change',
      'changePercent',
      'vwap',
    ]);
  });

  it('answers profile and search-symbol as arrays', async () => {
    const profile = (await fmp('profile', { symbol: 'AAPL' })).body as Json[];
    expect(record(profile[0]).companyName).toBe('Apple Inc.');
    const search = (await fmp('search-symbol', { query: 'AAPL' })).body as Json[];
    expect(Object.keys(record(search[0]))).toEqual([
      'symbol',
      'name',
      'currency',
      'exchangeFullName',
      'exchange',
    ]);
    expect(record(search[0]).symbol).toBe('AAPL');
  });

  it('answers unknown symbols with an empty array', async () => {
    sandbox.setKnobs({ fmp: { unknownSymbols: ['AAPL'] } });
    expect((await fmp('quote', { symbol: 'AAPL' })).body).toEqual([]);
    expect((await fmp('profile', { symbol: 'ZZZX' })).body).toEqual([]);
    expect((await fmp('income-statement', { symbol: 'ZZZX' })).body).toEqual([]);
  });

  it('answers a bad key with 401, limits with 429, paid plans with 402 and legacy endpoints with 403', async () => {
    sandbox.setKnobs({ fmp: { invalidKeys: ['revoked'] } });
    expect(await fmp('quote', { symbol: 'AAPL' }, 'revoked')).toEqual({
      status: 401,
      body: fixture('fmp/errors/invalid_api_key_401.json'),
    });
    for (const mode of ['throttled', 'daily-limit'] as const) {
      sandbox.setKnobs({ fmp: { mode } });
      expect(await fmp('quote', { symbol: 'AAPL' })).toEqual({
        status: 429,
        body: fixture('fmp/errors/limit_reach_429.json'),
      });
    }
    sandbox.setKnobs({ fmp: { mode: 'premium' } });
    const premium = await fmp('quote', { symbol: 'AAPL' });
    expect(premium.status).toBe(402);
    expect(premium.body).toMatch(/^Premium Query Parameter/);
    sandbox.resetKnobs();
    const legacy = await fetch(`${sandbox.baseUrls.fmp}/api/v3/quote/AAPL?apikey=${KEY}`);
    expect(legacy.status).toBe(403);
    expect(await legacy.json()).toEqual(fixture('fmp/errors/legacy_endpoint_403.json'));
  });
});

describe('market sandbox: knobs', () => {
  it('throttles one key after throttleAfter calls a minute and leaves other keys alone', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { throttleAfter: 3 }, fmp: { throttleAfter: 1 } });
    for (let i = 0; i < 3; i++) expect(Object.keys(await quote('IBM', 'key-a'))).toHaveLength(10);
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }, 'key-a')).body).toHaveProperty('Note');
    expect(Object.keys(await quote('IBM', 'key-b'))).toHaveLength(10);
    expect((await fmp('quote', { symbol: 'AAPL' }, 'key-a')).status).toBe(200);
    expect((await fmp('quote', { symbol: 'AAPL' }, 'key-a')).status).toBe(429);
    expect((await fmp('quote', { symbol: 'AAPL' }, 'key-b')).status).toBe(200);
  });

  it('answers the daily-limit body after dailyLimit calls of a key in a UTC day', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { dailyLimit: 2 } });
    await quote('IBM');
    await quote('IBM');
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' })).body).toEqual(
      fixture('alphavantage/errors/information_daily_limit_25.json'),
    );
    expect(Object.keys(await quote('IBM', 'other'))).toHaveLength(10);
  });

  it('makes fetch reject when unreachable', async () => {
    sandbox.setKnobs({ fmp: { mode: 'unreachable' } });
    await expect(fetch(fmpUrl('quote', { symbol: 'AAPL' }))).rejects.toThrow();
    expect((await av({ function: 'GLOBAL_QUOTE', symbol: 'IBM' })).status).toBe(200);
  });

  it('alternates failing and healthy runs of flapEvery calls when flapping', async () => {
    const statuses = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await fetch(fmpUrl('quote', { symbol: 'AAPL' }))).status);
      return out;
    };
    sandbox.setKnobs({ fmp: { mode: 'flapping' } });
    expect(await statuses(4)).toEqual([503, 200, 503, 200]);
    sandbox.setKnobs({ fmp: { flapEvery: 2 } });
    expect(await statuses(5)).toEqual([503, 503, 200, 200, 503]);
  });

  it('answers down with the configured status and a load-balancer body', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { mode: 'down', downStatus: 502 } });
    const html = await fetch(avUrl({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }));
    expect(html.status).toBe(502);
    expect(await html.text()).toContain('<title>502 Bad Gateway</title>');
    sandbox.setKnobs({ 'alpha-vantage': { downStatus: 500 } });
    const json = await fetch(avUrl({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }));
    expect(json.status).toBe(500);
    expect(await json.json()).toEqual({ message: 'Internal server error' });
  });

  it('answers malformed with HTTP 200 and a garbled shape or truncated JSON', async () => {
    sandbox.setKnobs({ 'alpha-vantage': { mode: 'malformed' } });
    const shaped = await quote('IBM');
    expect(Object.keys(shaped)).toHaveLength(10);
    expect(shaped['05. price']).not.toMatch(/^-?\d+\.\d{4}$/);
    sandbox.setKnobs({ fmp: { mode: 'malformed', malformedKind: 'truncated' } });
    const res = await fetch(fmpUrl('quote', { symbol: 'AAPL' }));
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('injects errorRate 500s from a seeded stream, the same after a reset', async () => {
    const run = async () => {
      sandbox.setKnobs({ fmp: { errorRate: 0.5, seed: 7 } });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await fetch(fmpUrl('quote', { symbol: 'AAPL' }))).status);
      return out;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    sandbox.resetKnobs();
    expect(await run()).toEqual(first);
  });

  it('adds latencyMs and lets a client timeout fire in slow mode', async () => {
    sandbox.setKnobs({ fmp: { latencyMs: 40 } });
    const started = performance.now();
    expect((await fetch(fmpUrl('quote', { symbol: 'AAPL' }))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    sandbox.setKnobs({ fmp: { latencyMs: 0, mode: 'slow', slowMs: 10_000 } });
    const slowStart = performance.now();
    await expect(
      fetch(fmpUrl('quote', { symbol: 'AAPL' }), { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(performance.now() - slowStart).toBeLessThan(2_000);
  });

  it('accepts and never answers in hang mode, until the client gives up', async () => {
    sandbox.setKnobs({ fmp: { mode: 'hang' } });
    const before = sandbox.stats().calls.fmp ?? 0;
    const error = await fetch(fmpUrl('quote', { symbol: 'AAPL' }), { signal: AbortSignal.timeout(50) }).catch(
      (reason: unknown) => reason,
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(sandbox.stats().calls.fmp).toBe(before + 1);
    sandbox.setKnobs({ fmp: { mode: 'healthy' } });
    expect((await fetch(fmpUrl('quote', { symbol: 'AAPL' }))).status).toBe(200);
  });

  it('counts data calls per provider and per key, not control calls', async () => {
    await quote('IBM', 'key-a');
    await quote('IBM', 'key-a');
    await quote('IBM', 'key-b');
    await fetch(avUrl({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }, null));
    await fmp('quote', { symbol: 'AAPL' });
    await fetch(`${sandbox.url}/__sandbox/knobs`);
    const idle = { finnhub: 0, 'twelve-data': 0, polygon: 0 };
    const expected = {
      calls: { 'alpha-vantage': 4, fmp: 1, ...idle },
      callsByKey: {
        'alpha-vantage': { 'key-a': 2, 'key-b': 1, '(none)': 1 },
        fmp: { [KEY]: 1 },
        finnhub: {},
        'twelve-data': {},
        polygon: {},
      },
      planRefusals: { 'alpha-vantage': {}, fmp: {}, finnhub: {}, 'twelve-data': {}, polygon: {} },
    };
    expect(sandbox.stats()).toEqual(expected);
    expect(await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()).toEqual(expected);
    sandbox.resetStats();
    expect(sandbox.stats().calls).toEqual({ 'alpha-vantage': 0, fmp: 0, ...idle });
  });

  it('serves the control endpoints and rejects a bad knob with 400', async () => {
    const control = (method: string, path: string, body?: string) =>
      fetch(`${sandbox.url}/__sandbox/${path}`, { method, ...(body === undefined ? {} : { body }) });
    const initial = record(await (await control('GET', 'knobs')).json());
    expect(record(initial.fmp).mode).toBe('healthy');
    const put = await control(
      'PUT',
      'knobs',
      JSON.stringify({ fmp: { mode: 'down', unknownSymbols: ['X'] } }),
    );
    expect(put.status).toBe(200);
    expect(record(record(await put.json()).fmp)).toMatchObject({
      mode: 'down',
      unknownSymbols: ['X'],
      latencyMs: 0,
    });
    expect((await fetch(fmpUrl('quote', { symbol: 'AAPL' }))).status).toBe(503);
    for (const bad of [
      '{"fmp":{"mode":"sideways"}}',
      '{"yahoo":{}}',
      '{"fmp":{"errorRate":2}}',
      'not json',
    ]) {
      const res = await control('PUT', 'knobs', bad);
      expect(res.status).toBe(400);
      expect(record(await res.json()).error).toEqual(expect.any(String));
    }
    expect(record(await (await control('DELETE', 'knobs')).json())).toEqual(initial);
    expect((await control('DELETE', 'stats')).status).toBe(200);
    expect((await control('POST', 'stats')).status).toBe(405);
    expect(() => sandbox.setKnobs({ fmp: { flapEvery: 0 } })).toThrow(TypeError);
  });
});

describe('knobsFromEnv', () => {
  it('parses every documented variable, with per-provider modes over SANDBOX_MODE', () => {
    const patch = knobsFromEnv({
      SANDBOX_LATENCY_MS: '25',
      SANDBOX_MODE: 'flapping',
      SANDBOX_FMP_MODE: 'down',
      SANDBOX_ERROR_RATE: '0.1',
      SANDBOX_UNKNOWN_SYMBOLS: 'foo, BAR,',
      SANDBOX_THROTTLE_AFTER: '5',
      SANDBOX_DAILY_LIMIT: '25',
    });
    const shared = {
      latencyMs: 25,
      errorRate: 0.1,
      unknownSymbols: ['FOO', 'BAR'],
      throttleAfter: 5,
      dailyLimit: 25,
    };
    expect(patch).toEqual({
      'alpha-vantage': { ...shared, mode: 'flapping' },
      fmp: { ...shared, mode: 'down' },
      finnhub: { ...shared, mode: 'flapping' },
      'twelve-data': { ...shared, mode: 'flapping' },
      polygon: { ...shared, mode: 'flapping' },
    });
    expect(knobsFromEnv({ SANDBOX_ALPHA_VANTAGE_MODE: 'throttled' })).toEqual({
      'alpha-vantage': { mode: 'throttled' },
    });
    expect(knobsFromEnv({})).toEqual({});
  });

  it('throws on a value it cannot use', () => {
    expect(() => knobsFromEnv({ SANDBOX_MODE: 'sideways' })).toThrow(/SANDBOX_MODE/);
    expect(() => knobsFromEnv({ SANDBOX_LATENCY_MS: 'soon' })).toThrow(/SANDBOX_LATENCY_MS/);
    expect(() => knobsFromEnv({ SANDBOX_ERROR_RATE: '3' })).toThrow(/errorRate/);
  });
});
