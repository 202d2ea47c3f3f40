import { randomUUID } from 'node:crypto';
import type { DataType } from '../model/data-types.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import {
  type FillLease,
  type FillLeaseOptions,
  judgePoll,
  mustRecheckCache,
  newLease,
  nextWaitStep,
  retryAfterSecondsOf,
} from './fill-lease-state.js';
import type { FillLeaseStore, LeaseClaim } from './fill-lease-store.js';

/** How one request fills a cache key that is missing (or too stale to serve at once). */
export interface CacheFill<A> {
  /** Asks the providers and writes the cache; the request's answer. Runs only under the lease (or when DynamoDB fails). */
  fetch: () => Promise<A>;
  /** What another container's fill left in the cache: its answer, `null` when it left nothing fresh. Throws "not found". */
  reread: () => Promise<A | null>;
  /** The answer of a waiter out of time: the stale value, or a 503 with this `Retry-After`. */
  giveUp: (retryAfterSeconds: number) => A | Promise<A>;
}

/** How one request revalidates a value within its soft window. */
export interface CacheRevalidation<A> extends Pick<CacheFill<A>, 'reread'> {
  /** The cached value, marked stale: everyone but the refreshing request answers it at once. */
  stale: () => A;
  /** Asks the providers and writes the cache: the refreshing request pays for it, and answers fresh. */
  fetch: () => Promise<A>;
}

export interface CacheFillCoordinatorDeps {
  store: FillLeaseStore;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  /** Epoch ms. */
  now: () => number;
  /** Waits between polls; a fake clock advances instead. Default: real timers. */
  sleep?: (ms: number) => Promise<void>;
  options: FillLeaseOptions;
}

type WonClaim = Extract<LeaseClaim, { won: true }>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One provider call per cache key, fleet-wide (nginx's `proxy_cache_lock`, across containers): the
 * first miss claims a short lease in DynamoDB and fetches; the others poll the lease until it is
 * released, then read the cache and answer what the leader left there. A leader that dies leaves its
 * lease to lapse; one that fails releases it with nothing cached. Either way exactly one waiter takes
 * over (a conditional write). Waiters out of time answer stale or 503.
 *
 * In front of that, in-process single flight: a container serving many requests at once (the local
 * gateway) makes one claim and one fetch per key, and its other requests share that answer.
 *
 * Within a value's soft window (stale-while-revalidate), the lease's winner refreshes and every other
 * request answers the stale value at once. On Lambda nothing runs after an answer, so the refresh is
 * paid by the request that wins it, not run in the background.
 */
export class CacheFillCoordinator {
  readonly #inFlight = new Map<string, Promise<unknown>>();
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: CacheFillCoordinatorDeps) {
    this.#sleep = deps.sleep ?? realSleep;
  }

  /** The answer for a missing key: this request's fetch, or the fill it joins (here or elsewhere in the fleet). */
  fill<A>(dataType: DataType, key: string, deadline: number, fill: CacheFill<A>): Promise<A> {
    const id = `${dataType}#${key}`;
    const running = this.#inFlight.get(id) as Promise<A> | undefined;
    if (running) {
      this.deps.metrics.coalescedWait(dataType, 'shared');
      return running;
    }
    return this.#track(id, this.#fillAcrossFleet(dataType, key, deadline, fill));
  }

  /** The answer for a value within its soft window: stale at once, unless this request wins the refresh. */
  revalidate<A>(dataType: DataType, key: string, revalidation: CacheRevalidation<A>): Promise<A> {
    const id = `${dataType}#${key}`;
    if (this.#inFlight.has(id)) return Promise.resolve(revalidation.stale());
    const refresh = async () => {
      const owner = randomUUID();
      const claim = await this.#claim(dataType, key, newLease(owner, this.deps.now(), this.deps.options));
      // A DynamoDB fault: the stale value is a fine answer, and costs no provider call.
      if (claim === 'fault' || !claim.won) return revalidation.stale();
      return this.#lead(dataType, key, claim, revalidation);
    };
    return this.#track(id, refresh());
  }

  #track<A>(id: string, running: Promise<A>): Promise<A> {
    this.#inFlight.set(id, running);
    const forget = () => {
      if (this.#inFlight.get(id) === running) this.#inFlight.delete(id);
    };
    running.then(forget, forget);
    return running;
  }

  async #fillAcrossFleet<A>(
    dataType: DataType,
    key: string,
    deadline: number,
    fill: CacheFill<A>,
  ): Promise<A> {
    const owner = randomUUID();
    const claim = await this.#claim(dataType, key, newLease(owner, this.deps.now(), this.deps.options));
    // Without DynamoDB there is no lease to share: fetch, as the layer did before coalescing.
    if (claim === 'fault') return fill.fetch();
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
    for (;;) {
      const now = this.deps.now();
      if (waitingOn === undefined) {
        if (now >= deadline) return this.#giveUp(dataType, fill, 1);
        const answer = await this.#filledByAnother(dataType, fill);
        if (answer !== null) return answer;
        // The leader failed and released its lease: one waiter tries again.
        const claim = await this.#claim(dataType, key, newLease(owner, now, this.deps.options));
        if (claim === 'fault') return fill.fetch();
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
        if (claim === 'fault') return fill.fetch();
        if (claim.won) return this.#takeOver(dataType, key, claim, fill);
        waitingOn = claim.current;
        continue;
      }
      await this.#sleep(step.delayMs);
      polls++;
      let read: FillLease | undefined;
      try {
        read = await this.deps.store.read(dataType, key);
      } catch (error) {
        this.#storeFault(dataType, 'read', error);
        return fill.fetch();
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
   * Fills under the lease, then releases it whatever happened, so waiters learn of it at their next
   * poll. When the lease it replaced ended recently, another fill may have landed since this request
   * read the cache: read it again first (double-checked), rather than call a provider for nothing.
   */
  async #lead<A>(
    dataType: DataType,
    key: string,
    claim: WonClaim,
    fill: Pick<CacheFill<A>, 'fetch' | 'reread'>,
  ): Promise<A> {
    try {
      if (mustRecheckCache(claim.replaced, this.deps.now())) {
        const answer = await this.#filledByAnother(dataType, fill);
        if (answer !== null) return answer;
      }
      return await fill.fetch();
    } finally {
      // A release that fails leaves the lease to lapse: waiters take over then, a little later.
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
