import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isoDay,
  latestTradingDay,
  parseIsoDay,
  tradingDaysBetween,
} from '../../infra/local/sandbox/calendar.js';
import { corporateActionsFor, findSymbolWithSplit } from '../../infra/local/sandbox/corporate-actions.js';
import { FINNHUB_MESSAGES } from '../../infra/local/sandbox/finnhub.js';
import { SANDBOX_PROVIDER_IDS } from '../../infra/local/sandbox/knobs.js';
import { SymbolPrices } from '../../infra/local/sandbox/price-bases.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import type { CorporateActions, CorporateActionsQuery } from '../../lib/model/corporate-actions.js';
import { alphaVantageCorporateActions } from '../../lib/providers/alpha-vantage/corporate-actions.js';
import { finnhubCorporateActions } from '../../lib/providers/finnhub/corporate-actions.js';
import { fmpCorporateActions } from '../../lib/providers/fmp/corporate-actions.js';
import { polygonCorporateActions } from '../../lib/providers/polygon/corporate-actions.js';
import type { ProviderEndpoint } from '../../lib/providers/provider.js';
import { twelveDataCorporateActions } from '../../lib/providers/twelve-data/corporate-actions.js';

/**
 * The sandbox's providers on the wire: each one's daily bars on its documented basis, quotes as traded,
 * corporate actions in each provider's shape (read back through the layer's own adapters), the free
 * plans' refusals, and the `corporateActions` and `priceBias` knobs. The clock is fixed, so the symbol
 * with a split just before it is the same on any date the suite runs.
 */

/** Tuesday 2025-09-23, 18:00 UTC: the latest trading day is that day. */
const NOW = new Date('2025-09-23T18:00:00Z');
const TODAY = latestTradingDay(NOW);
const KEY = 'wire-key';
/** A 10-for-1 split within the latest 100 sessions (Alpha Vantage's compact series), with dividends. */
const { symbol: SYMBOL, split: SPLIT } = findSymbolWithSplit({
  ratio: 10,
  within: { from: isoDay(TODAY - 120), to: isoDay(TODAY - 10) },
});
const EX_DAY = parseIsoDay(SPLIT.exDate) ?? 0;
const FROM = isoDay(EX_DAY - 12);
const TO = isoDay(EX_DAY + 12);
/** The sessions of FROM..TO, oldest first. */
const DAYS = tradingDaysBetween(EX_DAY - 12, EX_DAY + 12).reverse();
const truth = new SymbolPrices(SYMBOL);
const RAW = truth.bars(DAYS, 'raw', TODAY).map((b) => b.close);
const SPLIT_ADJUSTED = truth.bars(DAYS, 'splits', TODAY).map((b) => b.close);
const TOTAL_RETURN = truth.totalReturnCloses(DAYS, TODAY);

let sandbox: MarketSandbox;
beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => NOW });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.resetKnobs();
  sandbox.resetStats();
});

/**
 * Every provider on its paid plan, for tests of what the plans serve alike: candles, `full` series and
 * paid corporate actions, and more calls a minute than a free key gets.
 */
function paid(): void {
  sandbox.setKnobs(Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, { plan: 'paid' }])));
}

async function getJson(provider: string, path: string, params: Record<string, string>): Promise<unknown> {
  const res = await fetch(`${sandbox.url}/${provider}${path}?${new URLSearchParams(params)}`);
  expect(res.status).toBe(200);
  return res.json();
}

type Row = Record<string, unknown>;
const rows = (value: unknown): Row[] => value as Row[];
const at = (row: Row, key: string): unknown => row[key];
const epochSeconds = (day: number): string => String(day * 86_400);

