import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_PROVIDER_IDS } from '../../infra/local/sandbox/knobs.js';
import { knobsFromEnv, type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { CompanyProfileSchema } from '../../lib/model/company-profile.js';
import { DailySeriesSchema } from '../../lib/model/daily-bars.js';
import { FinancialStatementsSchema } from '../../lib/model/financial-statements.js';
import { QuoteSchema } from '../../lib/model/quote.js';
import { SearchResultSchema } from '../../lib/model/search-result.js';
import { finnhubCandles } from '../../lib/providers/finnhub/candles.js';
import { finnhubProfile } from '../../lib/providers/finnhub/profile.js';
import { finnhubQuote } from '../../lib/providers/finnhub/quote.js';
import { finnhubSearch } from '../../lib/providers/finnhub/search.js';
import { polygonDailyBars } from '../../lib/providers/polygon/daily-bars.js';
import { polygonPreviousClose } from '../../lib/providers/polygon/previous-close.js';
import { polygonSearch } from '../../lib/providers/polygon/search.js';
import { polygonTickerDetails } from '../../lib/providers/polygon/ticker-details.js';
import type { FailureKind, ProviderEndpoint, ProviderResult } from '../../lib/providers/provider.js';
import { twelveDataBatchQuote } from '../../lib/providers/twelve-data/batch-quote.js';
import { twelveDataIncomeStatement } from '../../lib/providers/twelve-data/income-statement.js';
import { twelveDataProfile } from '../../lib/providers/twelve-data/profile.js';
import { twelveDataQuote } from '../../lib/providers/twelve-data/quote.js';
import { twelveDataSearch } from '../../lib/providers/twelve-data/search.js';
import { twelveDataTimeSeries } from '../../lib/providers/twelve-data/time-series.js';

/**
 * Every provider on its paid plan: these test the wire format of every answer, the paid ones
 * included, and call one key more often than a free plan allows. The free plans' refusals and
 * limits: market-sandbox-free-plans.test.ts.
 */
const PAID = Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, 'paid' as const]));

type Json = Record<string, unknown>;

/** Tuesday 2025-09-23, 18:00 UTC: the latest trading day is that day, the last completed one Monday. */
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

/** The keys of an object and, one level down, of its object values: a wire shape to compare. */
function shapeOf(value: unknown): Record<string, string[]> {
  const top = record(value);
  const shape: Record<string, string[]> = { '': Object.keys(top) };
  for (const [key, inner] of Object.entries(top)) {
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) shape[key] = Object.keys(inner);
  }
  return shape;
}

let sandbox: MarketSandbox;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => NOW, plans: PAID });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.resetKnobs();
  sandbox.resetStats();
});

