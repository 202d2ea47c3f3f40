import { describe, expect, it } from 'vitest';
import type { ProviderId } from '../../../lib/model/provider-ids.js';
import type { ProviderEndpoint } from '../../../lib/providers/provider.js';
import type { ProviderAttempt, ProviderChainResult } from '../../../lib/providers/provider-manager.js';
import { reportOf } from '../../../lib/quality/report.js';
import { AccuracyAudit, DEFAULT_AUDIT_OPTIONS } from '../../../lib/services/accuracy-audit.js';

// Which provider an audit asks, and when it stops, with the provider manager and breaker played by
// fakes: the calls, keys and breakers themselves are exercised in test/integration/accuracy.test.ts.
const T0 = Date.UTC(2026, 11, 4, 22, 0, 0);
const ORDER: ProviderId[] = ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'];
const endpoints = ORDER.map((provider) => ({ provider }) as ProviderEndpoint<string, number>);

/** Each provider's behaviour for the fake manager: a value, a failed call, or skipped without a call. */
type Behaviour = number | 'fails' | 'skipped';

function audit(behaviour: Partial<Record<ProviderId, Behaviour>>, open: ProviderId[] = []) {
  const asked: ProviderId[] = [];
  const providers = {
    fetch: async <Query, Value>(
      chain: readonly ProviderEndpoint<Query, Value>[],
    ): Promise<ProviderChainResult<Value>> => {
      const provider = chain[0]?.provider as ProviderId;
      asked.push(provider);
      const does = behaviour[provider] ?? 'skipped';
      const attempt = (calls: number, outcome: ProviderAttempt['outcome']): ProviderAttempt[] => [
        { provider, outcome, ms: 1, calls },
      ];
      if (typeof does === 'number')
        return {
          ok: true,
          value: does,
          provider,
          fetchedAt: new Date(T0),
          attempts: attempt(1, 'ok'),
          quality: null,
        } as ProviderChainResult<Value>;
      return {
        ok: false,
        failures: [],
        attempts: does === 'fails' ? attempt(1, 'upstream_error') : attempt(0, 'no_key'),
      };
    },
  };
  const breaker = {
    retryAfterSeconds: async ([provider]: readonly string[]) =>
      open.includes(provider as ProviderId) ? 30 : undefined,
  };
  const subject = new AccuracyAudit({
    providers,
    breaker,
    options: { ...DEFAULT_AUDIT_OPTIONS, share: 1 },
    now: () => T0,
  });
  const ask = (answeredBy: ProviderId, attempts: ProviderAttempt[] = []) =>
    subject.ask({
      endpoints,
      query: 'IBM',
      answeredBy,
      attempts,
      score: () => reportOf([]),
    });
  return { asked, ask };
}

describe('AccuracyAudit', () => {
  it('asks the next provider after the one that answered', async () => {
    const { asked, ask } = audit({ fmp: 101 });
    expect(await ask('alpha-vantage')).toEqual({ provider: 'fmp', value: 101, fetchedAt: T0 });
    expect(asked).toEqual(['fmp']);
  });

  it('passes over an open breaker and a provider with no key to spare, and wraps to those before', async () => {
    const { asked, ask } = audit({ 'alpha-vantage': 99, polygon: 'skipped' }, ['fmp']);
    expect(await ask('twelve-data')).toMatchObject({ provider: 'alpha-vantage', value: 99 });
    expect(asked).toEqual(['polygon', 'alpha-vantage']);
  });

  it('ends at the first provider called, whatever it answers: one call per audit', async () => {
    const { asked, ask } = audit({ fmp: 'fails', finnhub: 100 });
    expect(await ask('alpha-vantage')).toBeNull();
    expect(asked).toEqual(['fmp']);
  });

  it('does not ask again a provider that failed this request', async () => {
    const { asked, ask } = audit({ finnhub: 100, 'twelve-data': 97 });
    const failed: ProviderAttempt[] = [{ provider: 'finnhub', outcome: 'timeout', ms: 1, calls: 1 }];
    expect(await ask('fmp', failed)).toMatchObject({ provider: 'twelve-data' });
    expect(asked).toEqual(['twelve-data']);
  });

  it('draws its share of fills', () => {
    const draw = (share: number, random: number) =>
      new AccuracyAudit({
        providers: { fetch: async () => ({ ok: false, failures: [], attempts: [] }) },
        breaker: { retryAfterSeconds: async () => undefined },
        options: { ...DEFAULT_AUDIT_OPTIONS, share },
        now: () => T0,
        random: () => random,
      }).draws();
    expect(draw(0.02, 0.019)).toBe(true);
    expect(draw(0.02, 0.02)).toBe(false);
    expect(draw(0, 0)).toBe(false);
  });
});
