import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { alphaVantage } from '../../../../infra/local/sandbox/alpha-vantage.js';
import { MarketView } from '../../../../infra/local/sandbox/price-bases.js';
import { serializeBody } from '../../../../infra/local/sandbox/provider.js';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { type CashFlow, FinancialStatementsSchema } from '../../../../lib/model/financial-statements.js';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { alphaVantageGlobalQuoteWith } from '../../../../lib/providers/alpha-vantage/global-quote.js';
import { alphaVantageOverview } from '../../../../lib/providers/alpha-vantage/overview.js';
import { alphaVantageStatements } from '../../../../lib/providers/alpha-vantage/statements.js';
import { alphaVantageSymbolSearch } from '../../../../lib/providers/alpha-vantage/symbol-search.js';
import { alphaVantageDailySeries } from '../../../../lib/providers/alpha-vantage/time-series-daily.js';
import type { ProviderEndpoint, ProviderResult } from '../../../../lib/providers/provider.js';

/** Tuesday 2025-09-23, 18:00 UTC: the sandbox's latest trading day is that day. */
const NOW = new Date('2025-09-23T18:00:00Z');
const BASE_URL = 'http://sandbox.local/alpha-vantage';

/**
 * One call through an endpoint's three steps against the local sandbox's Alpha Vantage module, answered
 * in process and serialized as the sandbox server sends it, so the end-to-end runs parse what these do.
 */
function viaSandbox<Query, Value>(
  endpoint: ProviderEndpoint<Query, Value>,
  query: Query,
): ProviderResult<Value> {
  const { url } = endpoint.buildRequest(query, { baseUrl: BASE_URL, apiKey: 'sandbox-key' });
  const answer = alphaVantage.handle(
    { path: url.pathname.replace('/alpha-vantage', ''), query: url.searchParams, headers: {} },
    // The paid plan: these read every answer form, the premium ones included (free refusals: market-sandbox tests).
    { now: NOW, isKnown: (symbol) => !symbol.startsWith('ZZZ'), plan: 'paid', market: new MarketView(NOW) },
  );
  const body: unknown = answer.kind === 'json' ? JSON.parse(serializeBody(answer)) : serializeBody(answer);
  const problem = endpoint.classify({ status: answer.status, headers: new Headers(), body }, NOW);
  return problem ? { ok: false, failure: problem } : endpoint.transform(body, query);
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
});

/** The sandbox's raw answer to a GLOBAL_QUOTE request, as the wire carries it. */
function rawQuote(query: Record<string, string>): Record<string, unknown> {
  const answer = alphaVantage.handle(
    { path: '/query', query: new URLSearchParams({ function: 'GLOBAL_QUOTE', ...query }), headers: {} },
    // The paid plan: these read every answer form, the premium ones included (free refusals: market-sandbox tests).
    { now: NOW, isKnown: (symbol) => !symbol.startsWith('ZZZ'), plan: 'paid', market: new MarketView(NOW) },
  );
  return JSON.parse(serializeBody(answer)) as Record<string, unknown>;
}

