import { describe, expect, it } from 'vitest';
import type { CacheReads } from '../../../lib/cache/cache-reader.js';
import type { CacheLookup } from '../../../lib/cache/data-cache.js';
import { CacheFillCoordinator, type FillClaim } from '../../../lib/cache/fill-coordinator.js';
import type { FillLease, FillLeaseOptions, StoredLease } from '../../../lib/cache/fill-lease-state.js';
import type { FillLeaseStore, LeaseClaim } from '../../../lib/cache/fill-lease-store.js';
import type { DataType } from '../../../lib/model/data-types.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import { workDueBy } from '../../../lib/resilience/request-end.js';

// The fill coordinator's decisions, each pinned on an in-memory lease store that applies the
// conditions `fill-lease-store.ts` states (free when absent, released or lapsed; a takeover only of
// the lease the waiter saw) and a cache whose contents the test sets. "Another container" acts
// inside the waiter's sleeps; the clock moves only when a sleep does. The store's own DynamoDB
// behaviour runs against DynamoDB Local in test/integration/fill-lease-store.test.ts; faults a
// local DynamoDB cannot produce on demand are thrown here by the fake.

const OPTIONS: FillLeaseOptions = { leaseMs: 5_000, firstPollMs: 50, maxPollMs: 400 };
const KEY = 'IBM';

type StoreOperation = 'claim' | 'read' | 'release';

/** The lease item per key, with the store's conditions; `faults` makes the next calls of an operation throw. */
class MemoryLeaseStore implements Pick<FillLeaseStore, StoreOperation> {
  readonly leases = new Map<string, StoredLease>();
  readonly calls: Record<StoreOperation, number> = { claim: 0, read: 0, release: 0 };
  readonly faults: Partial<Record<StoreOperation, number>> = {};
  /** Claims answered as scripted instead of by the condition (a lease item that cannot be decoded). */
  readonly scriptedClaims: LeaseClaim[] = [];

  async claim(
    dataType: DataType,
    key: string,
    lease: FillLease,
    now: number,
    replacing?: FillLease,
  ): Promise<LeaseClaim> {
    this.#call('claim');
    const scripted = this.scriptedClaims.shift();
    if (scripted) return scripted;
    const id = `${dataType}#${key}`;
    const current = this.leases.get(id);
    const free = current === undefined || current.releasedAt !== undefined || current.leaseUntil <= now;
    const allowed = current === undefined || (free && (!replacing || current.owner === replacing.owner));
    if (!allowed) return { won: false, current };
    this.leases.set(id, { ...lease });
    return { won: true, lease, replaced: current };
  }

  async read(dataType: DataType, key: string): Promise<StoredLease | undefined> {
    this.#call('read');
    return this.leases.get(`${dataType}#${key}`);
  }

  async release(dataType: DataType, key: string, owner: string, now: number): Promise<void> {
    this.#call('release');
    const id = `${dataType}#${key}`;
    const current = this.leases.get(id);
    if (current?.owner === owner) this.leases.set(id, { owner, leaseUntil: now, releasedAt: now });
  }

  /** Another container's lease on the key, held from `now` for the lease's length. */
  holdElsewhere(now: number, owner = 'elsewhere'): FillLease {
    const lease = { owner, leaseUntil: now + OPTIONS.leaseMs };
    this.leases.set(`quote#${KEY}`, lease);
    return lease;
  }

  #call(operation: StoreOperation): void {
    this.calls[operation]++;
    const left = this.faults[operation] ?? 0;
    if (left > 0) {
      this.faults[operation] = left - 1;
      throw Object.assign(new Error('DynamoDB is away'), { name: 'ProvisionedThroughputExceededException' });
    }
  }
}

/** A cache whose entries the test sets; counts the strongly consistent reads the coordinator makes. */
class MemoryCacheReads implements CacheReads {
  readonly entries = new Map<string, CacheLookup<unknown>>();
  consistentReads = 0;

  async read<T>(
    dataType: DataType,
    key: string,
    options?: { consistent?: boolean },
  ): Promise<CacheLookup<T>> {
    if (options?.consistent) this.consistentReads++;
    return (this.entries.get(`${dataType}#${key}`) ?? { kind: 'none' }) as CacheLookup<T>;
  }

