import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DataType } from '../model/data-types.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { providerWorkEnd } from '../resilience/request-end.js';
import { type CacheReads, cacheFault } from './cache-reader.js';
import type { CacheLookup } from './data-cache.js';
import {
  type FillLease,
  type FillLeaseOptions,
  judgePoll,
  mayLapse,
  mustRecheckCache,
  newLease,
  nextWaitStep,
  retryAfterSecondsOf,
} from './fill-lease-state.js';
import type { FillLeaseStore, LeaseClaim } from './fill-lease-store.js';

/** What another request's fill left in the cache: its value (fresh, and one this request accepts), or its "no such symbol". */
export type Filled<T> = Exclude<CacheLookup<T>, { kind: 'none' }>;

/** A lease this request won: it fills the key, then hands the lease back with `finish`. */
export type FillClaim = Extract<LeaseClaim, { won: true }>;

/** What a request that missed does next. */
export type FillTurn<T> =
  /** This request fills the key: it asks the providers, writes the cache, then calls `finish`. */
  | { kind: 'lead'; claim: FillClaim }
  /** Another request's fill landed while this one waited (or just before it claimed): answer it. */
  | { kind: 'filled'; found: Filled<T> }
  /** Out of time waiting for another request's fill: the stale value, or 503 with this `Retry-After`. */
  | { kind: 'out_of_time'; retryAfterSeconds: number }
  /**
   * DynamoDB cannot hold the lease (it fails or is skipped): nothing stops every request in the fleet
   * from calling the providers at once, so a request with a stale value answers it; else it fetches.
   */
  | { kind: 'no_lease' };

/** What a request that read a value within its soft window does next. */
export type RefreshTurn<T> =
  /** This request refreshes the value (it pays for it, and answers fresh), then calls `finish`. */
  | { kind: 'refresh'; claim: FillClaim }
  /** Another request refreshes it, or the lease cannot be had: answer the stale value at once. */
  | { kind: 'stale' }
  /** Another request's refresh already landed: answer it. */
  | { kind: 'filled'; found: Filled<T> };

/** What a request sharing this container's running fill gets: its answer, or its own deadline first. */
export type Joined<A> = { kind: 'answer'; answer: A } | { kind: 'out_of_time'; retryAfterSeconds: number };

export interface CacheFillCoordinatorDeps {
  store: Pick<FillLeaseStore, 'claim' | 'read' | 'release'>;
  /** Where a waiter looks for what another request's fill cached (strongly consistent reads). */
  cache: CacheReads;
  metrics: Pick<DataLayerMetrics, 'coalescedWait' | 'leaseTakeover' | 'cacheError'>;
  logger: DomainLogger;
  /** Epoch ms. */
  now: () => number;
  /**
   * Waits between polls; a fake clock advances instead. Default: real timers. `signal` ends a wait
   * no longer needed (a sleep that ignores it only resolves late, to no effect).
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  options: FillLeaseOptions;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  delay(ms, undefined, { signal }).catch(() => {
    // Aborted: the wait is no longer needed.
  });

/** A fill running in this container, and the deadline of the request that runs it. */
interface RunningFill {
  answer: Promise<unknown>;
  /** Epoch ms; `Infinity` for a refresh, which waits for no one. */
  deadline: number;
}

/** What a joiner's own deadline resolves to when it comes first. */
const OUT_OF_TIME = Symbol('out of time');

/**
 * One provider call per cache key, fleet-wide (nginx's `proxy_cache_lock`, across containers). It
 * decides; the service acts. The first miss claims a short lease in DynamoDB and is told to lead
 * (`turn` answers `lead`): it fetches, caches, and calls `finish`. The others poll the cache, then
 * the lease, and are told what the leader cached (`filled`). A leader that cached its value leaves
 * its lease to lapse (its waiters find the value; no write to release it); one that fails releases it
 * with nothing cached; one that dies leaves it to lapse. Either way exactly one waiter takes over (a
 * conditional write) and is told to lead. Waiters out of time are told so (`out_of_time`: stale or
 * 503). Without DynamoDB there is no lease to share (`no_lease`).
 *
 * In front of that, in-process single flight: a container serving many requests at once (the local
 * gateway) makes one claim and one fetch per key (`share`), and its other requests `join` that answer,
 * each until its own deadline.
 *
 * Within a value's soft window (stale-while-revalidate), the lease's winner refreshes (`refreshTurn`
 * answers `refresh`) and every other request answers the stale value at once. On Lambda nothing runs
 * after an answer, so the refresh is paid by the request that wins it, not run in the background.
 */
export class CacheFillCoordinator {
  readonly #inFlight = new Map<string, RunningFill>();
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly deps: CacheFillCoordinatorDeps) {
    this.#sleep = deps.sleep ?? realSleep;
  }

  /** Whether this container is filling (or refreshing) the key now. */
  isFilling(dataType: DataType, key: string): boolean {
    return this.#inFlight.has(fillId(dataType, key));
  }

