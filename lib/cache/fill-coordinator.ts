import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DataType } from '../model/data-types.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
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

/** A fetch's answer, and until when the value it cached stays fresh. */
export interface Fetched<A> {
  answer: A;
  /**
   * Epoch ms; `null` when the fetch left nothing in the cache that every request waiting on this key
   * takes (a write that failed, a stale answer while every provider fails). The lease is then released.
   */
  cachedFreshUntil: number | null;
}

/** How one request fills a cache key that is missing (or too stale to serve at once). */
export interface CacheFill<A> {
  /** Asks the providers and writes the cache. Runs only under the lease (or when DynamoDB fails). */
  fetch: () => Promise<Fetched<A>>;
  /** What another container's fill left in the cache: its answer, `null` when it left nothing fresh. Throws "not found". */
  reread: () => Promise<A | null>;
  /** The answer of a waiter out of time: the stale value, or a 503 with this `Retry-After`. */
  giveUp: (retryAfterSeconds: number) => A | Promise<A>;
  /**
   * The answer when DynamoDB cannot hold the lease (it fails or is skipped): the value this request
   * read, stale, when it has one, since nothing then stops every request in the fleet from calling the
   * providers at once; else the fetch's answer.
   */
  withoutLease: () => Promise<A>;
}

/** How one request revalidates a value within its soft window. */
export interface CacheRevalidation<A> extends Pick<CacheFill<A>, 'reread'> {
  /** The cached value, marked stale: everyone but the refreshing request answers it at once. */
  stale: () => A;
  /** Asks the providers and writes the cache: the refreshing request pays for it, and answers fresh. */
  fetch: () => Promise<Fetched<A>>;
}

