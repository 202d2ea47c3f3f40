import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { fmp } from '../../../../infra/local/sandbox/fmp.js';
import { MarketView } from '../../../../infra/local/sandbox/price-bases.js';
import { serializeBody } from '../../../../infra/local/sandbox/provider.js';
import { CompanyProfileSchema } from '../../../../lib/model/company-profile.js';
import { DailySeriesSchema } from '../../../../lib/model/daily-bars.js';
import { type CashFlow, FinancialStatementsSchema } from '../../../../lib/model/financial-statements.js';
import { QuoteSchema } from '../../../../lib/model/quote.js';
import { SearchResultSchema } from '../../../../lib/model/search-result.js';
import { fmpBatchQuote } from '../../../../lib/providers/fmp/batch-quote.js';
import { fmpHistoricalPrices } from '../../../../lib/providers/fmp/historical-prices.js';
import { fmpProfile } from '../../../../lib/providers/fmp/profile.js';
import { fmpSearch } from '../../../../lib/providers/fmp/search.js';
import { fmpStatements } from '../../../../lib/providers/fmp/statements.js';
import type { ProviderEndpoint, ProviderResult } from '../../../../lib/providers/provider.js';

/** Tuesday 2025-09-23, 18:00 UTC: the sandbox's latest trading day is that day. */
const NOW = new Date('2025-09-23T18:00:00Z');
const BASE_URL = 'http://sandbox.local/fmp';

/**
 * One call through an endpoint's three steps against the local sandbox's FMP module, answered in process
 * and serialized as the sandbox server sends it, so the end-to-end runs parse what these do.
 */
function viaSandbox<Query, Value>(
  endpoint: ProviderEndpoint<Query, Value>,
  query: Query,
): ProviderResult<Value> {
  const { url } = endpoint.buildRequest(query, { baseUrl: BASE_URL, apiKey: 'sandbox-key' });
  const answer = fmp.handle(
    { path: url.pathname.replace('/fmp', ''), query: url.searchParams, headers: {} },
    // The paid plan: these read every answer form, the premium ones included (free refusals: market-sandbox tests).
    { now: NOW, isKnown: (symbol) => !symbol.startsWith('ZZZ'), plan: 'paid', market: new MarketView(NOW) },
  );
  const body: unknown = answer.kind === 'json' ? JSON.parse(serializeBody(answer)) : serializeBody(answer);
  const problem = endpoint.classify({ status: answer.status, headers: new Headers(), body }, NOW);
  return problem ? { ok: false, failure: problem } : endpoint.transform(body, query);
}

describe('FMP endpoints against the local sandbox', () => {
  it('read the daily history in the asked range, ascending', () => {
    const result = viaSandbox(fmpHistoricalPrices, { symbol: 'AAPL', from: '2025-09-01', to: '2025-09-23' });
    expect(result.ok && z.safeParse(DailySeriesSchema, result.value).success).toBe(true);
    const dates = result.ok ? result.value.bars.map((bar) => bar.date) : [];
    // 2025-09-01 was Labor Day: the exchange was closed.
    expect([dates.length, dates[0], dates.at(-1)]).toEqual([16, '2025-09-02', '2025-09-23']);
    expect(dates).toEqual([...dates].sort());
  });

  it.each(['income', 'balance', 'cash'] as const)('read the %s statements, newest first', (statement) => {
    for (const period of ['annual', 'quarterly'] as const) {
      const result = viaSandbox(fmpStatements, { symbol: 'MSFT', statement, period });
      expect(result.ok && z.safeParse(FinancialStatementsSchema, result.value).success, period).toBe(true);
      const dates = result.ok ? result.value.reports.map((report) => report.fiscalDateEnding) : [];
      expect(dates.length).toBe(5);
      expect(dates).toEqual([...dates].sort().reverse());
    }
  });

  it('read quarterly statements as quarters', () => {
    const annual = viaSandbox(fmpStatements, { symbol: 'MSFT', statement: 'income', period: 'annual' });
    const quarterly = viaSandbox(fmpStatements, { symbol: 'MSFT', statement: 'income', period: 'quarterly' });
    const first = (result: typeof annual) =>
      result.ok ? result.value.reports[0]?.fiscalDateEnding : undefined;
    expect(first(quarterly)).not.toBe(first(annual));
  });

  it('read capital expenditure and free cash flow as FMP sends them', () => {
    const result = viaSandbox(fmpStatements, { symbol: 'MSFT', statement: 'cash', period: 'annual' });
    for (const report of result.ok ? result.value.reports : []) {
      const { capitalExpenditures, operatingCashflow, freeCashFlow } = report as CashFlow;
      expect(capitalExpenditures).toBeLessThan(0);
      expect(freeCashFlow).toBeCloseTo((operatingCashflow ?? 0) + (capitalExpenditures ?? 0), 0);
    }
  });

  it('read the stable profile into a valid company profile', () => {
    const result = viaSandbox(fmpProfile, { symbol: 'AAPL' });
    expect(result.ok && z.safeParse(CompanyProfileSchema, result.value).success).toBe(true);
    expect(result.ok && [result.value.symbol, result.value.name, result.value.currency]).toEqual([
      'AAPL',
      'Apple Inc.',
      'USD',
    ]);
    expect(result.ok && result.value.marketCapitalization).toBeGreaterThan(0);
  });

  it('read the symbol search into valid matches', () => {
    const result = viaSandbox(fmpSearch, { query: 'AAPL' });
    expect(result.ok && z.safeParse(SearchResultSchema, result.value).success).toBe(true);
    expect(result.ok && result.value.matches.map((match) => match.symbol)).toEqual([
      'AAPL',
      'AAPL.LON',
      'AAPL.DEX',
    ]);
  });

  it('read a batch of quotes, with the symbols FMP does not know as unknown', () => {
    const result = viaSandbox(fmpBatchQuote, { symbols: ['AAPL', 'BRK.B', 'ZZZQ'] });
    expect(result.ok && Object.keys(result.value.found)).toEqual(['AAPL', 'BRK.B']);
    expect(result.ok && result.value.unknown).toEqual(['ZZZQ']);
    for (const quote of Object.values(result.ok ? result.value.found : {})) {
      expect(z.safeParse(QuoteSchema, quote).success).toBe(true);
    }
  });

  it('read each unknown-symbol answer as an unknown symbol', () => {
    const unknown = [
      viaSandbox(fmpHistoricalPrices, { symbol: 'ZZZQ', from: '2025-09-01', to: '2025-09-23' }),
      viaSandbox(fmpProfile, { symbol: 'ZZZQ' }),
      viaSandbox(fmpStatements, { symbol: 'ZZZQ', statement: 'balance', period: 'annual' }),
    ];
    expect(unknown.map((result) => result.ok || result.failure.kind)).toEqual([
      'unknown_symbol',
      'unknown_symbol',
      'unknown_symbol',
    ]);
  });

  it('read the sandbox’s fault answers by meaning', () => {
    const kinds = (['invalid-key', 'daily-limit', 'premium'] as const).map((fault) => {
      const answer = fmp.fault(fault, { path: '/stable/profile', query: new URLSearchParams(), headers: {} });
      const body: unknown =
        answer.kind === 'json' ? JSON.parse(serializeBody(answer)) : serializeBody(answer);
      return fmpProfile.classify({ status: answer.status, headers: new Headers(), body }, NOW)?.kind;
    });
    expect(kinds).toEqual(['invalid_key', 'quota_exhausted', 'plan_restricted']);
  });
});