  /** Another request's fill landed: a value, fresh unless said otherwise. */
  fill(value: unknown, fresh = true): void {
    this.entries.set(`quote#${KEY}`, {
      kind: 'value',
      entry: {
        value,
        provider: 'fmp',
        fetchedAt: new Date().toISOString(),
        ageSeconds: 0,
        fresh,
        freshForSeconds: fresh ? 60 : 0,
        quality: null,
      },
    });
  }
}

function harness() {
  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const store = new MemoryLeaseStore();
  const cache = new MemoryCacheReads();
  /** Metrics and warnings, in order. */
  const events: string[] = [];
  /** What "another container" does during each of this request's sleeps, in order. */
  const duringSleeps: (() => void)[] = [];
  const sleeps: number[] = [];
  const logger: DomainLogger = {
    debug: () => {},
    info: () => {},
    warn: (message, ...context) => void events.push(`warn ${message} ${JSON.stringify(context[0])}`),
    error: () => {},
  };
  const coordinator = new CacheFillCoordinator({
    store,
    cache,
    metrics: {
      coalescedWait: (dataType, outcome) => void events.push(`coalesced ${dataType} ${outcome}`),
      leaseTakeover: (dataType) => void events.push(`takeover ${dataType}`),
      cacheError: (dataType, operation) => void events.push(`cache error ${dataType} ${operation}`),
    },
    logger,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      duringSleeps.shift()?.();
    },
    options: OPTIONS,
  });
  return { clock, store, cache, events, duringSleeps, sleeps, coordinator };
}

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const claimOf = (turn: { kind: string; claim?: FillClaim }): FillClaim => {
  if (!turn.claim) throw new Error(`expected a claim, got ${turn.kind}`);
  return turn.claim;
};

describe('CacheFillCoordinator.turn: the first miss', () => {
  it('leads on a key no one holds, reading nothing more than the claim', async () => {
    const { coordinator, store, cache, clock } = harness();
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn.kind).toBe('lead');
    expect(claimOf(turn).lease.leaseUntil).toBe(clock.now + OPTIONS.leaseMs);
    expect(store.calls).toEqual({ claim: 1, read: 0, release: 0 });
    expect(cache.consistentReads).toBe(0);
  });

  it('reads the cache again before leading when the lease it replaced ended moments ago, and answers a fill that landed', async () => {
    const { coordinator, store, cache, clock, events } = harness();
    store.leases.set(`quote#${KEY}`, {
      owner: 'earlier',
      leaseUntil: clock.now - 1_000,
      releasedAt: clock.now - 1_000,
    });
    cache.fill({ price: 1 });
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn).toMatchObject({ kind: 'filled', found: { kind: 'value', entry: { value: { price: 1 } } } });
    expect(events).toEqual(['coalesced quote served']);
    // The lease it won for nothing is released at once: the next miss need not wait for it.
    expect(store.leases.get(`quote#${KEY}`)?.releasedAt).toBe(clock.now);
  });

  it('leads after that second read when the fill it missed left nothing', async () => {
    const { coordinator, store, cache, clock } = harness();
    store.leases.set(`quote#${KEY}`, {
      owner: 'earlier',
      leaseUntil: clock.now - 1_000,
      releasedAt: clock.now - 1_000,
    });
    expect((await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).kind).toBe('lead');
    expect(cache.consistentReads).toBe(1);
  });

  it('trusts its first read when the lease it replaced ended long before this request began', async () => {
    const { coordinator, store, cache, clock } = harness();
    store.leases.set(`quote#${KEY}`, { owner: 'earlier', leaseUntil: clock.now - 60_000 });
    cache.fill({ price: 1 });
    expect((await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).kind).toBe('lead');
    expect(cache.consistentReads).toBe(0);
  });

  it('goes on without a lease when DynamoDB fails the claim, counting and logging the fault', async () => {
    const { coordinator, store, clock, events } = harness();
    store.faults.claim = 1;
    expect(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'no_lease',
    });
    expect(events).toEqual([
      'cache error quote write',
      'warn cache fill lease unavailable; going on without it {"dataType":"quote","operation":"write","error":"ProvisionedThroughputExceededException"}',
    ]);
  });
});