export interface CacheFillCoordinatorDeps {
  store: FillLeaseStore;
  metrics: DataLayerMetrics;
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

type WonClaim = Extract<LeaseClaim, { won: true }>;

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
 * One provider call per cache key, fleet-wide (nginx's `proxy_cache_lock`, across containers): the
 * first miss claims a short lease in DynamoDB and fetches; the others poll the cache, then the lease,
 * and answer what the leader left in the cache. A leader that cached its value leaves its lease to
 * lapse (its waiters find the value; no write to release it); one that fails releases it with nothing
 * cached; one that dies leaves it to lapse. Either way exactly one waiter takes
 * over (a conditional write). Waiters out of time answer stale or 503. Without DynamoDB there is no
 * lease to share: a request answers what it read, stale, or else fetches (`withoutLease`).
 *
 * In front of that, in-process single flight: a container serving many requests at once (the local
 * gateway) makes one claim and one fetch per key, and its other requests share that answer, each
 * until its own deadline.
 *
 * Within a value's soft window (stale-while-revalidate), the lease's winner refreshes and every other
 * request answers the stale value at once. On Lambda nothing runs after an answer, so the refresh is
 * paid by the request that wins it, not run in the background.
 */
export class CacheFillCoordinator {
  readonly #inFlight = new Map<string, RunningFill>();
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly deps: CacheFillCoordinatorDeps) {
    this.#sleep = deps.sleep ?? realSleep;
  }

  /** The answer for a missing key: this request's fetch, or the fill it joins (here or elsewhere in the fleet). */
  fill<A>(dataType: DataType, key: string, deadline: number, fill: CacheFill<A>): Promise<A> {
    const id = `${dataType}#${key}`;
    const running = this.#inFlight.get(id);
    if (running) {
      this.deps.metrics.coalescedWait(dataType, 'shared');
      return this.#join(dataType, running, deadline, fill);
    }
    return this.#track(id, deadline, this.#fillAcrossFleet(dataType, key, deadline, fill));
  }

  /**
   * A request sharing this container's running fill: its answer, unless this request's own deadline
   * comes first; then it answers as a waiter out of time does (stale, or 503).
   */
  async #join<A>(dataType: DataType, running: RunningFill, deadline: number, fill: CacheFill<A>): Promise<A> {
    const answer = running.answer as Promise<A>;
    if (deadline >= running.deadline) return answer;
    const ownDeadline = new AbortController();
    try {
      const first = await Promise.race([
        answer,
        this.#sleep(Math.max(0, deadline - this.deps.now()), ownDeadline.signal).then(() => OUT_OF_TIME),
      ]);
      if (first !== OUT_OF_TIME) return first as A;
    } finally {
      ownDeadline.abort();
    }
    // Come back when the running fill is done: by its request's deadline, or its lease's end if sooner.
    const now = this.deps.now();
    const retryAfterMs = Math.min(running.deadline, now + this.deps.options.leaseMs) - now;
    return this.#giveUp(dataType, fill, Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }

  /** The answer for a value within its soft window: stale at once, unless this request wins the refresh. */
  revalidate<A>(dataType: DataType, key: string, revalidation: CacheRevalidation<A>): Promise<A> {
    const id = `${dataType}#${key}`;
    if (this.#inFlight.has(id)) return Promise.resolve(revalidation.stale());
    const refresh = async () => {
      const owner = randomUUID();
      const claim = await this.#claim(dataType, key, newLease(owner, this.deps.now(), this.deps.options));
      // A DynamoDB fault: the stale value is a fine answer, and costs no provider call.
      if (claim === 'fault') return revalidation.stale();
      // Another request's refresh: it may have landed (its lease left to lapse) since this request
      // read the cache, eventually consistent; a consistent read says, else the stale value now.
      if (!claim.won) return (await this.#filledByAnother(dataType, revalidation)) ?? revalidation.stale();
      return this.#lead(dataType, key, claim, revalidation);
    };
    return this.#track(id, Number.POSITIVE_INFINITY, refresh());
  }

  #track<A>(id: string, deadline: number, answer: Promise<A>): Promise<A> {
    const running: RunningFill = { answer, deadline };
    this.#inFlight.set(id, running);
    const forget = () => {
      if (this.#inFlight.get(id) === running) this.#inFlight.delete(id);
    };
    answer.then(forget, forget);
    return answer;
  }

  async #fillAcrossFleet<A>(
    dataType: DataType,
    key: string,
    deadline: number,
    fill: CacheFill<A>,
  ): Promise<A> {
    const owner = randomUUID();
    const claim = await this.#claim(dataType, key, newLease(owner, this.deps.now(), this.deps.options));
    if (claim === 'fault') return fill.withoutLease();
    if (claim.won) return this.#lead(dataType, key, claim, fill);
    return this.#wait(dataType, key, deadline, fill, owner, claim.current);
  }

  /**
   * Waits on `waitingOn` (`undefined`: released): polls it with back-off, reads the cache once it is
   * released, takes over when it lapses or was released with nothing cached, gives up at `deadline`.
   */
  async #wait<A>(
    dataType: DataType,
    key: string,
    deadline: number,
    fill: CacheFill<A>,
    owner: string,
    lease: FillLease | undefined,
  ): Promise<A> {
    let waitingOn = lease;
    let polls = 0;
    // Whether this waiter read the cache since it last read the lease (and found nothing it takes).
    let cacheRead = false;
    for (;;) {
      const now = this.deps.now();
      if (waitingOn === undefined) {
        if (now >= deadline) return this.#giveUp(dataType, fill, 1);
        if (!cacheRead) {
          const answer = await this.#filledByAnother(dataType, fill);
          if (answer !== null) return answer;
        }
        cacheRead = false;
        // The leader failed and released its lease: one waiter tries again.
        const claim = await this.#claim(dataType, key, newLease(owner, now, this.deps.options));
        if (claim === 'fault') return fill.withoutLease();
        if (claim.won) return this.#takeOver(dataType, key, claim, fill);
        waitingOn = claim.current;
        polls = 0;
        if (waitingOn === undefined) await this.#sleep(this.deps.options.firstPollMs);
        continue;
      }
      const step = nextWaitStep(waitingOn, { now, deadline, polls }, this.deps.options);
      if (step.kind === 'give-up') return this.#giveUp(dataType, fill, retryAfterSecondsOf(waitingOn, now));
      if (step.kind === 'take-over') {
        const claim = await this.#claim(dataType, key, newLease(owner, now, this.deps.options), waitingOn);
        if (claim === 'fault') return fill.withoutLease();
        if (claim.won) return this.#takeOver(dataType, key, claim, fill);
        waitingOn = claim.current;
        continue;
      }
      await this.#sleep(step.delayMs);
      polls++;
      // The cache first: a leader that cached its value leaves its lease to lapse, unreleased.
      const answer = await this.#filledByAnother(dataType, fill);
      if (answer !== null) return answer;
      cacheRead = true;
      let read: FillLease | undefined;
      try {
        read = await this.deps.store.read(dataType, key);
      } catch (error) {
        this.#storeFault(dataType, 'read', error);
        return fill.withoutLease();
      }
      const verdict = judgePoll(waitingOn, read, this.deps.now());
      waitingOn = verdict.kind === 'settled' ? undefined : verdict.lease;
    }
  }

  #takeOver<A>(dataType: DataType, key: string, claim: WonClaim, fill: CacheFill<A>): Promise<A> {
    this.deps.metrics.leaseTakeover(dataType);
    return this.#lead(dataType, key, claim, fill);
  }