/** Closes of each provider's default daily answer for FROM..TO, oldest first, as numbers. */
const DAILY: Record<string, (extra?: Record<string, string>) => Promise<number[]>> = {
  async 'alpha-vantage'() {
    const body = (await getJson('alpha-vantage', '/query', {
      function: 'TIME_SERIES_DAILY',
      symbol: SYMBOL,
      outputsize: 'full',
      apikey: KEY,
    })) as { 'Time Series (Daily)': Record<string, Row> };
    return DAYS.map((d) => Number(at(body['Time Series (Daily)'][isoDay(d)] ?? {}, '4. close')));
  },
  async fmp(extra = {}) {
    const path = extra.path ?? '/stable/historical-price-eod/full';
    const body = rows(await getJson('fmp', path, { symbol: SYMBOL, from: FROM, to: TO, apikey: KEY }));
    const key = path.endsWith('non-split-adjusted') ? 'adjClose' : 'close';
    return body.map((row) => Number(at(row, key))).reverse();
  },
  async finnhub(extra = {}) {
    const body = (await getJson('finnhub', '/api/v1/stock/candle', {
      symbol: SYMBOL,
      resolution: 'D',
      from: epochSeconds(EX_DAY - 12),
      to: epochSeconds(EX_DAY + 12),
      token: KEY,
      ...extra,
    })) as { c: number[] };
    return body.c;
  },
  async 'twelve-data'(extra = {}) {
    const body = (await getJson('twelve-data', '/time_series', {
      symbol: SYMBOL,
      interval: '1day',
      start_date: FROM,
      end_date: TO,
      order: 'asc',
      apikey: KEY,
      ...extra,
    })) as { values: Row[] };
    return body.values.map((row) => Number(at(row, 'close')));
  },
  async polygon(extra = {}) {
    const body = (await getJson('polygon', `/v2/aggs/ticker/${SYMBOL}/range/1/day/${FROM}/${TO}`, {
      apiKey: KEY,
      ...extra,
    })) as { results: Row[]; adjusted: boolean };
    expect(body.adjusted).toBe(extra.adjusted !== 'false');
    return body.results.map((row) => Number(at(row, 'c')));
  },
};

describe("each provider's daily bars on its documented basis", () => {
  it('the truth: as traded the split is a tenfold drop, split-adjusted it is a normal day', () => {
    const i = DAYS.indexOf(EX_DAY);
    expect((RAW[i - 1] ?? 0) / (RAW[i] ?? 1)).toBeGreaterThan(8);
    expect((SPLIT_ADJUSTED[i - 1] ?? 0) / (SPLIT_ADJUSTED[i] ?? 1)).toBeLessThan(1.15);
    expect((SPLIT_ADJUSTED[i - 1] ?? 0) / (SPLIT_ADJUSTED[i] ?? 1)).toBeGreaterThan(0.87);
  });

  it.each([
    ['alpha-vantage', {}, RAW],
    ['finnhub', {}, RAW],
    ['finnhub', { adjusted: 'true' }, SPLIT_ADJUSTED],
    ['fmp', {}, SPLIT_ADJUSTED],
    ['fmp', { path: '/stable/historical-price-eod/non-split-adjusted' }, RAW],
    ['twelve-data', {}, SPLIT_ADJUSTED],
    ['twelve-data', { adjust: 'none' }, RAW],
    ['twelve-data', { adjust: 'all' }, TOTAL_RETURN],
    ['polygon', {}, SPLIT_ADJUSTED],
    ['polygon', { adjusted: 'false' }, RAW],
  ] as const)('%s %j', async (provider, extra, expected) => {
    paid();
    const closes = await DAILY[provider]?.({ ...extra });
    expect(closes).toHaveLength(DAYS.length);
    for (const [i, close] of (closes ?? []).entries()) expect(close).toBeCloseTo(expected[i] ?? 0, 4);
  });
});

describe('quotes', () => {
  it('are as traded on every provider, after the split in the new shares', async () => {
    paid();
    const close = truth.traded(TODAY).close;
    const av = (await getJson('alpha-vantage', '/query', {
      function: 'GLOBAL_QUOTE',
      symbol: SYMBOL,
      apikey: KEY,
    })) as {
      'Global Quote': Row;
    };
    expect(Number(at(av['Global Quote'], '05. price'))).toBe(close);
    expect(
      at(rows(await getJson('fmp', '/stable/quote', { symbol: SYMBOL, apikey: KEY }))[0] ?? {}, 'price'),
    ).toBe(close);
    expect(at((await getJson('finnhub', '/api/v1/quote', { symbol: SYMBOL, token: KEY })) as Row, 'c')).toBe(
      close,
    );
    expect(
      Number(at((await getJson('twelve-data', '/quote', { symbol: SYMBOL, apikey: KEY })) as Row, 'close')),
    ).toBe(close);
  });

  it("are in the day's shares on Alpha Vantage's OVERVIEW too: per-share figures after the split", async () => {
    paid();
    const close = truth.traded(TODAY).close;
    const overview = (await getJson('alpha-vantage', '/query', {
      function: 'OVERVIEW',
      symbol: SYMBOL,
      apikey: KEY,
    })) as Row;
    const shares = Number(at(overview, 'SharesOutstanding'));
    expect(shares * close).toBeCloseTo(Number(at(overview, 'MarketCapitalization')), -3);
    // The year's high and the averages restated in today's shares, near today's price, not ten times it.
    for (const key of ['52WeekHigh', '50DayMovingAverage']) {
      expect(Number(at(overview, key)) / close).toBeLessThan(2);
    }
  });
});

