import { describe, expect, it } from 'vitest';
import type { CacheLookup } from '../../../lib/cache/data-cache.js';
import {
  CacheFillCoordinator,
  type FillClaim,
  type FillTurn,
  type RefreshTurn,
} from '../../../lib/cache/fill-coordinator.js';
import { DEFAULT_FILL_LEASE_OPTIONS } from '../../../lib/cache/fill-lease-state.js';
import { ProvidersUnavailableError, SymbolNotFoundError } from '../../../lib/errors.js';
import type { Quote } from '../../../lib/model/quote.js';
import type { ProviderChainResult } from '../../../lib/providers/provider-manager.js';
import { reportOf } from '../../../lib/quality/report.js';
import { workDueBy } from '../../../lib/resilience/request-end.js';
import {
  type DataSources,
  MarketDataService,
  type MarketDataServiceDeps,
} from '../../../lib/services/market-data-service.js';

// How the service acts on each decision of the fill coordinator: the cache read, then the
// coordinator's turn (scripted here; its own decisions are pinned in
// test/lib/cache/fill-coordinator.test.ts), then the providers when this request leads, and the
// lease handed back. Joining a fill of this container runs on the real coordinator.

const NOW = Math.floor(Date.now() / 1000) * 1000;
const QUOTE = { symbol: 'IBM', price: 101 } as Quote;
const CACHED = { symbol: 'IBM', price: 100 } as Quote;
const FRESH_UNTIL = NOW + 300_000;
const CLAIM: FillClaim = { won: true, lease: { owner: 'me', leaseUntil: NOW + 15_000 }, replaced: undefined };

const cachedQuote = (ageSeconds: number): CacheLookup<Quote> => ({
  kind: 'value',
  entry: {
    value: CACHED,
    provider: 'fmp',
    fetchedAt: new Date(NOW - ageSeconds * 1000).toISOString(),
    ageSeconds,
    fresh: ageSeconds < 300,
    freshForSeconds: Math.max(0, 300 - ageSeconds),
    quality: null,
  },
});
/** Past fresh (5 min) and past the soft window (1 min more): a miss that may still be served stale. */
const STALE = cachedQuote(600);
/** Past fresh, within the soft window: revalidated. */
const SOFT = cachedQuote(330);

const answered: ProviderChainResult<Quote> = {
  ok: true,
  value: QUOTE,
  provider: 'alpha-vantage',
  fetchedAt: new Date(NOW),
  attempts: [{ provider: 'alpha-vantage', outcome: 'ok', ms: 5, calls: 1 }],
  quality: null,
};
const everyProviderFailed: ProviderChainResult<Quote> = {
  ok: false,
  failures: [{ kind: 'upstream_error', detail: 'down' }],
  attempts: [{ provider: 'alpha-vantage', outcome: 'upstream_error', ms: 5, calls: 1 }],
};

/** A provider answer held until the test releases it: a fill still running. */
function gatedFetch() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fetch = async () => {
    await gate;
    return answered;
  };
  return { fetch, release };
}