  async #giveUp<A>(dataType: DataType, fill: CacheFill<A>, retryAfterSeconds: number): Promise<A> {
    this.deps.metrics.coalescedWait(dataType, 'timed_out');
    return fill.giveUp(retryAfterSeconds);
  }

  /**
   * Fills under the lease, then releases it unless the value it cached lets it lapse (`mayLapse`):
   * waiters of a fill that failed learn of it at their next poll. When the lease it replaced ended
   * recently, another fill may have landed since this request read the cache: read it again first
   * (double-checked), rather than call a provider for nothing.
   */
  async #lead<A>(
    dataType: DataType,
    key: string,
    claim: WonClaim,
    fill: Pick<CacheFill<A>, 'fetch' | 'reread'>,
  ): Promise<A> {
    let lapses = false;
    try {
      if (mustRecheckCache(claim.replaced, this.deps.now())) {
        const answer = await this.#filledByAnother(dataType, fill);
        if (answer !== null) return answer;
      }
      const { answer, cachedFreshUntil } = await fill.fetch();
      lapses = mayLapse(claim.lease, cachedFreshUntil);
      return answer;
    } finally {
      // A release that fails leaves the lease to lapse: waiters take over then, a little later.
      if (!lapses)
        await this.deps.store
          .release(dataType, key, claim.lease.owner, this.deps.now())
          .catch((error: unknown) => this.#storeFault(dataType, 'write', error));
    }
  }

  /** What another request's fill cached, counted as served; its "no such symbol" is thrown, and counted too. */
  async #filledByAnother<A>(dataType: DataType, fill: Pick<CacheFill<A>, 'reread'>): Promise<A | null> {
    let answer: A | null;
    try {
      answer = await fill.reread();
    } catch (error) {
      this.deps.metrics.coalescedWait(dataType, 'served');
      throw error;
    }
    if (answer !== null) this.deps.metrics.coalescedWait(dataType, 'served');
    return answer;
  }

  async #claim(
    dataType: DataType,
    key: string,
    lease: FillLease,
    replacing?: FillLease,
  ): Promise<LeaseClaim | 'fault'> {
    try {
      return await this.deps.store.claim(dataType, key, lease, this.deps.now(), replacing);
    } catch (error) {
      this.#storeFault(dataType, 'write', error);
      return 'fault';
    }
  }

  /** The lease is part of the cache: its faults are cache faults, counted and logged, and the request goes on. */
  #storeFault(dataType: DataType, operation: 'read' | 'write', error: unknown): void {
    this.deps.metrics.cacheError(dataType, operation);
    this.deps.logger.warn('cache fill lease unavailable; going on without it', {
      dataType,
      operation,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