  /**
   * Shares `answer`, this request's fill (or refresh) of the key, with the requests of this container
   * that `join` it until it settles. A fill is due by the request's provider work end; a refresh
   * waits for no one.
   */
  share<A>(
    dataType: DataType,
    key: string,
    answer: Promise<A>,
    kind: 'fill' | 'refresh' = 'fill',
  ): Promise<A> {
    const id = fillId(dataType, key);
    const deadline = kind === 'refresh' ? Number.POSITIVE_INFINITY : providerWorkEnd();
    const running: RunningFill = { answer, deadline };
    this.#inFlight.set(id, running);
    const forget = () => {
      if (this.#inFlight.get(id) === running) this.#inFlight.delete(id);
    };
    answer.then(forget, forget);
    return answer;
  }

  /**
   * The answer of this container's running fill of the key, shared (`undefined` when none runs),
   * unless this request's own provider work end comes first: then it is out of time, as a waiter is.
   */
  join<A>(dataType: DataType, key: string): Promise<Joined<A>> | undefined {
    const running = this.#inFlight.get(fillId(dataType, key));
    if (!running) return undefined;
    this.deps.metrics.coalescedWait(dataType, 'shared');
    return this.#join(dataType, running, providerWorkEnd());
  }

  async #join<A>(dataType: DataType, running: RunningFill, deadline: number): Promise<Joined<A>> {
    const answer = running.answer as Promise<A>;
    if (deadline >= running.deadline) return { kind: 'answer', answer: await answer };
    const ownDeadline = new AbortController();
    try {
      const first = await Promise.race([
        answer,
        this.#sleep(Math.max(0, deadline - this.deps.now()), ownDeadline.signal).then(() => OUT_OF_TIME),
      ]);
      if (first !== OUT_OF_TIME) return { kind: 'answer', answer: first as A };
    } finally {
      ownDeadline.abort();
    }
    // Come back when the running fill is done: by its request's deadline, or its lease's end if sooner.
    const now = this.deps.now();
    const retryAfterMs = Math.min(running.deadline, now + this.deps.options.leaseMs) - now;
    return this.#outOfTime(dataType, Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }

  /**
   * Who fills a key the cache missed: this request (`lead`), or another whose value it then answers
   * (`filled`), waiting until the request's provider work end (`runUntil`) at most. `accepts`:
   * whether a value another request cached serves this one (a series must reach back far enough).
   */
  async turn<T>(dataType: DataType, key: string, accepts?: (value: T) => boolean): Promise<FillTurn<T>> {
    const deadline = providerWorkEnd();
    const fill: Fill<T> = { dataType, key, accepts, owner: randomUUID() };
    const claim = await this.#claim(fill, this.deps.now());
    if (claim === 'fault') return { kind: 'no_lease' };
    if (claim.won) return this.#lead(fill, claim);
    return this.#wait(fill, deadline, claim.current);
  }

  /** Who refreshes a value within its soft window: this request, or another (answer stale at once). */
  async refreshTurn<T>(
    dataType: DataType,
    key: string,
    accepts?: (value: T) => boolean,
  ): Promise<RefreshTurn<T>> {
    const fill: Fill<T> = { dataType, key, accepts, owner: randomUUID() };
    const claim = await this.#claim(fill, this.deps.now());
    // A DynamoDB fault: the stale value is a fine answer, and costs no provider call.
    if (claim === 'fault') return { kind: 'stale' };
    if (claim.won) {
      const turn = await this.#lead(fill, claim);
      return turn.kind === 'lead' ? { kind: 'refresh', claim: turn.claim } : turn;
    }
    // Another request's refresh: it may have landed (its lease left to lapse) since this request read
    // the cache, eventually consistent; a consistent read says, else the stale value now.
    const found = await this.#filledByAnother(fill);
    return found ? { kind: 'filled', found } : { kind: 'stale' };
  }

  /**
   * A leader's fill is over: its lease is released, unless the value it cached (`cachedFreshUntil`,
   * epoch ms; `null` when it cached nothing its waiters take) lets it lapse (`mayLapse`). Waiters of
   * a fill that failed learn of it at their next poll. A release that fails leaves the lease to
   * lapse: waiters take over then, a little later.
   */
  async finish(
    dataType: DataType,
    key: string,
    claim: FillClaim,
    cachedFreshUntil: number | null,
  ): Promise<void> {
    if (mayLapse(claim.lease, cachedFreshUntil)) return;
    await this.#release(dataType, key, claim);
  }

  /**
   * Waits on `waitingOn` (`undefined`: released): polls the cache, then the lease, with back-off;
   * takes over when it lapses or was released with nothing cached; gives up at `deadline`.
   */
  async #wait<T>(fill: Fill<T>, deadline: number, lease: FillLease | undefined): Promise<FillTurn<T>> {
    let waitingOn = lease;
    let polls = 0;
    // Whether this waiter read the cache since it last read the lease (and found nothing it takes).
    let cacheRead = false;
    for (;;) {
      const now = this.deps.now();
      if (waitingOn === undefined) {
        if (now >= deadline) return this.#outOfTime(fill.dataType, 1);
        if (!cacheRead) {
          const found = await this.#filledByAnother(fill);
          if (found) return { kind: 'filled', found };
        }
        cacheRead = false;
        // The leader failed and released its lease: one waiter tries again.
        const claim = await this.#claim(fill, now);
        if (claim === 'fault') return { kind: 'no_lease' };
        if (claim.won) return this.#takeOver(fill, claim);
        waitingOn = claim.current;
        polls = 0;
        if (waitingOn === undefined) await this.#sleep(this.deps.options.firstPollMs);
        continue;
      }
      const step = nextWaitStep(waitingOn, { now, deadline, polls }, this.deps.options);
      if (step.kind === 'give-up') return this.#outOfTime(fill.dataType, retryAfterSecondsOf(waitingOn, now));
      if (step.kind === 'take-over') {
        const claim = await this.#claim(fill, now, waitingOn);
        if (claim === 'fault') return { kind: 'no_lease' };
        if (claim.won) return this.#takeOver(fill, claim);
        waitingOn = claim.current;
        continue;
      }
      await this.#sleep(step.delayMs);
      polls++;
      // The cache first: a leader that cached its value leaves its lease to lapse, unreleased.
      const found = await this.#filledByAnother(fill);
      if (found) return { kind: 'filled', found };
      cacheRead = true;
      let read: FillLease | undefined;
      try {
        read = await this.deps.store.read(fill.dataType, fill.key);
      } catch (error) {
        this.#storeFault(fill.dataType, 'read', error);
        return { kind: 'no_lease' };
      }
      const verdict = judgePoll(waitingOn, read, this.deps.now());
      waitingOn = verdict.kind === 'settled' ? undefined : verdict.lease;
    }
  }