describe('CacheFillCoordinator.turn: a waiter', () => {
  it("answers another container's fill from the cache, before it reads the lease (a leader that cached leaves it to lapse)", async () => {
    const { coordinator, store, cache, clock, events, duringSleeps } = harness();
    store.holdElsewhere(clock.now);
    duringSleeps.push(() => cache.fill({ price: 2 }));
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn).toMatchObject({ kind: 'filled', found: { kind: 'value', entry: { value: { price: 2 } } } });
    expect(store.calls.read).toBe(0);
    expect(events).toEqual(['coalesced quote served']);
  });

  it("answers the leader's remembered unknown symbol", async () => {
    const { coordinator, store, cache, clock, duringSleeps } = harness();
    store.holdElsewhere(clock.now);
    duringSleeps.push(() => cache.entries.set(`quote#${KEY}`, { kind: 'not_found' }));
    expect(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'filled',
      found: { kind: 'not_found' },
    });
  });

  it('polls with back-off (50 ms doubling to 400 ms) while the leader holds the lease and nothing is cached', async () => {
    const { coordinator, store, cache, clock, sleeps, duringSleeps } = harness();
    store.holdElsewhere(clock.now);
    for (let i = 0; i < 5; i++) duringSleeps.push(() => {});
    duringSleeps.push(() => cache.fill({ price: 3 }));
    expect((await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).kind).toBe('filled');
    expect(sleeps).toEqual([50, 100, 200, 400, 400, 400]);
    expect(store.calls.read).toBe(5);
  });

  it('keeps waiting past a stale value, or a value this request does not accept', async () => {
    const { coordinator, store, cache, clock, duringSleeps } = harness();
    store.holdElsewhere(clock.now);
    duringSleeps.push(() => cache.fill({ from: '2024-01-01' }, false));
    duringSleeps.push(() => cache.fill({ from: '2024-06-01' }));
    duringSleeps.push(() => cache.fill({ from: '2023-01-01' }));
    const reachesBack = (series: { from: string }) => series.from <= '2023-06-01';
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY, reachesBack));
    expect(turn).toMatchObject({ kind: 'filled', found: { entry: { value: { from: '2023-01-01' } } } });
    expect(cache.consistentReads).toBe(3);
  });

  it('takes over a lease released with nothing cached (the leader failed): one waiter leads, counted', async () => {
    const { coordinator, store, cache, clock, events, duringSleeps } = harness();
    const leader = store.holdElsewhere(clock.now);
    duringSleeps.push(() => void store.release('quote', KEY, leader.owner, clock.now));
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn.kind).toBe('lead');
    expect(events).toEqual(['takeover quote']);
    // The cache read once after the poll, once more after the claim (the fill it replaced just ended).
    expect(cache.consistentReads).toBe(2);
  });

  it('takes over a lease that lapsed (its leader died), by a compare-and-swap on the lease it saw', async () => {
    const { coordinator, store, clock, events } = harness();
    const died = store.holdElsewhere(clock.now);
    const turn = await workDueBy(clock.now + 20_000, () => coordinator.turn('quote', KEY));
    expect(turn.kind).toBe('lead');
    expect(events).toEqual(['takeover quote']);
    // Not before the dead leader's lease ended, and the lease is now this request's.
    expect(clock.now).toBe(died.leaseUntil);
    expect(store.leases.get(`quote#${KEY}`)?.owner).toBe(claimOf(turn).lease.owner);
  });

  it('waits on the new leader when another waiter took the lapsed lease over first', async () => {
    const { coordinator, store, cache, clock, duringSleeps, events } = harness();
    store.holdElsewhere(clock.now);
    const claim = store.claim.bind(store);
    store.claim = async (...args) => {
      const replacing = args[4];
      if (replacing) {
        // Another waiter's takeover lands first; its fill is cached by this waiter's next poll.
        store.holdElsewhere(clock.now, 'other waiter');
        duringSleeps.push(() => cache.fill({ price: 4 }));
      }
      return claim(...args);
    };
    const turn = await workDueBy(clock.now + 20_000, () => coordinator.turn('quote', KEY));
    expect(turn).toMatchObject({ kind: 'filled', found: { entry: { value: { price: 4 } } } });
    expect(events).toEqual(['coalesced quote served']);
  });

  it('is out of time at its deadline, coming back when the lease ends', async () => {
    const { coordinator, store, clock, events } = harness();
    const lease = store.holdElsewhere(clock.now);
    const turn = await workDueBy(clock.now + 1_200, () => coordinator.turn('quote', KEY));
    expect(clock.now).toBe(lease.leaseUntil - OPTIONS.leaseMs + 1_200);
    expect(turn).toEqual({
      kind: 'out_of_time',
      retryAfterSeconds: Math.ceil((lease.leaseUntil - clock.now) / 1000),
    });
    expect(events).toEqual(['coalesced quote timed_out']);
  });

  it('is out of time, retrying after 1 s, when the leader released the lease with nothing cached at its deadline', async () => {
    const { coordinator, store, clock, duringSleeps } = harness();
    const leader = store.holdElsewhere(clock.now);
    duringSleeps.push(() => void store.release('quote', KEY, leader.owner, clock.now));
    expect(await workDueBy(clock.now + 50, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'out_of_time',
      retryAfterSeconds: 1,
    });
    // It did not claim the released lease: it had no time left to fetch.
    expect(store.calls.claim).toBe(1);
  });

  it('reads the cache, then claims again, when its claim lost to a lease it cannot read', async () => {
    const { coordinator, store, cache, clock, sleeps } = harness();
    store.scriptedClaims.push({ won: false, current: undefined }, { won: false, current: undefined });
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn.kind).toBe('lead');
    // Lost, read the cache, claimed again at once; lost again, waited one first poll, read, claimed.
    expect(store.calls.claim).toBe(3);
    expect(sleeps).toEqual([OPTIONS.firstPollMs]);
    expect(cache.consistentReads).toBe(2);
  });

  it('answers a fill it finds in the cache after its claim lost to a lease it cannot read', async () => {
    const { coordinator, store, cache, clock } = harness();
    store.scriptedClaims.push({ won: false, current: undefined });
    cache.fill({ price: 8 });
    expect((await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).kind).toBe('filled');
    expect(store.calls.claim).toBe(1);
  });

  it('waits on the waiter that claimed a released lease first, and answers its fill', async () => {
    const { coordinator, store, cache, clock, duringSleeps } = harness();
    const leader = store.holdElsewhere(clock.now);
    duringSleeps.push(() => {
      void store.release('quote', KEY, leader.owner, clock.now);
      store.holdElsewhere(clock.now, 'quicker waiter');
    });
    duringSleeps.push(() => cache.fill({ price: 9 }));
    const turn = await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY));
    expect(turn).toMatchObject({ kind: 'filled', found: { entry: { value: { price: 9 } } } });
    expect(store.calls.claim).toBe(2);
  });

  it('goes on without a lease when a poll of the lease fails', async () => {
    const { coordinator, store, clock, events, duringSleeps } = harness();
    store.holdElsewhere(clock.now);
    store.faults.read = 1;
    duringSleeps.push(() => {});
    expect(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'no_lease',
    });
    expect(events[0]).toBe('cache error quote read');
  });

  it('goes on without a lease when its takeover of a lapsed lease fails', async () => {
    const { coordinator, store, clock, events } = harness();
    store.holdElsewhere(clock.now);
    const claim = store.claim.bind(store);
    store.claim = async (...args) => {
      if (args[4]) store.faults.claim = 1;
      return claim(...args);
    };
    expect(await workDueBy(clock.now + 20_000, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'no_lease',
    });
    expect(events[0]).toBe('cache error quote write');
  });

  it('goes on without a lease when its claim of a released lease fails', async () => {
    const { coordinator, store, clock, duringSleeps } = harness();
    const leader = store.holdElsewhere(clock.now);
    duringSleeps.push(() => {
      void store.release('quote', KEY, leader.owner, clock.now);
      store.faults.claim = 1;
    });
    expect(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY))).toEqual({
      kind: 'no_lease',
    });
  });
});

