/**
 * The cache-fill lease's rules, with no I/O: who fetches a missing or stale cache entry, how long the
 * others wait for it, and when one of them takes over. `fill-lease-store.ts` persists a `FillLease`
 * with conditional writes; `fill-coordinator.ts` applies these rules (nginx's `proxy_cache_lock`,
 * fleet-wide, and RFC 5861's stale-while-revalidate).
 */

/** One container's claim on filling one cache key: taken by a conditional write, it lapses at `leaseUntil`. */
export interface FillLease {
  /** A fresh id per fill: only its owner may release it, and a takeover names the owner it replaces. */
  owner: string;
  /** Epoch ms. Past this, the owner is presumed dead and one waiter may take the lease over. */
  leaseUntil: number;
}

/** A lease as stored: released leases stay (lapsed) until DynamoDB reaps them, saying when their fill ended. */
export interface StoredLease extends FillLease {
  /** Epoch ms: when the owner released it (its fill done or failed). Absent while it runs, or if it died. */
  releasedAt?: number;
}

/** How long a lease lasts and how its waiters poll. Every duration is in milliseconds. */
export interface FillLeaseOptions {
  /**
   * `CACHE_FILL_LEASE_SECONDS`: how long a fill may run before a waiter may take over. Long enough for
   * a walk of the provider chain that meets a timeout or two; short enough that a waiter still has
   * time to take over from a dead leader within API Gateway's 29 s (a leader that fails releases the
   * lease at once, and one that cached its value leaves it to lapse, its waiters served from the
   * cache; so only a death costs this long).
   */
  leaseMs: number;
  /** The first wait between two polls of a held lease... */
  firstPollMs: number;
  /** ...doubling up to this. */
  maxPollMs: number;
}

export const DEFAULT_FILL_LEASE_OPTIONS: FillLeaseOptions = {
  leaseMs: 15_000,
  firstPollMs: 50,
  maxPollMs: 400,
};

/** A new lease for `owner` from `now`. */
export function newLease(owner: string, now: number, options: Pick<FillLeaseOptions, 'leaseMs'>): FillLease {
  return { owner, leaseUntil: now + options.leaseMs };
}

/** Whether a lease has lapsed at `now`: its owner died, or hung past its time. */
export function isExpired(lease: FillLease, now: number): boolean {
  return lease.leaseUntil <= now;
}

/** The TTL (epoch seconds) that lets DynamoDB reap a lease item: a minute after it lapses. */
export function leaseItemExpiresAt(lease: FillLease): number {
  return Math.ceil(lease.leaseUntil / 1000) + 60;
}

/**
 * Whether a leader may leave its lease to lapse rather than release it, one write fewer per fill: only
 * once its value is cached (`cachedFreshUntil`, epoch ms; `null` when it cached nothing, as a stale
 * answer during an outage), since waiters then find the value on their next read of the cache; and
 * only when that value stays fresh past the lease's end, or the next fill would wait on a lease whose
 * value went stale.
 */
export function mayLapse(lease: FillLease, cachedFreshUntil: number | null): boolean {
  return cachedFreshUntil !== null && cachedFreshUntil >= lease.leaseUntil;
}

/** What a waiter does next. */
export type WaitStep =
  /** Sleep this long, then read the lease again. */
  | { kind: 'poll'; delayMs: number }
  /** The lease lapsed: race the other waiters for it (a conditional write; exactly one wins). */
  | { kind: 'take-over' }
  /** Out of time: answer without the fill (the stale value, or 503). */
  | { kind: 'give-up' };

/**
 * The next step of a waiter that has polled `polls` times, holding its latest read of the lease.
 * Polls back off (50 ms doubling to 400 ms by default), and never sleep past the lease's end (a
 * waiter wakes in time to take over) or the waiter's deadline.
 */
export function nextWaitStep(
  lease: FillLease,
  at: { now: number; deadline: number; polls: number },
  options: Pick<FillLeaseOptions, 'firstPollMs' | 'maxPollMs'>,
): WaitStep {
  if (at.now >= at.deadline) return { kind: 'give-up' };
  if (isExpired(lease, at.now)) return { kind: 'take-over' };
  const backoff = Math.min(options.firstPollMs * 2 ** Math.min(at.polls, 30), options.maxPollMs);
  const delayMs = Math.min(backoff, at.deadline - at.now, lease.leaseUntil - at.now);
  return { kind: 'poll', delayMs: Math.max(1, delayMs) };
}

/** What one poll of the lease found, judged against the lease the waiter was waiting on. */
export type PollVerdict =
  /** The same owner still holds it, within its time (possibly a later read of the same lease). */
  | { kind: 'wait'; lease: FillLease }
  /** The owner it waited on is gone: released (it finished, or failed) or replaced. Read the cache. */
  | { kind: 'settled' }
  /** The same owner, past its time: take over. */
  | { kind: 'expired'; lease: FillLease };

export function judgePoll(waitingOn: FillLease, read: StoredLease | undefined, now: number): PollVerdict {
  if (read === undefined || read.owner !== waitingOn.owner || read.releasedAt !== undefined) {
    return { kind: 'settled' };
  }
  return isExpired(read, now) ? { kind: 'expired', lease: read } : { kind: 'wait', lease: read };
}

/** No request outlives API Gateway's 29 s: its cache read was at most this long before it claimed a lease. */
const LONGEST_REQUEST_MS = 30_000;

/**
 * What a won claim replaced: the lease before it, none, or `'unknown'` when the claim's reply was lost
 * and its retry found the claim itself in place.
 */
export type ReplacedLease = StoredLease | undefined | 'unknown';

/**
 * Whether a request that just won the lease must read the cache again before calling a provider: the
 * lease it replaced was released (or lapsed) recently enough that another fill may have completed
 * after this request read the cache, or what it replaced is unknown. Otherwise its read stands, and
 * the fill costs no second read.
 */
export function mustRecheckCache(replaced: ReplacedLease, claimedAt: number): boolean {
  if (replaced === undefined) return false;
  if (replaced === 'unknown') return true;
  return (replaced.releasedAt ?? replaced.leaseUntil) > claimedAt - LONGEST_REQUEST_MS;
}

/** How a cached value past its freshness is to be served. */
export type StaleHandling =
  /** Within the soft window: answer it at once, while one request fleet-wide refreshes it. */
  | 'revalidate'
  /** Past the soft window (or never cached): wait for a fill, and serve it stale only if that fails. */
  | 'fill';

/**
 * RFC 5861's soft window for a value past its freshness, `ageSeconds` old: less than
 * `staleWhileRevalidateSeconds` past the data type's fresh lifetime, it is answered at once while it
 * is refreshed. Measured by age against the type's configured lifetime, not from the moment the
 * value went stale: daily bars, stale from the market close on, are revalidated while younger than
 * that lifetime plus the window.
 */
export function staleHandling(
  ageSeconds: number,
  policy: { freshSeconds: number; staleWhileRevalidateSeconds: number },
): StaleHandling {
  return ageSeconds < policy.freshSeconds + policy.staleWhileRevalidateSeconds ? 'revalidate' : 'fill';
}

/** The `Retry-After` of a waiter that ran out of time: when the lease it waited on ends, at least 1 s. */
export function retryAfterSecondsOf(lease: FillLease, now: number): number {
  return Math.max(1, Math.ceil((lease.leaseUntil - now) / 1000));
}