/** The layer's adapters, which read each provider's corporate-actions answers. */
const ADAPTERS: Record<string, ProviderEndpoint<CorporateActionsQuery, CorporateActions>> = {
  'alpha-vantage': alphaVantageCorporateActions,
  fmp: fmpCorporateActions,
  finnhub: finnhubCorporateActions,
  'twelve-data': twelveDataCorporateActions,
  polygon: polygonCorporateActions,
};

/** One kind of actions from one provider, read by the layer's adapter: the model, or the failure. */
async function actionsVia(provider: string, symbol: string, kind: CorporateActionsQuery['kind']) {
  const endpoint = ADAPTERS[provider];
  if (endpoint === undefined) throw new Error(provider);
  const query = { symbol, kind };
  const { url, headers } = endpoint.buildRequest(query, {
    baseUrl: `${sandbox.url}/${provider}`,
    apiKey: KEY,
  });
  const res = await fetch(url, { headers });
  const text = await res.text();
  const body: unknown = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  const failure = endpoint.classify({ status: res.status, headers: res.headers, body }, NOW);
  return failure === null ? endpoint.transform(body, query) : { ok: false as const, failure };
}

/** The truth over what every provider lists: the sandbox's 20 years of history up to today. */
const trueActions = (symbol: string, reachDays = Math.round(20 * 365.25)) =>
  corporateActionsFor(symbol, { from: isoDay(TODAY - reachDays), to: isoDay(TODAY) }, NOW);

/** A symbol with neither splits nor dividends in the sandbox's history. */
const QUIET = ['QAA', 'QAB', 'QAC', 'QAD', 'QAE', 'QAF', 'QAG', 'QAH', 'QAI', 'QAJ'].find((s) => {
  const actions = trueActions(s);
  return actions.splits.length === 0 && actions.dividends.length === 0;
});

describe('corporate actions on the wire', () => {
  it.each(SANDBOX_PROVIDER_IDS)(
    "%s's answers read back through the layer's adapter as the sandbox's truth",
    async (provider) => {
      paid();
      const expected = trueActions(SYMBOL);
      expect(expected.splits).toContainEqual(SPLIT);
      expect(expected.dividends.length).toBeGreaterThan(20);
      const splits = await actionsVia(provider, SYMBOL, 'splits');
      const dividends = await actionsVia(provider, SYMBOL, 'dividends');
      expect(splits).toMatchObject({ ok: true, value: { splits: expected.splits } });
      // Twelve Data lists no pay date.
      const listed = expected.dividends.map((d) =>
        provider === 'twelve-data' ? { ...d, payDate: null } : d,
      );
      expect(dividends).toMatchObject({ ok: true, value: { dividends: listed } });
    },
  );

  it('answer a symbol without actions with an empty list, and an unknown one as each provider does', async () => {
    paid();
    expect(QUIET).toBeDefined();
    const quiet = QUIET ?? '';
    for (const provider of SANDBOX_PROVIDER_IDS) {
      for (const kind of ['splits', 'dividends'] as const) {
        const answer = await actionsVia(provider, quiet, kind);
        expect(answer, `${provider} ${kind}`).toMatchObject({
          ok: true,
          value: { splits: [], dividends: [] },
        });
      }
    }
    expect(
      await getJson('alpha-vantage', '/query', { function: 'SPLITS', symbol: 'ZZZUNKNOWN', apikey: KEY }),
    ).toEqual({});
    expect(await getJson('fmp', '/stable/dividends', { symbol: 'ZZZUNKNOWN', apikey: KEY })).toEqual([]);
    expect(await getJson('finnhub', '/api/v1/stock/split', { symbol: 'ZZZUNKNOWN', token: KEY })).toEqual([]);
    expect(
      await getJson('polygon', '/stocks/v1/splits', { ticker: 'ZZZUNKNOWN', apiKey: KEY }),
    ).toMatchObject({
      status: 'OK',
      results: [],
    });
    expect(await getJson('twelve-data', '/splits', { symbol: 'ZZZUNKNOWN', apikey: KEY })).toMatchObject({
      code: 400,
      status: 'error',
    });
    const unknown = await actionsVia('twelve-data', 'ZZZUNKNOWN', 'splits');
    expect(unknown).toMatchObject({ ok: false, failure: { kind: 'unknown_symbol' } });
  });

  it("write splits in each provider's own terms (a 1-for-10 as 10 → 1)", async () => {
    paid();
    sandbox.setKnobs({ corporateActions: { [SYMBOL]: { splits: [{ exDate: '2025-09-22', ratio: 0.1 }] } } });
    const fmp = rows(await getJson('fmp', '/stable/splits', { symbol: SYMBOL, apikey: KEY }));
    expect(fmp[0]).toEqual({ symbol: SYMBOL, date: '2025-09-22', numerator: 1, denominator: 10 });
    const av = (await getJson('alpha-vantage', '/query', {
      function: 'SPLITS',
      symbol: SYMBOL,
      apikey: KEY,
    })) as {
      data: Row[];
    };
    expect(av.data[0]).toEqual({ effective_date: '2025-09-22', split_factor: '0.1000' });
    const polygon = (await getJson('polygon', '/stocks/v1/splits', { ticker: SYMBOL, apiKey: KEY })) as {
      results: Row[];
    };
    expect(polygon.results[0]).toMatchObject({
      split_from: 10,
      split_to: 1,
      adjustment_type: 'reverse_split',
    });
    expect(polygon.results[1]).toMatchObject({ execution_date: SPLIT.exDate, split_from: 1, split_to: 10 });
  });
});