describe('CacheFillCoordinator.finish: the lease handed back', () => {
  it('leaves the lease to lapse when the value cached stays fresh past its end (no write)', async () => {
    const { coordinator, store, clock } = harness();
    const claim = claimOf(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY)));
    await coordinator.finish('quote', KEY, claim, claim.lease.leaseUntil + 1);
    expect(store.calls.release).toBe(0);
    expect(store.leases.get(`quote#${KEY}`)?.releasedAt).toBeUndefined();
  });

  it('releases it when nothing was cached, or the value goes stale before the lease ends', async () => {
    const { coordinator, store, clock } = harness();
    const claim = claimOf(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY)));
    await coordinator.finish('quote', KEY, claim, null);
    expect(store.leases.get(`quote#${KEY}`)?.releasedAt).toBe(clock.now);
    const again = claimOf(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY)));
    await coordinator.finish('quote', KEY, again, again.lease.leaseUntil - 1);
    expect(store.calls.release).toBe(2);
  });

  it('counts a release that fails as a store fault and resolves (the lease lapses instead)', async () => {
    const { coordinator, store, clock, events } = harness();
    const claim = claimOf(await workDueBy(clock.now + 10_000, () => coordinator.turn('quote', KEY)));
    store.faults.release = 1;
    await expect(coordinator.finish('quote', KEY, claim, null)).resolves.toBeUndefined();
    expect(events[0]).toBe('cache error quote write');
  });
});

