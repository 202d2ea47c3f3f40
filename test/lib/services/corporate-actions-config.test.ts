import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../../lib/config.js';
import { dataSources } from '../../../lib/services/data-sources.js';

const TABLE = { DATA_TABLE_NAME: 'config-test' };
const PAID = {
  ALPHA_VANTAGE_PLAN: 'paid',
  FMP_PLAN: 'paid',
  FINNHUB_PLAN: 'paid',
  TWELVE_DATA_PLAN: 'paid',
  POLYGON_PLAN: 'paid',
};

describe('the corporate_actions data type’s configuration', () => {
  it('defaults to FMP, Alpha Vantage, Polygon, Twelve Data, Finnhub, fresh a day, stale a month', () => {
    const config = loadConfig(TABLE);
    expect(config.providerOrder.corporate_actions).toEqual([
      'fmp',
      'alpha-vantage',
      'polygon',
      'twelve-data',
      'finnhub',
    ]);
    expect(config.cachePolicy.corporate_actions).toEqual({
      freshSeconds: 86_400,
      maxStaleSeconds: 2_592_000,
    });
    expect(config.staleWhileRevalidateSeconds.corporate_actions).toBe(86_400);
  });

  it('reads its order and cache lifetimes from the environment', () => {
    const config = loadConfig({
      ...TABLE,
      PROVIDER_ORDER_CORPORATE_ACTIONS: 'alpha-vantage,polygon',
      CACHE_TTL_CORPORATE_ACTIONS_SECONDS: '3600',
      CACHE_MAX_STALE_CORPORATE_ACTIONS_SECONDS: '7200',
      CACHE_SWR_CORPORATE_ACTIONS_SECONDS: '0',
    });
    expect(config.providerOrder.corporate_actions).toEqual(['alpha-vantage', 'polygon']);
    expect(config.cachePolicy.corporate_actions).toEqual({ freshSeconds: 3600, maxStaleSeconds: 7200 });
    expect(config.staleWhileRevalidateSeconds.corporate_actions).toBe(0);
  });

  it('refuses an order naming no provider it knows', () => {
    expect(() => loadConfig({ ...TABLE, PROVIDER_ORDER_CORPORATE_ACTIONS: 'yahoo' })).toThrow(
      ConfigurationError,
    );
  });
});

describe('the corporate_actions data source', () => {
  it('on free plans asks the three whose free plans serve corporate actions, in the configured order', () => {
    const sources = dataSources(loadConfig(TABLE));
    expect(sources.corporate_actions.endpoints.map((endpoint) => endpoint.provider)).toEqual([
      'fmp',
      'alpha-vantage',
      'polygon',
    ]);
  });

  it('on paid plans asks all five', () => {
    const sources = dataSources(loadConfig({ ...TABLE, ...PAID }));
    expect(sources.corporate_actions.endpoints.map((endpoint) => endpoint.provider)).toEqual([
      'fmp',
      'alpha-vantage',
      'polygon',
      'twelve-data',
      'finnhub',
    ]);
  });

  it('scores with the corporate-actions checks, each list’s under its own ids', () => {
    const sources = dataSources(loadConfig(TABLE));
    const report = sources.corporate_actions.score(
      {
        symbol: 'NVDA',
        splits: [{ exDate: '2024-06-10', ratio: 1 }],
        dividends: [{ exDate: '2024-06-11', amount: 0.01, currency: 'USD', payDate: '2024-06-28' }],
      },
      new Date('2026-12-07T00:00:00Z'),
    );
    expect(report.checks.find((c) => c.id === 'split_ratio_not_one')?.passed).toBe(false);
    expect(report.checks.find((c) => c.id === 'dividend_dates_unique')?.passed).toBe(true);
    expect(report.score).toBeLessThan(1);
  });
});