function service(options: {
  cached?: CacheLookup<Quote>;
  turns?: FillTurn<Quote>[];
  refreshTurns?: RefreshTurn<Quote>[];
  fetch?: () => Promise<ProviderChainResult<Quote>>;
}) {
  const events: string[] = [];
  const finished: (number | null)[] = [];
  let providerCalls = 0;
  // The real coordinator shares a running fill with this container's joiners.
  const running = new CacheFillCoordinator({
    store: {} as never,
    cache: {} as never,
    metrics: {
      coalescedWait: (_type, outcome) => void events.push(`coalesced ${outcome}`),
      leaseTakeover: () => {},
      cacheError: () => {},
    },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    now: () => NOW,
    sleep: () => new Promise(() => {}),
    options: DEFAULT_FILL_LEASE_OPTIONS,
  });
  const turns = [...(options.turns ?? [])];
  const refreshTurns = [...(options.refreshTurns ?? [])];
  const fills = {
    isFilling: (dataType, key) => running.isFilling(dataType, key),
    share: (dataType, key, answer, kind) => running.share(dataType, key, answer, kind),
    join: (dataType, key) => running.join(dataType, key),
    turn: async () => {
      events.push('turn');
      const turn = turns.shift();
      if (!turn) throw new Error('no turn scripted');
      return turn;
    },
    refreshTurn: async () => {
      events.push('refresh turn');
      const turn = refreshTurns.shift();
      if (!turn) throw new Error('no refresh turn scripted');
      return turn;
    },
    finish: async (_dataType, _key, claim, cachedFreshUntil) => {
      expect(claim).toBe(CLAIM);
      finished.push(cachedFreshUntil);
    },
  } as MarketDataServiceDeps['fills'];
  const deps: MarketDataServiceDeps = {
    cache: {
      write: async () => {
        events.push('cache write');
        return FRESH_UNTIL;
      },
      rememberNotFound: async () => {},
    },
    reader: {
      read: async <T>() => (options.cached ?? { kind: 'none' }) as CacheLookup<T>,
      readMany: async () => new Map(),
    },
    providers: {
      fetch: (async () => {
        providerCalls++;
        events.push('providers');
        return (options.fetch ?? (async () => answered))();
      }) as MarketDataServiceDeps['providers']['fetch'],
    },
    breaker: { retryAfterSeconds: async () => undefined },
    metrics: { cacheLookup: (_type, outcome) => void events.push(`lookup ${outcome}`), cacheError: () => {} },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    cachePolicy: {
      quote: { freshSeconds: 300, maxStaleSeconds: 86_400 },
    } as MarketDataServiceDeps['cachePolicy'],
    staleWhileRevalidateSeconds: { quote: 60 } as MarketDataServiceDeps['staleWhileRevalidateSeconds'],
    fills,
    negativeCacheSeconds: 600,
    sources: { quote: { endpoints: [], score: () => reportOf([]) } } as unknown as DataSources,
    now: () => new Date(NOW),
  };
  const marketData = new MarketDataService(deps);
  const getQuote = (deadlineMs = 10_000) => workDueBy(NOW + deadlineMs, () => marketData.getQuote('IBM'));
  return { getQuote, events, finished, providerCalls: () => providerCalls };
}

