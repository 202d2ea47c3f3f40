import type { ProviderId } from '../model/provider-ids.js';
import type { Quote } from '../model/quote.js';
import { fetchFromProvider } from '../providers/fetch-from-provider.js';
import type { FailureKind, ProviderEndpoint, ProviderResult } from '../providers/provider.js';
import { ENDPOINTS } from '../providers/registry.js';

/**
 * What one test call says about a key. `works`: the provider accepted it. `rejected`: the provider
 * refused it (bad key, or a plan that cannot serve quotes); staging it again will not help.
 * `inconclusive`: the call said nothing about the key (throttled, quota spent, network, outage).
 * `detail` names the provider's answer, never the key or the URL.
 */
export type KeyTestResult = { verdict: 'works' } | { verdict: 'rejected' | 'inconclusive'; detail: string };

/** Checks that a provider accepts a key, before rotation puts it in service. */
export interface KeyTester {
  test(provider: ProviderId, key: { id: string; value: string }): Promise<KeyTestResult>;
}

/**
 * The symbol each provider is asked for: one every plan lists. Alpha Vantage documents its API with
 * IBM (its demo key answers only that), the others with AAPL.
 */
export const KEY_TEST_SYMBOLS: Readonly<Partial<Record<ProviderId, string>>> = { 'alpha-vantage': 'IBM' };
const DEFAULT_KEY_TEST_SYMBOL = 'AAPL';

/** Failure kinds that prove the provider looked at the key and refused it. */
const REJECTING: ReadonlySet<FailureKind> = new Set(['invalid_key', 'plan_restricted', 'no_key']);

/**
 * The verdict of one quote call. An unknown symbol still means the key was accepted: the provider
 * answered the question. Throttling, a spent quota, timeouts, outages and unreadable answers say
 * nothing about the key, so they are inconclusive; rotation treats them as failures and retries on
 * its next run, because a key that was never seen to work is never promoted.
 */
export function keyTestVerdict(result: ProviderResult<unknown>): KeyTestResult {
  if (result.ok || result.failure.kind === 'unknown_symbol') return { verdict: 'works' };
  const { kind, detail } = result.failure;
  return { verdict: REJECTING.has(kind) ? 'rejected' : 'inconclusive', detail: `${kind}: ${detail}` };
}

/** Where and how long the tester calls providers: the same settings the data path uses. */
export interface ProviderKeyTesterOptions {
  baseUrls: Record<ProviderId, string>;
  timeoutMs: number;
  now: () => Date;
  /** The quote endpoints by provider; default: the registry's. */
  endpoints?: Partial<Record<ProviderId, ProviderEndpoint<{ symbol: string }, Quote>>>;
}

/**
 * Tests a key with ONE cheap call: the provider's quote endpoint for a well-known symbol, through the
 * same adapter the data path uses, so "works" means it works for the layer. One call per key, no
 * retry: a retry would spend the new key's quota and a throttled answer is inconclusive anyway.
 */
export class ProviderKeyTester implements KeyTester {
  constructor(private readonly options: ProviderKeyTesterOptions) {}

  async test(provider: ProviderId, key: { id: string; value: string }): Promise<KeyTestResult> {
    const endpoint = (this.options.endpoints ?? ENDPOINTS.quote)[provider];
    if (endpoint === undefined) {
      return { verdict: 'inconclusive', detail: `no quote endpoint for ${provider} to test a key with` };
    }
    const result = await fetchFromProvider(
      endpoint,
      { symbol: KEY_TEST_SYMBOLS[provider] ?? DEFAULT_KEY_TEST_SYMBOL },
      {
        baseUrl: this.options.baseUrls[provider],
        apiKey: key.value,
        timeoutMs: this.options.timeoutMs,
        now: this.options.now,
      },
    );
    return keyTestVerdict(result);
  }
}