  #takeOver<T>(fill: Fill<T>, claim: FillClaim): Promise<FillTurn<T>> {
    this.deps.metrics.leaseTakeover(fill.dataType);
    return this.#lead(fill, claim);
  }

  #outOfTime(
    dataType: DataType,
    retryAfterSeconds: number,
  ): { kind: 'out_of_time'; retryAfterSeconds: number } {
    this.deps.metrics.coalescedWait(dataType, 'timed_out');
    return { kind: 'out_of_time', retryAfterSeconds };
  }

  /**
   * A won lease: lead, unless the lease it replaced ended recently, when another fill may have landed
   * since this request read the cache: read it again first (double-checked), rather than call a
   * provider for nothing; what it finds is answered, and the lease released.
   */
  async #lead<T>(
    fill: Fill<T>,
    claim: FillClaim,
  ): Promise<Extract<FillTurn<T>, { kind: 'lead' | 'filled' }>> {
    if (mustRecheckCache(claim.replaced, this.deps.now())) {
      const found = await this.#filledByAnother(fill);
      if (found) {
        await this.#release(fill.dataType, fill.key, claim);
        return { kind: 'filled', found };
      }
    }
    return { kind: 'lead', claim };
  }

  /** What another request's fill cached, counted as served: a fresh value this request accepts, or "no such symbol". */
  async #filledByAnother<T>({ dataType, key, accepts }: Fill<T>): Promise<Filled<T> | null> {
    const found = await this.deps.cache.read<T>(dataType, key, { consistent: true });
    if (found.kind === 'none') return null;
    if (found.kind === 'value' && (!found.entry.fresh || (accepts && !accepts(found.entry.value))))
      return null;
    this.deps.metrics.coalescedWait(dataType, 'served');
    return found;
  }

  async #claim<T>(fill: Fill<T>, now: number, replacing?: FillLease): Promise<LeaseClaim | 'fault'> {
    const lease = newLease(fill.owner, now, this.deps.options);
    try {
      return await this.deps.store.claim(fill.dataType, fill.key, lease, this.deps.now(), replacing);
    } catch (error) {
      this.#storeFault(fill.dataType, 'write', error);
      return 'fault';
    }
  }

  async #release(dataType: DataType, key: string, claim: FillClaim): Promise<void> {
    await this.deps.store
      .release(dataType, key, claim.lease.owner, this.deps.now())
      .catch((error: unknown) => this.#storeFault(dataType, 'write', error));
  }

  /** The lease is part of the cache: its faults are cache faults, counted and logged, and the request goes on. */
  #storeFault(dataType: DataType, operation: 'read' | 'write', error: unknown): void {
    cacheFault(this.deps, dataType, operation, error, 'cache fill lease unavailable; going on without it');
  }
}

/** One request's part in filling one key. */
interface Fill<T> {
  dataType: DataType;
  key: string;
  accepts: ((value: T) => boolean) | undefined;
  /** This request's lease owner id, the same for every claim it makes. */
  owner: string;
}

function fillId(dataType: DataType, key: string): string {
  return `${dataType}#${key}`;
}