async function call(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return {
    status: res.status,
    body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

const finnhub = (path: string, params: Record<string, string>, token = KEY) =>
  call(`${sandbox.baseUrls.finnhub}/api/v1/${path}?${new URLSearchParams(params)}`, {
    'X-Finnhub-Token': token,
  });
const twelveData = (path: string, params: Record<string, string>, apikey = KEY) =>
  call(`${sandbox.baseUrls['twelve-data']}/${path}?${new URLSearchParams({ ...params, apikey })}`);
const polygon = (path: string, params: Record<string, string> = {}, key = KEY) =>
  call(`${sandbox.baseUrls.polygon}/${path}?${new URLSearchParams(params)}`, {
    Authorization: `Bearer ${key}`,
  });

async function avPrice(symbol: string): Promise<number> {
  const url = `${sandbox.baseUrls['alpha-vantage']}/query?function=GLOBAL_QUOTE&symbol=${symbol}&apikey=${KEY}`;
  const body = record((await call(url)).body);
  return Number(record(body['Global Quote'])['05. price']);
}

describe('market sandbox: base URLs of the added providers', () => {
  it('serves Finnhub, Twelve Data and Polygon under their own paths', () => {
    expect(sandbox.baseUrls).toMatchObject({
      finnhub: `${sandbox.url}/finnhub`,
      'twelve-data': `${sandbox.url}/twelve-data`,
      polygon: `${sandbox.url}/polygon`,
    });
  });
});

describe('market sandbox: Finnhub', () => {
  it('answers quote, profile2 and search with the recorded key sets and value types', async () => {
    const pairs: [unknown, Json][] = [
      [(await finnhub('quote', { symbol: 'AAPL' })).body, fixture('finnhub/quote_AAPL.json')],
      [(await finnhub('stock/profile2', { symbol: 'AAPL' })).body, fixture('finnhub/profile2_AAPL.json')],
    ];
    for (const [actual, expected] of pairs) {
      expect(Object.keys(record(actual))).toEqual(Object.keys(expected));
      for (const key of Object.keys(expected)) expect(typeof record(actual)[key]).toBe(typeof expected[key]);
    }
    const search = record((await finnhub('search', { q: 'AAPL' })).body);
    const expected = fixture('finnhub/search_apple.json');
    expect(Object.keys(search)).toEqual(Object.keys(expected));
    const hits = search.result as Json[];
    expect(hits.map((hit) => hit.symbol)).toEqual(['AAPL', 'AAPL.L', 'AAPL.DE']);
    for (const hit of hits)
      expect(Object.keys(hit)).toEqual(Object.keys(record((expected.result as Json[])[0])));
  });

  it('quotes the same market as Alpha Vantage, stamped with the time of the last trade', async () => {
    const quote = record((await finnhub('quote', { symbol: 'IBM' })).body);
    expect(quote.c).toBe(await avPrice('IBM'));
    expect(quote.t).toBe(NOW.getTime() / 1000);
  });

  it('answers candles as parallel arrays stamped at 00:00 UTC, weekdays only', async () => {
    const from = String(Date.parse('2025-09-15T00:00:00Z') / 1000);
    const to = String(Date.parse('2025-09-21T23:59:59Z') / 1000);
    const candles = record(
      (await finnhub('stock/candle', { symbol: 'AAPL', resolution: 'D', from, to })).body,
    );
    expect(Object.keys(candles)).toEqual(['c', 'h', 'l', 'o', 's', 't', 'v']);
    expect(candles.s).toBe('ok');
    expect((candles.t as number[]).map((t) => new Date(t * 1000).toISOString())).toEqual(
      ['15', '16', '17', '18', '19'].map((d) => `2025-09-${d}T00:00:00.000Z`),
    );
  });

  it('answers unknown symbols as Finnhub does: zeros, an empty profile, no_data', async () => {
    sandbox.setKnobs({ finnhub: { unknownSymbols: ['GONE'] } });
    expect((await finnhub('quote', { symbol: 'GONE' })).body).toEqual({
      c: 0,
      d: null,
      dp: null,
      h: 0,
      l: 0,
      o: 0,
      pc: 0,
      t: 0,
    });
    expect((await finnhub('stock/profile2', { symbol: 'ZZZX' })).body).toEqual({});
    expect(
      (await finnhub('stock/candle', { symbol: 'ZZZX', resolution: 'D', from: '0', to: '1' })).body,
    ).toEqual({
      s: 'no_data',
    });
  });

  it.each([
    ['invalid-key', 401, fixture('finnhub/errors/invalid_api_key_401.json')],
    ['throttled', 429, fixture('finnhub/errors/api_limit_429.json')],
    ['daily-limit', 429, fixture('finnhub/errors/api_limit_429.json')],
    ['premium', 403, { error: "You don't have access to this resource." }],
  ] as const)('answers mode %s with HTTP %i and Finnhub’s error body', async (mode, status, body) => {
    sandbox.setKnobs({ finnhub: { mode } });
    expect(await finnhub('quote', { symbol: 'AAPL' })).toEqual({ status, body });
  });

  it('takes the key from token= or the X-Finnhub-Token header, and refuses a call without one', async () => {
    const base = `${sandbox.baseUrls.finnhub}/api/v1/quote?symbol=AAPL`;
    expect((await call(`${base}&token=${KEY}`)).status).toBe(200);
    expect((await call(base)).status).toBe(401);
    expect(sandbox.stats().callsByKey.finnhub).toEqual({ [KEY]: 1, '(none)': 1 });
  });
});

describe('market sandbox: Twelve Data', () => {
  const batchQuote = () => record(fixture('twelvedata/batch_quote.json').AAPL);

  it('answers /quote with the recorded key set, figures as 5-decimal strings', async () => {
    const quote = record((await twelveData('quote', { symbol: 'AAPL' })).body);
    expect(shapeOf(quote)).toEqual(shapeOf(batchQuote()));
    for (const key of ['open', 'high', 'low', 'close', 'previous_close', 'change', 'percent_change']) {
      expect(quote[key]).toMatch(/^-?\d+\.\d{5}$/);
    }
    expect(Number(quote.close)).toBe(await avPrice('AAPL'));
    expect(quote.datetime).toBe('2025-09-23');
  });

  it('answers a batch keyed by the symbols as asked, unknown ones as per-symbol errors', async () => {
    const batch = record((await twelveData('quote', { symbol: 'AAPL,ZZZQ,VOD:LSE' })).body);
    expect(Object.keys(batch)).toEqual(['AAPL', 'ZZZQ', 'VOD:LSE']);
    const invalid = record(fixture('twelvedata/batch_error.json').INVALID);
    expect(Object.keys(record(batch.ZZZQ))).toEqual(Object.keys(invalid));
    expect(record(batch.ZZZQ).message).toBe(String(invalid.message).replace('INVALID', 'ZZZQ'));
    expect(record(batch['VOD:LSE'])).toMatchObject({ symbol: 'VOD', exchange: 'LSE', currency: 'GBp' });
  });

  it('answers /time_series, /profile and /income_statement with the recorded shapes', async () => {
    const series = record((await twelveData('time_series', { symbol: 'AAPL', interval: '1day' })).body);
    const expectedSeries = record(fixture('twelvedata/batch_time_series.json').AAPL);
    expect(shapeOf(series)).toEqual(shapeOf(expectedSeries));
    const values = series.values as Json[];
    expect(values).toHaveLength(30);
    expect(Object.keys(record(values[0]))).toEqual(Object.keys(record((expectedSeries.values as Json[])[0])));
    expect(values[0]?.datetime).toBe('2025-09-23');

    const profile = (await twelveData('profile', { symbol: 'AAPL' })).body;
    expect(Object.keys(record(profile))).toEqual(Object.keys(fixture('twelvedata/profile.json')));

    const income = record((await twelveData('income_statement', { symbol: 'AAPL' })).body);
    const expectedIncome = fixture('twelvedata/income_statement.json');
    expect(shapeOf(income)).toEqual(shapeOf(expectedIncome));
    const row = record((income.income_statement as Json[])[0]);
    expect(shapeOf(row)).toEqual(shapeOf((expectedIncome.income_statement as Json[])[0]));
    expect(row.gross_profit).toBe(Number(row.sales) - Number(row.cost_of_goods));
  });

  it('answers unknown symbols and empty date ranges with Twelve Data’s error body', async () => {
    sandbox.setKnobs({ 'twelve-data': { unknownSymbols: ['GONE'] } });
    const gone = await twelveData('quote', { symbol: 'GONE' });
    expect(gone.status).toBe(200);
    expect(record(gone.body)).toMatchObject({ code: 400, status: 'error' });
    const weekend = await twelveData('time_series', {
      symbol: 'AAPL',
      interval: '1day',
      start_date: '2025-09-20',
      end_date: '2025-09-21',
    });
    expect(record(weekend.body).message).toMatch(/^No data is available on the specified dates/);
  });

  it.each([
    ['invalid-key', fixture('twelvedata/errors/invalid_api_key_401.json')],
    ['throttled', fixture('twelvedata/errors/run_out_of_credits_429.json')],
  ] as const)('answers mode %s with HTTP 200 and the recorded error body', async (mode, body) => {
    sandbox.setKnobs({ 'twelve-data': { mode } });
    expect(await twelveData('quote', { symbol: 'AAPL' })).toEqual({ status: 200, body });
  });

  it('answers daily-limit and premium with their own codes and messages', async () => {
    sandbox.setKnobs({ 'twelve-data': { mode: 'daily-limit' } });
    const daily = record((await twelveData('quote', { symbol: 'AAPL' })).body);
    expect(daily).toMatchObject({ code: 429, status: 'error' });
    expect(daily.message).toMatch(/^You have run out of API credits for the day\./);
    sandbox.setKnobs({ 'twelve-data': { mode: 'premium' } });
    const premium = record((await twelveData('profile', { symbol: 'AAPL' })).body);
    expect(premium).toMatchObject({ code: 403, status: 'error' });
    expect(premium.message).toMatch(/^\/profile is available exclusively with grow/);
  });
});

describe('market sandbox: Polygon', () => {
  it('answers prev and range aggregates with the recorded key sets', async () => {
    const prev = record((await polygon('v2/aggs/ticker/AAPL/prev', { adjusted: 'true' })).body);
    const expectedPrev = fixture('polygon/v2_aggs_prev_AAPL.json');
    expect(Object.keys(prev)).toEqual(Object.keys(expectedPrev));
    const [bar] = prev.results as Json[];
    expect(Object.keys(record(bar))).toEqual(Object.keys(record((expectedPrev.results as Json[])[0])));

    const range = record(
      (await polygon('v2/aggs/ticker/AAPL/range/1/day/2025-09-15/2025-09-21', { sort: 'asc' })).body,
    );
    const expectedRange = fixture('polygon/aggs_day_AAPL_2023-01-01_2023-01-10.json');
    expect(Object.keys(range)).toEqual(Object.keys(expectedRange));
    const bars = range.results as Json[];
    expect(Object.keys(record(bars[0]))).toEqual(Object.keys(record((expectedRange.results as Json[])[0])));
    // 00:00 in New York (EDT) of each session, as Polygon stamps daily bars.
    expect(bars.map((b) => new Date(Number(b.t)).toISOString())).toEqual(
      ['15', '16', '17', '18', '19'].map((d) => `2025-09-${d}T04:00:00.000Z`),
    );
  });

  it('stamps winter bars at 00:00 EST, an hour later in UTC than summer ones', async () => {
    const range = record((await polygon('v2/aggs/ticker/AAPL/range/1/day/2025-01-06/2025-01-06')).body);
    expect((range.results as Json[]).map((b) => new Date(Number(b.t)).toISOString())).toEqual([
      '2025-01-06T05:00:00.000Z',
    ]);
  });

  it('gives as previous close the last completed session of the shared market', async () => {
    const prev = record((await polygon('v2/aggs/ticker/IBM/prev')).body);
    const [bar] = prev.results as Json[];
    const url = `${sandbox.baseUrls['alpha-vantage']}/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=${KEY}`;
    const avQuote = record(record((await call(url)).body)['Global Quote']);
    expect(record(bar).c).toBe(Number(avQuote['08. previous close']));
  });

  it('answers ticker details and search with the recorded key sets', async () => {
    const details = record((await polygon('v3/reference/tickers/AAPL')).body);
    const expected = fixture('polygon/v3_reference_tickers_AAPL.json');
    expect(shapeOf(details)).toEqual(shapeOf(expected));
    expect(Object.keys(record(details.results))).toEqual(Object.keys(record(expected.results)));
    const search = record((await polygon('v3/reference/tickers', { search: 'AAPL', market: 'stocks' })).body);
    expect(Object.keys(search)).toEqual(['results', 'status', 'request_id', 'count']);
    expect((search.results as Json[]).map((hit) => hit.ticker)).toEqual(['AAPL']);
  });

  it('answers unknown tickers as Polygon does: no results, or 404 NOT_FOUND', async () => {
    sandbox.setKnobs({ polygon: { unknownSymbols: ['GONE'] } });
    const prev = record((await polygon('v2/aggs/ticker/GONE/prev')).body);
    expect(prev).toMatchObject({ resultsCount: 0, status: 'OK' });
    expect(prev).not.toHaveProperty('results');
    const details = await polygon('v3/reference/tickers/ZZZX');
    expect(details.status).toBe(404);
    expect(Object.keys(record(details.body))).toEqual(
      Object.keys(fixture('polygon/errors/ticker_not_found_404.json')),
    );
    expect(record(details.body).message).toBe('Ticker not found.');
  });

  it.each([
    ['invalid-key', 401, 'ERROR', /^Unknown API Key$/],
    ['throttled', 429, 'ERROR', /^You've exceeded the maximum requests per minute/],
    ['daily-limit', 429, 'ERROR', /^You've exceeded the maximum requests per minute/],
    ['premium', 403, 'NOT_AUTHORIZED', /^You are not entitled to this data/],
  ] as const)('answers mode %s with HTTP %i and status %s', async (mode, status, bodyStatus, text) => {
    sandbox.setKnobs({ polygon: { mode } });
    const answer = await polygon('v2/aggs/ticker/AAPL/prev');
    expect(answer.status).toBe(status);
    const body = record(answer.body);
    expect(body.status).toBe(bodyStatus);
    expect(String(body.error ?? body.message)).toMatch(text);
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('takes the key from apiKey= or a bearer token, and names a missing key', async () => {
    const base = `${sandbox.baseUrls.polygon}/v2/aggs/ticker/AAPL/prev`;
    expect((await call(`${base}?apiKey=${KEY}`)).status).toBe(200);
    expect(await call(base)).toMatchObject({ status: 401, body: { error: 'API Key was not provided' } });
  });
});

describe('market sandbox: the added providers and the knobs', () => {
  it('gives the same bytes for the same call, request ids included', async () => {
    for (const url of [
      `${sandbox.baseUrls.finnhub}/api/v1/quote?symbol=MSFT&token=${KEY}`,
      `${sandbox.baseUrls['twelve-data']}/quote?symbol=MSFT,AAPL&apikey=${KEY}`,
      `${sandbox.baseUrls.polygon}/v3/reference/tickers/MSFT?apiKey=${KEY}`,
    ]) {
      const first = await (await fetch(url)).text();
      expect(await (await fetch(url)).text()).toBe(first);
    }
  });

  it('throttles and spends a daily allowance per key, with each provider’s own answer', async () => {
    sandbox.setKnobs({
      finnhub: { throttleAfter: 1 },
      'twelve-data': { dailyLimit: 1 },
      polygon: { throttleAfter: 1 },
    });
    expect((await finnhub('quote', { symbol: 'AAPL' }, 'a')).status).toBe(200);
    expect((await finnhub('quote', { symbol: 'AAPL' }, 'a')).status).toBe(429);
    expect((await finnhub('quote', { symbol: 'AAPL' }, 'b')).status).toBe(200);
    expect(record((await twelveData('quote', { symbol: 'AAPL' }, 'a')).body)).toHaveProperty('close');
    expect(String(record((await twelveData('quote', { symbol: 'AAPL' }, 'a')).body).message)).toMatch(
      /for the day/,
    );
    expect((await polygon('v2/aggs/ticker/AAPL/prev', {}, 'a')).status).toBe(200);
    expect((await polygon('v2/aggs/ticker/AAPL/prev', {}, 'a')).status).toBe(429);
  });

  it('garbles the healthy answers of the added providers in malformed mode', async () => {
    sandbox.setKnobs({
      finnhub: { mode: 'malformed' },
      polygon: { mode: 'malformed', malformedKind: 'truncated' },
    });
    const quote = record((await finnhub('quote', { symbol: 'AAPL' })).body);
    expect(Object.keys(quote)).toHaveLength(8);
    expect(typeof quote.c).toBe('string');
    const res = await fetch(`${sandbox.baseUrls.polygon}/v2/aggs/ticker/AAPL/prev?apiKey=${KEY}`);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('reads SANDBOX_<PROVIDER>_MODE for the added providers', () => {
    expect(
      knobsFromEnv({
        SANDBOX_FINNHUB_MODE: 'down',
        SANDBOX_TWELVE_DATA_MODE: 'throttled',
        SANDBOX_POLYGON_MODE: 'premium',
      }),
    ).toEqual({
      finnhub: { mode: 'down' },
      'twelve-data': { mode: 'throttled' },
      polygon: { mode: 'premium' },
    });
  });
});

/** One adapter call against the sandbox: build the request, fetch, classify, transform. */
async function runAdapter<Query, Value>(
  endpoint: ProviderEndpoint<Query, Value>,
  query: Query,
  apiKey = KEY,
): Promise<ProviderResult<Value>> {
  const request = endpoint.buildRequest(query, { baseUrl: sandbox.baseUrls[providerOf(endpoint)], apiKey });
  const response = await fetch(request.url, { headers: { accept: 'application/json', ...request.headers } });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem = endpoint.classify({ status: response.status, headers: response.headers, body }, NOW);
  return problem ? { ok: false, failure: problem } : endpoint.transform(body, query);
}

function providerOf(endpoint: ProviderEndpoint<never, unknown>): 'finnhub' | 'twelve-data' | 'polygon' {
  const { provider } = endpoint;
  if (provider !== 'finnhub' && provider !== 'twelve-data' && provider !== 'polygon') {
    throw new Error(`not an endpoint of an added provider: ${provider}`);
  }
  return provider;
}

const history = { symbol: 'AAPL', from: '2025-09-15', to: '2025-09-19' };
const WEEK = ['2025-09-15', '2025-09-16', '2025-09-17', '2025-09-18', '2025-09-19'];

describe('the adapters against the sandbox', () => {
  it('read every quote endpoint into a valid quote of the shared market', async () => {
    const price = await avPrice('AAPL');
    for (const endpoint of [finnhubQuote, twelveDataQuote]) {
      const result = await runAdapter(endpoint, { symbol: 'AAPL' });
      expect(result.ok && QuoteSchema.safeParse(result.value).success, endpoint.provider).toBe(true);
      expect(result.ok && [result.value.price, result.value.tradingDay]).toEqual([price, '2025-09-23']);
    }
    const prev = await runAdapter(polygonPreviousClose, { symbol: 'AAPL' });
    expect(prev.ok && QuoteSchema.safeParse(prev.value).success).toBe(true);
    expect(prev.ok && prev.value.tradingDay).toBe('2025-09-22');
    const batch = await runAdapter(twelveDataBatchQuote, { symbols: ['AAPL', 'MSFT', 'ZZZQ'] });
    expect(batch.ok && Object.keys(batch.value.found)).toEqual(['AAPL', 'MSFT']);
    expect(batch.ok && batch.value.unknown).toEqual(['ZZZQ']);
    expect(batch.ok && batch.value.found.AAPL?.price).toBe(price);
  });

  it('read every daily history endpoint into the same ascending bars', async () => {
    const series = [];
    for (const endpoint of [finnhubCandles, twelveDataTimeSeries, polygonDailyBars]) {
      const result = await runAdapter(endpoint, history);
      expect(result.ok && DailySeriesSchema.safeParse(result.value).success, endpoint.provider).toBe(true);
      if (result.ok) series.push(result.value.bars.map((bar) => [bar.date, bar.close]));
    }
    expect(series[0]?.map(([date]) => date)).toEqual(WEEK);
    expect(series[1]).toEqual(series[0]);
    expect(series[2]).toEqual(series[0]);
  });

  it('read every company, financials and search endpoint into valid model values', async () => {
    for (const endpoint of [finnhubProfile, twelveDataProfile, polygonTickerDetails]) {
      const result = await runAdapter(endpoint, { symbol: 'AAPL' });
      expect(result.ok && CompanyProfileSchema.safeParse(result.value).success, endpoint.provider).toBe(true);
      expect(result.ok && result.value.name).toBe('Apple Inc.');
    }
    const finnhubCap = await runAdapter(finnhubProfile, { symbol: 'AAPL' });
    const polygonCap = await runAdapter(polygonTickerDetails, { symbol: 'AAPL' });
    expect(finnhubCap.ok && finnhubCap.value.marketCapitalization).toBe(
      polygonCap.ok && polygonCap.value.marketCapitalization,
    );

    const income = await runAdapter(twelveDataIncomeStatement, {
      symbol: 'AAPL',
      statement: 'income',
      period: 'annual',
    });
    expect(income.ok && FinancialStatementsSchema.safeParse(income.value).success).toBe(true);
    expect(income.ok && income.value.reports.map((r) => r.fiscalDateEnding)).toEqual(
      ['2024', '2023', '2022', '2021', '2020'].map((y) => `${y}-12-31`),
    );

    const searches = [finnhubSearch, twelveDataSearch, polygonSearch];
    for (const endpoint of searches) {
      const result = await runAdapter(endpoint, { query: 'AAPL' });
      expect(result.ok && SearchResultSchema.safeParse(result.value).success, endpoint.provider).toBe(true);
      expect(result.ok && result.value.matches[0]?.symbol, endpoint.provider).toBe('AAPL');
    }
    const twelveDataHits = await runAdapter(twelveDataSearch, { query: 'AAPL' });
    expect(twelveDataHits.ok && twelveDataHits.value.matches.map((m) => [m.symbol, m.currency])).toEqual([
      ['AAPL', 'USD'],
      ['AAPL.L', 'GBX'],
      ['AAPL.DE', 'EUR'],
    ]);
  });

  const kindOf = (result: ProviderResult<unknown>): FailureKind | 'ok' =>
    result.ok ? 'ok' : result.failure.kind;

  it('report unknown symbols as unknown_symbol', async () => {
    sandbox.setKnobs({
      finnhub: { unknownSymbols: ['GONE'] },
      'twelve-data': { unknownSymbols: ['GONE'] },
      polygon: { unknownSymbols: ['GONE'] },
    });
    const symbol = { symbol: 'GONE' };
    const range = { ...history, symbol: 'GONE' };
    const results = [
      await runAdapter(finnhubQuote, symbol),
      await runAdapter(finnhubProfile, symbol),
      await runAdapter(finnhubCandles, range),
      await runAdapter(twelveDataQuote, symbol),
      await runAdapter(twelveDataTimeSeries, range),
      await runAdapter(twelveDataProfile, symbol),
      await runAdapter(twelveDataIncomeStatement, { symbol: 'GONE', statement: 'income', period: 'annual' }),
      await runAdapter(polygonPreviousClose, symbol),
      await runAdapter(polygonDailyBars, range),
      await runAdapter(polygonTickerDetails, symbol),
    ];
    expect(results.map(kindOf)).toEqual(Array(results.length).fill('unknown_symbol'));
    expect(await runAdapter(twelveDataBatchQuote, { symbols: ['GONE'] })).toEqual({
      ok: true,
      value: { found: {}, unknown: ['GONE'] },
    });
  });

  it.each([
    ['invalid-key', 'invalid_key'],
    ['throttled', 'throttled'],
    ['daily-limit', 'quota_exhausted'],
    ['premium', 'plan_restricted'],
    ['malformed', 'bad_data'],
    ['down', 'upstream_error'],
  ] as const)('report mode %s as %s', async (mode, kind) => {
    sandbox.setKnobs({ finnhub: { mode }, 'twelve-data': { mode }, polygon: { mode } });
    const results = {
      finnhub: kindOf(await runAdapter(finnhubQuote, { symbol: 'AAPL' })),
      'twelve-data': kindOf(await runAdapter(twelveDataQuote, { symbol: 'AAPL' })),
      'twelve-data batch': kindOf(await runAdapter(twelveDataBatchQuote, { symbols: ['AAPL', 'MSFT'] })),
      polygon: kindOf(await runAdapter(polygonPreviousClose, { symbol: 'AAPL' })),
    };
    // Finnhub and Polygon have no daily quota: their one limit answer is a throttle.
    const limit = mode === 'daily-limit' ? 'throttled' : kind;
    expect(results).toEqual({
      finnhub: limit,
      'twelve-data': kind,
      'twelve-data batch': kind,
      polygon: limit,
    });
  });

  it('report a key the sandbox rejects, and a spent per-minute allowance, per key', async () => {
    sandbox.setKnobs({ polygon: { invalidKeys: ['revoked'], throttleAfter: 1 } });
    expect(kindOf(await runAdapter(polygonTickerDetails, { symbol: 'AAPL' }, 'revoked'))).toBe('invalid_key');
    expect(kindOf(await runAdapter(polygonTickerDetails, { symbol: 'AAPL' }, 'k1'))).toBe('ok');
    const throttled = await runAdapter(polygonTickerDetails, { symbol: 'AAPL' }, 'k1');
    expect(throttled.ok || throttled.failure).toEqual({
      kind: 'throttled',
      detail: 'Polygon per-minute limit (ERROR, HTTP 429)',
      retryAfterSeconds: 60,
    });
  });
});