describe('CacheFillCoordinator.refreshTurn: a value within its soft window', () => {
  it('refreshes when this request wins the lease', async () => {
    const { coordinator } = harness();
    expect((await coordinator.refreshTurn('quote', KEY)).kind).toBe('refresh');
  });

  it('answers stale when another request holds the lease and nothing newer is cached', async () => {
    const { coordinator, store, cache, clock } = harness();
    store.holdElsewhere(clock.now);
    expect(await coordinator.refreshTurn('quote', KEY)).toEqual({ kind: 'stale' });
    expect(cache.consistentReads).toBe(1);
  });

  it("answers another request's refresh that already landed (its lease left to lapse)", async () => {
    const { coordinator, store, cache, clock, events } = harness();
    store.holdElsewhere(clock.now);
    cache.fill({ price: 5 });
    expect(await coordinator.refreshTurn('quote', KEY)).toMatchObject({
      kind: 'filled',
      found: { kind: 'value' },
    });
    expect(events).toEqual(['coalesced quote served']);
  });

  it('answers a refresh that landed moments before this request won the lease, releasing it', async () => {
    const { coordinator, store, cache, clock } = harness();
    store.leases.set(`quote#${KEY}`, {
      owner: 'earlier',
      leaseUntil: clock.now - 10,
      releasedAt: clock.now - 10,
    });
    cache.fill({ price: 6 });
    expect((await coordinator.refreshTurn('quote', KEY)).kind).toBe('filled');
    expect(store.calls.release).toBe(1);
  });

  it('answers stale, with no provider call, when DynamoDB fails the claim', async () => {
    const { coordinator, store, events } = harness();
    store.faults.claim = 1;
    expect(await coordinator.refreshTurn('quote', KEY)).toEqual({ kind: 'stale' });
    expect(events[0]).toBe('cache error quote write');
  });
});

