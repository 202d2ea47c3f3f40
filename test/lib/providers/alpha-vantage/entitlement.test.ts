import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../../../lib/config.js';
import { dataSources } from '../../../../lib/services/data-sources.js';

const access = { baseUrl: 'http://127.0.0.1:9/alpha-vantage', apiKey: 'K1' };
const configWith = (entitlement?: string, plan = 'paid') =>
  loadConfig({
    DATA_TABLE_NAME: 'data',
    ALPHA_VANTAGE_PLAN: plan,
    ...(entitlement === undefined ? {} : { ALPHA_VANTAGE_ENTITLEMENT: entitlement }),
  });

/** The query of the first quote provider's request (Alpha Vantage in the default order). */
function quoteRequestQuery(entitlement?: string, plan?: string): Record<string, string> {
  const [first] = dataSources(configWith(entitlement, plan)).quote.endpoints;
  if (first?.provider !== 'alpha-vantage') throw new Error('Alpha Vantage is not the first quote provider');
  return Object.fromEntries(first.buildRequest({ symbol: 'IBM' }, access).url.searchParams);
}

describe('ALPHA_VANTAGE_ENTITLEMENT', () => {
  it('sends no entitlement by default, or with none: the default data every key may have', () => {
    expect(configWith().alphaVantageEntitlement).toBeNull();
    expect(quoteRequestQuery()).not.toHaveProperty('entitlement');
    expect(quoteRequestQuery('none')).not.toHaveProperty('entitlement');
  });

  it.each(['delayed', 'realtime'])('makes the quote source ask GLOBAL_QUOTE for %s data', (entitlement) => {
    expect(configWith(entitlement).alphaVantageEntitlement).toBe(entitlement);
    expect(quoteRequestQuery(entitlement)).toMatchObject({ function: 'GLOBAL_QUOTE', entitlement });
  });

  it('asks for no premium data on the free plan, whatever is set: a free key is refused it', () => {
    expect(quoteRequestQuery('realtime', 'free')).not.toHaveProperty('entitlement');
  });

  it('leaves Alpha Vantage’s other functions as they are', () => {
    const sources = dataSources(configWith('realtime'));
    const [daily] = sources.daily_history.endpoints;
    const query = daily?.buildRequest({ symbol: 'IBM', from: '2020-01-01', to: '2020-01-31' }, access).url;
    expect(daily?.provider).toBe('alpha-vantage');
    expect(query?.searchParams.has('entitlement')).toBe(false);
  });

  it.each(['premium', 'delayed,realtime'])('refuses %s at start, naming the variable', (value) => {
    expect(() => configWith(value)).toThrow(ConfigurationError);
    expect(() => configWith(value)).toThrow(/ALPHA_VANTAGE_ENTITLEMENT/);
  });
});