describe('MarketDataService on a miss: cache, then the fill coordinator, then the providers', () => {
  it('answers a fresh cache entry with no turn asked', async () => {
    const { getQuote, events } = service({ cached: cachedQuote(10) });
    expect((await getQuote()).meta).toMatchObject({ cache: 'hit', stale: false });
    expect(events).toEqual(['lookup hit']);
  });

  it('leads when told to: asks the providers, caches the value, then hands the lease back with its freshness', async () => {
    const { getQuote, events, finished } = service({ turns: [{ kind: 'lead', claim: CLAIM }] });
    const answer = await getQuote();
    expect(answer).toMatchObject({ data: QUOTE, meta: { cache: 'miss', provider: 'alpha-vantage' } });
    expect(events).toEqual(['lookup miss', 'turn', 'providers', 'cache write']);
    expect(finished).toEqual([FRESH_UNTIL]);
  });

  it('hands the lease back with nothing cached when every provider failed, answering stale or 503', async () => {
    const stale = service({
      cached: STALE,
      turns: [{ kind: 'lead', claim: CLAIM }],
      fetch: async () => everyProviderFailed,
    });
    expect(await stale.getQuote()).toMatchObject({ data: CACHED, meta: { cache: 'hit', stale: true } });
    expect(stale.finished).toEqual([null]);

    const none = service({ turns: [{ kind: 'lead', claim: CLAIM }], fetch: async () => everyProviderFailed });
    await expect(none.getQuote()).rejects.toBeInstanceOf(ProvidersUnavailableError);
    expect(none.finished).toEqual([null]);
  });

  it('hands the lease back even when the fetch throws', async () => {
    const { getQuote, finished } = service({
      turns: [{ kind: 'lead', claim: CLAIM }],
      fetch: () => Promise.reject(new Error('a bug')),
    });
    await expect(getQuote()).rejects.toThrow('a bug');
    expect(finished).toEqual([null]);
  });

  it("answers another request's fill, or its unknown symbol, with no provider call", async () => {
    const found = cachedQuote(1);
    const filled = service({
      turns: [{ kind: 'filled', found: found as Extract<CacheLookup<Quote>, { kind: 'value' }> }],
    });
    expect(await filled.getQuote()).toMatchObject({ data: CACHED, meta: { cache: 'hit', stale: false } });
    expect(filled.providerCalls()).toBe(0);

    const unknown = service({ turns: [{ kind: 'filled', found: { kind: 'not_found' } }] });
    await expect(unknown.getQuote()).rejects.toBeInstanceOf(SymbolNotFoundError);
    expect(unknown.providerCalls()).toBe(0);
  });

  it('answers stale when out of time with a value in hand, else 503 with the Retry-After it was given', async () => {
    const stale = service({ cached: STALE, turns: [{ kind: 'out_of_time', retryAfterSeconds: 7 }] });
    expect((await stale.getQuote()).meta).toMatchObject({ cache: 'hit', stale: true });
    const none = service({ turns: [{ kind: 'out_of_time', retryAfterSeconds: 7 }] });
    await expect(none.getQuote()).rejects.toMatchObject({ retryAfterSeconds: 7 });
    expect(none.providerCalls()).toBe(0);
  });

  it('without a lease answers the value it read, stale, and fetches only when it read none', async () => {
    const stale = service({ cached: STALE, turns: [{ kind: 'no_lease' }] });
    expect((await stale.getQuote()).meta).toMatchObject({ cache: 'hit', stale: true });
    expect(stale.providerCalls()).toBe(0);

    const none = service({ turns: [{ kind: 'no_lease' }] });
    expect((await none.getQuote()).meta.cache).toBe('miss');
    expect(none.providerCalls()).toBe(1);
    // No lease was held: none is handed back.
    expect(none.finished).toEqual([]);
  });

  it("shares this container's running fill with a request arriving meanwhile: one turn, one provider call", async () => {
    const { fetch, release } = gatedFetch();
    const { getQuote, events, providerCalls } = service({
      turns: [{ kind: 'lead', claim: CLAIM }],
      fetch,
    });
    const leader = getQuote();
    await new Promise((resolve) => setImmediate(resolve));
    const joiner = getQuote(20_000);
    release();
    const [first, second] = await Promise.all([leader, joiner]);
    expect(second).toBe(first);
    expect(providerCalls()).toBe(1);
    expect(events.filter((event) => event === 'turn')).toHaveLength(1);
    expect(events).toContain('coalesced shared');
  });
});

describe('MarketDataService within the soft window: refreshed by one request, stale for the others', () => {
  it('refreshes when told to, answering fresh, and hands the lease back', async () => {
    const { getQuote, events, finished } = service({
      cached: SOFT,
      refreshTurns: [{ kind: 'refresh', claim: CLAIM }],
    });
    expect((await getQuote()).meta).toMatchObject({ cache: 'miss', stale: false });
    expect(events).toEqual(['refresh turn', 'lookup miss', 'providers', 'cache write']);
    expect(finished).toEqual([FRESH_UNTIL]);
  });

  it('answers the stale value at once when another request refreshes it', async () => {
    const { getQuote, providerCalls } = service({ cached: SOFT, refreshTurns: [{ kind: 'stale' }] });
    expect(await getQuote()).toMatchObject({ data: CACHED, meta: { cache: 'hit', stale: true } });
    expect(providerCalls()).toBe(0);
  });

  it("answers another request's refresh that landed", async () => {
    const found = cachedQuote(0) as Extract<CacheLookup<Quote>, { kind: 'value' }>;
    const { getQuote } = service({ cached: SOFT, refreshTurns: [{ kind: 'filled', found }] });
    expect((await getQuote()).meta).toMatchObject({ cache: 'hit', stale: false, ageSeconds: 0 });
  });

  it('answers stale, asking no turn, while this container refreshes the value', async () => {
    const { fetch, release } = gatedFetch();
    const { getQuote, events } = service({
      cached: SOFT,
      refreshTurns: [{ kind: 'refresh', claim: CLAIM }],
      fetch,
    });
    const refreshing = getQuote();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await getQuote()).meta).toMatchObject({ stale: true });
    release();
    expect((await refreshing).meta.cache).toBe('miss');
    expect(events.filter((event) => event === 'refresh turn')).toHaveLength(1);
  });
});
