import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEY_TEST_SYMBOLS, keyTestVerdict, ProviderKeyTester } from '../../../lib/keys/key-tester.js';
import type { ProviderId } from '../../../lib/model/provider-ids.js';
import { failure } from '../../../lib/providers/provider.js';
import { providerFixture } from '../../support/fixtures.js';

// The tester's one call goes through the real quote adapters; the provider's answer is played by a
// stubbed `fetch` (the unit project opens no socket) carrying the providers' recorded answers.
// Against the sandbox's HTTP servers: test/integration/key-rotation.test.ts.
const KEY = { id: 'k1', value: 'SECRET-KEY-VALUE-123' };
const BASE_URLS = {
  'alpha-vantage': 'https://av.example/base',
  fmp: 'https://fmp.example',
  finnhub: 'https://finnhub.example',
  'twelve-data': 'https://twelve.example',
  polygon: 'https://polygon.example',
} satisfies Record<ProviderId, string>;

let answers: Response[];
let asked: URL[];
beforeEach(() => {
  asked = [];
  vi.stubGlobal('fetch', async (url: URL | string) => {
    asked.push(new URL(url));
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return answer;
  });
});
afterEach(() => vi.unstubAllGlobals());

const answer = (fixture: string, status = 200) =>
  new Response(JSON.stringify(providerFixture(fixture)), {
    status,
    headers: { 'content-type': 'application/json' },
  });

function tester(now = new Date('2026-11-26T15:30:00Z')) {
  return new ProviderKeyTester({ baseUrls: BASE_URLS, timeoutMs: 1_000, now: () => now });
}

describe('keyTestVerdict', () => {
  it('finds a key working when the provider answered, even that the symbol is unknown', () => {
    expect(keyTestVerdict({ ok: true, value: {} })).toEqual({ verdict: 'works' });
    expect(keyTestVerdict(failure('unknown_symbol', 'no such symbol'))).toEqual({ verdict: 'works' });
  });

  it('finds a key rejected when the provider refused it: an invalid key, a plan that cannot serve quotes, no key', () => {
    for (const kind of ['invalid_key', 'plan_restricted', 'no_key'] as const)
      expect(keyTestVerdict(failure(kind, 'refused'))).toEqual({
        verdict: 'rejected',
        detail: `${kind}: refused`,
      });
  });

  it('finds a call that said nothing about the key inconclusive', () => {
    for (const kind of [
      'throttled',
      'quota_exhausted',
      'timeout',
      'network',
      'upstream_error',
      'bad_data',
    ] as const)
      expect(keyTestVerdict(failure(kind, 'no verdict'))).toEqual({
        verdict: 'inconclusive',
        detail: `${kind}: no verdict`,
      });
  });
});

describe('ProviderKeyTester', () => {
  it("asks Alpha Vantage for IBM's quote with the key, once, and finds a key that gets it working", async () => {
    answers = [answer('alphavantage/global_quote_IBM_2020-05-08.json')];
    const result = await tester(new Date('2020-05-08T20:30:00Z')).test('alpha-vantage', KEY);
    expect(result).toEqual({ verdict: 'works' });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.origin).toBe('https://av.example');
    expect(asked[0]?.searchParams.get('symbol')).toBe(KEY_TEST_SYMBOLS['alpha-vantage']);
    expect(asked[0]?.searchParams.get('apikey')).toBe(KEY.value);
  });

  it('asks the other providers for AAPL', async () => {
    answers = [answer('finnhub/errors/quote_unknown_symbol.json')];
    await tester().test('finnhub', KEY);
    expect(asked[0]?.origin).toBe('https://finnhub.example');
    expect(asked[0]?.searchParams.get('symbol')).toBe('AAPL');
  });

  const verdicts: [ProviderId, string, number, string][] = [
    ['alpha-vantage', 'alphavantage/errors/global_quote_unknown_symbol.json', 200, 'works'],
    ['alpha-vantage', 'alphavantage/errors/error_apikey_invalid_or_missing.json', 200, 'rejected'],
    ['alpha-vantage', 'alphavantage/errors/information_premium_endpoint.json', 200, 'rejected'],
    ['alpha-vantage', 'alphavantage/errors/information_daily_limit_25.json', 200, 'inconclusive'],
    ['finnhub', 'finnhub/errors/invalid_api_key_401.json', 401, 'rejected'],
    ['finnhub', 'finnhub/errors/api_limit_429.json', 429, 'inconclusive'],
    ['fmp', 'fmp/errors/invalid_api_key_401.json', 401, 'rejected'],
    ['fmp', 'fmp/errors/limit_reach_429.json', 429, 'inconclusive'],
    ['twelve-data', 'twelvedata/errors/invalid_api_key_401.json', 401, 'rejected'],
    ['twelve-data', 'twelvedata/errors/run_out_of_credits_429.json', 429, 'inconclusive'],
    ['polygon', 'polygon/errors/not_authorized_403.json', 403, 'rejected'],
    ['polygon', 'polygon/errors/max_requests_per_minute_429.json', 429, 'inconclusive'],
  ];
  it.each(verdicts)(
    'reads %s answering %s (HTTP %i) as %s, naming neither the key nor the URL',
    async (provider, fixture, status, verdict) => {
      answers = [answer(fixture, status)];
      const result = await tester().test(provider, KEY);
      expect(result.verdict).toBe(verdict);
      expect(JSON.stringify(result)).not.toContain(KEY.value);
      expect(JSON.stringify(result)).not.toContain('.example');
    },
  );

  it('finds a key inconclusive when the provider cannot be reached', async () => {
    answers = [];
    expect(await tester().test('fmp', KEY)).toEqual({
      verdict: 'inconclusive',
      detail: 'network: network error (ECONNREFUSED)',
    });
  });

  it('finds a key inconclusive, with no call, for a provider that has no quote endpoint', async () => {
    const withoutQuotes = new ProviderKeyTester({
      baseUrls: BASE_URLS,
      timeoutMs: 1_000,
      now: () => new Date(),
      endpoints: {},
    });
    expect(await withoutQuotes.test('polygon', KEY)).toEqual({
      verdict: 'inconclusive',
      detail: 'no quote endpoint for polygon to test a key with',
    });
    expect(asked).toHaveLength(0);
  });
});