describe("the free plans' corporate actions", () => {
  it('are refused by Finnhub (403) and Twelve Data (its 403 body), in their own words', async () => {
    for (const path of ['/api/v1/stock/split', '/api/v1/stock/dividend']) {
      const res = await fetch(`${sandbox.baseUrls.finnhub}${path}?symbol=${SYMBOL}&token=${KEY}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: FINNHUB_MESSAGES.noAccess });
    }
    for (const path of ['/splits', '/dividends']) {
      expect(await getJson('twelve-data', path, { symbol: SYMBOL, apikey: KEY })).toEqual({
        code: 403,
        message: `${path} is available exclusively with grow or pro or ultra or venture or enterprise plans. Consider upgrading your API Key now at https://twelvedata.com/pricing`,
        status: 'error',
      });
    }
    expect(sandbox.stats().planRefusals).toMatchObject({
      finnhub: { 'stock/split': 1, 'stock/dividend': 1 },
      'twelve-data': { splits: 1, dividends: 1 },
    });
  });

  it('are served by Alpha Vantage, FMP and Polygon; Polygon reaches two years back', async () => {
    const expected = trueActions(SYMBOL);
    for (const provider of ['alpha-vantage', 'fmp'] as const) {
      expect(await actionsVia(provider, SYMBOL, 'dividends')).toMatchObject({
        ok: true,
        value: { dividends: expected.dividends.map(({ exDate, amount }) => ({ exDate, amount })) },
      });
    }
    const twoYears = trueActions(SYMBOL, 2 * 365);
    expect(twoYears.dividends.length).toBeLessThan(expected.dividends.length);
    expect(await actionsVia('polygon', SYMBOL, 'dividends')).toMatchObject({
      ok: true,
      value: { dividends: twoYears.dividends },
    });
    expect(sandbox.stats().planRefusals).toEqual({
      'alpha-vantage': {},
      fmp: {},
      finnhub: {},
      'twelve-data': {},
      polygon: {},
    });
  });
});