describe('CacheFillCoordinator: a fill already running in this container', () => {
  it('shares its answer with a joiner whose deadline is no sooner, with no claim of its own', async () => {
    const { coordinator, store, clock, events } = harness();
    const fill = deferred<string>();
    const shared = workDueBy(clock.now + 5_000, () => coordinator.share('quote', KEY, fill.promise));
    expect(coordinator.isFilling('quote', KEY)).toBe(true);
    const joined = workDueBy(clock.now + 5_000, () => coordinator.join<string>('quote', KEY));
    // The answer comes late (this harness's sleeps end at once): a joiner whose deadline is no sooner
    // than the fill's waits for it, with no race against its own deadline.
    await new Promise((resolve) => setImmediate(resolve));
    fill.resolve('answer');
    expect(await shared).toBe('answer');
    expect(await joined).toEqual({ kind: 'answer', answer: 'answer' });
    expect(events).toEqual(['coalesced quote shared']);
    expect(store.calls.claim).toBe(0);
    expect(coordinator.isFilling('quote', KEY)).toBe(false);
    expect(workDueBy(clock.now + 5_000, () => coordinator.join('quote', KEY))).toBeUndefined();
  });

  it('gives a joiner with a sooner deadline the answer when it comes first', async () => {
    const { clock, store, cache, events } = harness();
    // Sleeps that park: the joiner's own deadline never comes before the answer here.
    const coordinator = new CacheFillCoordinator({
      store,
      cache,
      metrics: { coalescedWait: () => {}, leaseTakeover: () => {}, cacheError: () => {} },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      now: () => clock.now,
      sleep: () => new Promise(() => {}),
      options: OPTIONS,
    });
    const fill = deferred<string>();
    void workDueBy(clock.now + 5_000, () => coordinator.share('quote', KEY, fill.promise));
    const joined = workDueBy(clock.now + 1_000, () => coordinator.join<string>('quote', KEY));
    fill.resolve('answer');
    expect(await joined).toEqual({ kind: 'answer', answer: 'answer' });
    expect(events).toEqual([]);
  });

  it('puts a joiner out of time at its own deadline, coming back by the running fill deadline or lease end', async () => {
    const { coordinator, clock, events } = harness();
    const fill = deferred<string>();
    void workDueBy(clock.now + 3_500, () => coordinator.share('quote', KEY, fill.promise));
    const start = clock.now;
    expect(await workDueBy(start + 1_000, () => coordinator.join('quote', KEY))).toEqual({
      kind: 'out_of_time',
      retryAfterSeconds: 3,
    });
    expect(clock.now).toBe(start + 1_000);
    expect(events).toEqual(['coalesced quote shared', 'coalesced quote timed_out']);
    // A refresh has no deadline: a joiner then comes back when the lease would end.
    const refresh = deferred<string>();
    void coordinator.share('quote', 'MSFT', refresh.promise, 'refresh');
    expect(await workDueBy(clock.now, () => coordinator.join('quote', 'MSFT'))).toEqual({
      kind: 'out_of_time',
      retryAfterSeconds: OPTIONS.leaseMs / 1000,
    });
    fill.resolve('late');
    refresh.resolve('late');
  });

  it('passes the running fill failure to its joiners, and forgets the fill', async () => {
    const { coordinator, clock } = harness();
    const fill = deferred<string>();
    const shared = workDueBy(clock.now + 5_000, () => coordinator.share('quote', KEY, fill.promise));
    const joined = workDueBy(clock.now + 5_000, () => coordinator.join<string>('quote', KEY));
    fill.reject(new Error('no provider could answer'));
    await expect(shared).rejects.toThrow('no provider could answer');
    await expect(joined).rejects.toThrow('no provider could answer');
    expect(coordinator.isFilling('quote', KEY)).toBe(false);
  });

  it('keeps a newer fill of the key when an older one settles', async () => {
    const { coordinator, clock } = harness();
    const older = deferred<string>();
    const newer = deferred<string>();
    void workDueBy(clock.now + 5_000, () => coordinator.share('quote', KEY, older.promise));
    void workDueBy(clock.now + 5_000, () => coordinator.share('quote', KEY, newer.promise));
    older.resolve('older');
    await older.promise;
    expect(coordinator.isFilling('quote', KEY)).toBe(true);
    newer.resolve('newer');
  });

  it('waits on real timers when given no sleep, and ends the wait once the answer comes', async () => {
    const store = new MemoryLeaseStore();
    const cache = new MemoryCacheReads();
    const now = Date.now();
    const coordinator = new CacheFillCoordinator({
      store,
      cache,
      metrics: { coalescedWait: () => {}, leaseTakeover: () => {}, cacheError: () => {} },
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      now: () => now,
      options: { leaseMs: 5_000, firstPollMs: 1, maxPollMs: 1 },
    });
    store.holdElsewhere(now);
    const waiting = workDueBy(now + 60_000, () => coordinator.turn('quote', KEY));
    cache.fill({ price: 7 });
    expect((await waiting).kind).toBe('filled');
    // A joiner's wait for its own deadline (a minute away) is cut short by the answer.
    const fill = deferred<string>();
    void workDueBy(now + 120_000, () => coordinator.share('quote', 'MSFT', fill.promise));
    const joined = workDueBy(now + 60_000, () => coordinator.join<string>('quote', 'MSFT'));
    fill.resolve('answer');
    expect(await joined).toEqual({ kind: 'answer', answer: 'answer' });
  });
});