describe('Alpha Vantage endpoints against the local sandbox', () => {
  it.each([
    [null, 'Global Quote'],
    ['delayed', 'Global Quote - DATA DELAYED BY 15 MINUTES'],
    ['realtime', 'Global Quote'],
  ] as const)(
    'answer GLOBAL_QUOTE with entitlement %s under the key Alpha Vantage uses',
    (entitlement, key) => {
      const query: Record<string, string> =
        entitlement === null ? { symbol: 'IBM' } : { symbol: 'IBM', entitlement };
      expect(Object.keys(rawQuote(query))).toEqual([key]);
      expect(Object.keys(rawQuote({ ...query, symbol: 'ZZZQ' }))).toEqual([key]);
    },
  );

  it.each(['delayed', 'realtime'] as const)('read the %s quote form into a valid quote', (entitlement) => {
    const endpoint = alphaVantageGlobalQuoteWith(entitlement);
    const result = viaSandbox(endpoint, { symbol: 'IBM' });
    expect(result.ok && z.safeParse(QuoteSchema, result.value).success).toBe(true);
    expect(result.ok && result.value).toMatchObject({ symbol: 'IBM', tradingDay: '2025-09-23' });
    expect(viaSandbox(endpoint, { symbol: 'ZZZQ' })).toMatchObject({
      ok: false,
      failure: { kind: 'unknown_symbol' },
    });
  });

  it('read a compact daily series in the asked range, ascending', () => {
    const result = viaSandbox(alphaVantageDailySeries, {
      symbol: 'IBM',
      from: '2025-09-01',
      to: '2025-09-23',
    });
    expect(result.ok && z.safeParse(DailySeriesSchema, result.value).success).toBe(true);
    const dates = result.ok ? result.value.bars.map((bar) => bar.date) : [];
    // 16 sessions from Tuesday Sept 2 to Tuesday Sept 23: Monday Sept 1 was Labor Day.
    expect([dates.length, dates[0], dates.at(-1)]).toEqual([16, '2025-09-02', '2025-09-23']);
    expect(dates).toEqual([...dates].sort());
  });

  it('read a full daily series for a range older than compact holds', () => {
    // The series fetch's ranges end today: this one starts far past compact's 100 trading days.
    const result = viaSandbox(alphaVantageDailySeries, {
      symbol: 'IBM',
      from: '2024-01-01',
      to: '2025-09-23',
    });
    const dates = result.ok ? result.value.bars.map((bar) => bar.date) : [];
    // 2024-01-01 is New Year's Day: the first session is the 2nd; 2025-09-23's session is open at 14:00 New York.
    expect([dates[0], dates.at(-1)]).toEqual(['2024-01-02', '2025-09-23']);
  });

  it('read the overview into a valid profile', () => {
    const result = viaSandbox(alphaVantageOverview, { symbol: 'IBM' });
    expect(result.ok && z.safeParse(CompanyProfileSchema, result.value).success).toBe(true);
    expect(result.ok && result.value.marketCapitalization).toBeGreaterThan(0);
  });

  it.each(['income', 'balance', 'cash'] as const)('read the %s statements, newest first', (statement) => {
    for (const period of ['annual', 'quarterly'] as const) {
      const result = viaSandbox(alphaVantageStatements, { symbol: 'MSFT', statement, period });
      expect(result.ok && z.safeParse(FinancialStatementsSchema, result.value).success, period).toBe(true);
      const dates = result.ok ? result.value.reports.map((report) => report.fiscalDateEnding) : [];
      expect(dates.length).toBe(period === 'annual' ? 5 : 20);
      expect(dates).toEqual([...dates].sort().reverse());
    }
  });

  it('read capital expenditure as an outflow and derive free cash flow', () => {
    const result = viaSandbox(alphaVantageStatements, {
      symbol: 'MSFT',
      statement: 'cash',
      period: 'annual',
    });
    for (const report of result.ok ? result.value.reports : []) {
      const { capitalExpenditures, operatingCashflow, freeCashFlow } = report as CashFlow;
      expect(capitalExpenditures).toBeLessThan(0);
      expect(freeCashFlow).toBe((operatingCashflow ?? 0) + (capitalExpenditures ?? 0));
    }
  });

  it('read the symbol search into valid matches', () => {
    const result = viaSandbox(alphaVantageSymbolSearch, { query: 'IBM' });
    expect(result.ok && z.safeParse(SearchResultSchema, result.value).success).toBe(true);
    expect(result.ok && result.value.matches[0]).toMatchObject({
      symbol: 'IBM',
      matchScore: 1,
      currency: 'USD',
    });
  });

  it('read each unknown-symbol answer as an unknown symbol', () => {
    const unknown = [
      viaSandbox(alphaVantageDailySeries, { symbol: 'ZZZQ', from: '2025-09-01', to: '2025-09-23' }),
      viaSandbox(alphaVantageOverview, { symbol: 'ZZZQ' }),
      viaSandbox(alphaVantageStatements, { symbol: 'ZZZQ', statement: 'income', period: 'annual' }),
    ];
    expect(unknown.map((result) => result.ok || result.failure.kind)).toEqual([
      'unknown_symbol',
      'unknown_symbol',
      'unknown_symbol',
    ]);
  });

  it('read the sandbox’s fault answers by meaning', () => {
    const kinds = (['invalid-key', 'throttled', 'daily-limit', 'premium'] as const).map((fault) => {
      const answer = alphaVantage.fault(fault, { path: '/query', query: new URLSearchParams(), headers: {} });
      const body: unknown = JSON.parse(serializeBody(answer));
      return alphaVantageOverview.classify({ status: answer.status, headers: new Headers(), body }, NOW)
        ?.kind;
    });
    expect(kinds).toEqual(['invalid_key', 'throttled', 'quota_exhausted', 'plan_restricted']);
  });
});