describe('the corporateActions knob', () => {
  it('adds a split to every provider: the endpoints list it and the bars follow it from its ex-date', async () => {
    paid();
    const exDate = isoDay(DAYS[DAYS.length - 3] ?? 0);
    sandbox.setKnobs({ corporateActions: { [SYMBOL.toLowerCase()]: { splits: [{ exDate, ratio: 2 }] } } });
    expect(sandbox.knobs().corporateActions).toEqual({ [SYMBOL]: { splits: [{ exDate, ratio: 2 }] } });
    expect(await actionsVia('fmp', SYMBOL, 'splits')).toMatchObject({
      ok: true,
      value: { splits: [...trueActions(SYMBOL).splits, { exDate, ratio: 2 }] },
    });
    const raw = await DAILY['alpha-vantage']?.();
    const adjusted = await DAILY.fmp?.();
    const n = DAYS.length;
    // As traded: halved from the ex-date on. Split-adjusted: everything before the ex-date halved.
    for (const [i, close] of (raw ?? []).entries()) {
      const before = RAW[i] ?? 0;
      expect(close).toBeCloseTo(i >= n - 3 ? before / 2 : before, 1);
    }
    for (const [i, close] of (adjusted ?? []).entries()) {
      // Restated in today's shares, of which there are now twice as many.
      const before = SPLIT_ADJUSTED[i] ?? 0;
      expect(close).toBeCloseTo(before / 2, 1);
    }
    sandbox.resetKnobs();
    paid();
    expect(await DAILY['alpha-vantage']?.()).toEqual(RAW);
  });

  it('adds a dividend, and refuses actions that are not valid', () => {
    sandbox.setKnobs({
      corporateActions: { [SYMBOL]: { dividends: [{ exDate: '2025-09-10', amount: 1.25 }] } },
    });
    expect(sandbox.knobs().corporateActions[SYMBOL]?.dividends).toEqual([
      { exDate: '2025-09-10', amount: 1.25 },
    ]);
    for (const bad of [
      { [SYMBOL]: { splits: [{ exDate: '2025-13-01', ratio: 2 }] } },
      { [SYMBOL]: { splits: [{ exDate: '2025-09-10', ratio: 0 }] } },
      { [SYMBOL]: { dividends: [{ exDate: '2025-09-10', amount: -1 }] } },
      { [SYMBOL]: { dividends: [{ exDate: '2025-09-10', amount: 1, currency: 'usd' }] } },
      { [SYMBOL]: { mergers: [] } },
      { 'NOT A SYMBOL': {} },
    ]) {
      expect(() => sandbox.setKnobs({ corporateActions: bad } as never), JSON.stringify(bad)).toThrow(
        TypeError,
      );
    }
  });
});

describe('the priceBias knob', () => {
  it("multiplies one provider's prices, bars and quotes, and no other's", async () => {
    paid();
    sandbox.setKnobs({ priceBias: { fmp: 0.05 } });
    const quote = async (provider: 'fmp' | 'finnhub') =>
      provider === 'fmp'
        ? (at(
            rows(await getJson('fmp', '/stable/quote', { symbol: SYMBOL, apikey: KEY }))[0] ?? {},
            'price',
          ) as number)
        : (at(
            (await getJson('finnhub', '/api/v1/quote', { symbol: SYMBOL, token: KEY })) as Row,
            'c',
          ) as number);
    const close = truth.traded(TODAY).close;
    expect(await quote('finnhub')).toBe(close);
    // Rounded to the cent: within half a cent of 5 % more.
    expect(Math.abs((await quote('fmp')) - close * 1.05)).toBeLessThanOrEqual(0.005 + 1e-9);
    const biased = await DAILY.fmp?.();
    for (const [i, c] of (biased ?? []).entries()) expect(c / (SPLIT_ADJUSTED[i] ?? 1)).toBeCloseTo(1.05, 2);
    expect(await DAILY.finnhub?.({ adjusted: 'true' })).toEqual(SPLIT_ADJUSTED);
    // The corporate actions stay the truth.
    expect(await actionsVia('fmp', SYMBOL, 'splits')).toMatchObject({
      value: { splits: trueActions(SYMBOL).splits },
    });
    sandbox.setKnobs({ priceBias: { fmp: 0 } });
    expect(await quote('fmp')).toBe(close);
  });

  it('refuses unknown providers and a bias of -100 % or less, over HTTP too', async () => {
    expect(() => sandbox.setKnobs({ priceBias: { yahoo: 0.1 } } as never)).toThrow(TypeError);
    expect(() => sandbox.setKnobs({ priceBias: { fmp: -1 } })).toThrow(TypeError);
    const res = await fetch(`${sandbox.url}/__sandbox/knobs`, {
      method: 'PUT',
      body: JSON.stringify({ priceBias: { fmp: 'high' } }),
    });
    expect(res.status).toBe(400);
    expect(sandbox.knobs().priceBias).toEqual({});
  });
});
