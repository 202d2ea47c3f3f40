import type { ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { FailureKind } from '../providers/provider.js';
import type { KeyLease, KeySource } from '../providers/provider-manager.js';
import type { KeyPoolStore } from './key-pool-store.js';
import { DEFAULT_KEY_QUARANTINE, type KeyQuarantineOptions, provesKeyAccepted } from './key-quarantine.js';
import { KeyQuarantineKeeper } from './key-quarantine-keeper.js';
import { isParked, isQuarantined, type KeyState, type KeyStates, type ParkReason } from './key-states.js';
import { dayWindow, effectiveLimits, minuteWindow, withSpare } from './provider-limits.js';
import { InMemoryBudget, type RateLimiter } from './rate-limiter.js';
import type { KeyPool, ProviderKey } from './secrets-layout.js';

/** How a call made with a leased key ended: `ok`, or the provider failure's kind. */
export type KeyOutcome = 'ok' | FailureKind;

/** How a lease may spend a key's budget. */
export interface LeaseOptions {
  /**
   * The share (0..1) of each limited window the call must leave untouched, at least one call
   * (`withSpare`): for calls no answer waits for (accuracy audits). Such a lease never re-tests a
   * quarantined key: that is the request's own call.
   */
  spare?: number;
}

/** What a broker needs; `now` is epoch ms, injected so tests drive time. */
export interface KeyBrokerDeps {
  pools: Pick<KeyPoolStore, 'pool'>;
  limiter: RateLimiter;
  states: KeyStates;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  now: () => number;
  /** Where this container's rotation through each pool starts; random by default, fixed in tests. */
  firstTurn?: number;
  /** How much evidence quarantines a key and when it is re-tested; default `DEFAULT_KEY_QUARANTINE`. */
  quarantine?: KeyQuarantineOptions;
}

/**
 * Hands out provider keys that have budget left, fleet-wide: the `KeySource` of the provider manager.
 *
 * `lease` skips keys that are quarantined (the provider rejected them) or parked (throttled, or
 * their quota spent), then takes one call's budget from the first key that has some, starting the
 * search one key further on each lease so a container spreads its calls over the pool. No key with
 * budget → `null`, and the provider manager skips the provider as it skips an open breaker.
 * `report` turns the provider's verdict on a key into state every container sees.
 *
 * Quarantine needs evidence: `threshold` invalid-key answers, counted fleet-wide in the key's state
 * item, with no success of the key between them and within `windowMs` (one stray 401 from a proxy
 * is not a verdict). A quarantined key is re-tested every `retestMs` on the request path, like the
 * breaker's half-open probe: the container whose conditional write claims the re-test leases the
 * key for that request's call, and the provider's answer decides (accepted → released fleet-wide;
 * rejected → quarantined until the next re-test). The call is the request's own: no call beyond
 * it (a free key's quota is small), bounded by the request's attempt timeout and deadline with no
 * change to the provider manager; at worst (still rejected) that one request falls through to the
 * next provider, once per key per `retestMs`. (The rotation Lambda runs every 30 days: too rarely.)
 *
 * DynamoDB failure policy (fail open, bounded per container). Without the table this container
 * cannot see the fleet's counts, so it counts alone: each key keeps its own per-minute and per-day
 * limits in the container's memory (`InMemoryBudget`), plus everything the container already
 * learned (keys it found exhausted until their window's end, keys it parked or quarantined). So an
 * outage neither stops traffic nor lets one container spend more than a key's limits; the fleet
 * can exceed them at most by its number of containers, and the provider's own throttling or quota
 * answer then parks the key in each container that meets it. Key states that cannot be read fall
 * back to the last ones read. `lease` and `report` never throw for DynamoDB; the fault is logged
 * and counted (`provider_key_usage_total{outcome=leased_fallback}`). An unreadable key pool
 * (Secrets Manager) leaves the provider with no key: `null`, logged as an error.
 *
 * A key's value appears only in the lease returned: never in a log line, metric or error.
 */
export class KeyBroker implements KeySource {
  readonly #fallback = new InMemoryBudget();
  /** Keys the limiter refused, until their full window ends: counts only grow within a window. */
  readonly #exhausted = new Map<string, number>();
  /** Parks this container decided but could not write (DynamoDB failed): key → parked until. */
  readonly #unwrittenParks = new Map<string, number>();
  /** Keys whose rejection already made this container re-read the pool: once per key value. */
  readonly #refetched = new Set<string>();
  readonly #turns = new Map<ProviderId, number>();
  readonly #quarantine: KeyQuarantineKeeper;
  #statesErrorLogged: unknown;
  #poolErrorLogged: unknown;

  constructor(private readonly deps: KeyBrokerDeps) {
    this.#quarantine = new KeyQuarantineKeeper({
      states: deps.states,
      metrics: deps.metrics,
      logger: deps.logger,
      options: deps.quarantine ?? DEFAULT_KEY_QUARANTINE,
      storeFailed: (operation, provider, keyId, error) =>
        this.#storeFailed(operation, provider, keyId, error),
    });
  }

  /**
   * A key with one call's budget taken for it, or `null` when the provider has no usable key. A
   * quarantined key whose re-test is due, and which this container claims, comes first.
   */
  async lease(provider: ProviderId, options: LeaseOptions = {}): Promise<KeyLease | null> {
    const now = this.deps.now();
    const pool = await this.#pool(provider);
    const states = pool ? await this.#states(provider) : new Map<string, KeyState>();
    const retest =
      pool && options.spare === undefined ? await this.#retestLease(provider, pool, states, now) : null;
    if (retest) return retest;
    const usable = (pool?.keys ?? []).filter((key) => this.#usable(provider, key, states.get(key.id), now));
    const turn = this.#turns.get(provider) ?? this.deps.firstTurn ?? Math.floor(Math.random() * 1_000);
    this.#turns.set(provider, turn + 1);
    const start = usable.length === 0 ? 0 : turn % usable.length;
    for (const key of [...usable.slice(start), ...usable.slice(0, start)]) {
      const taken = await this.#take(provider, key, now, options.spare);
      if (taken) {
        // A re-test that never reported (its call was not made) must not judge this ordinary lease.
        this.#quarantine.forgetRetest(provider, key.id);
        this.deps.metrics.keyUsage(provider, taken);
        return leaseOf(key);
      }
    }
    this.deps.metrics.keyUsage(provider, 'none_usable');
    return null;
  }

  /**
   * The provider's verdict on a leased key. `throttled` parks it to the end of the minute window
   * (or the provider's `Retry-After`, if later); `quota_exhausted` parks it until the quota day
   * resets; `invalid_key` counts against it (quarantined at the threshold, naming the leased value's
   * `addedAt`, not the pool's current one: a value rotated in since the lease is not blamed) and
   * re-reads the pool once, in case a rotation replaced it; an accepted call ends a run of invalid
   * answers on record.
   * The verdict on a re-test lease releases the key or leaves it quarantined. Other outcomes say
   * nothing about the key: the healthy path writes nothing. Never throws.
   */
  async report(
    provider: ProviderId,
    lease: Pick<KeyLease, 'id' | 'addedAt'>,
    outcome: KeyOutcome,
    detail: { retryAfterSeconds?: number } = {},
  ): Promise<void> {
    const now = this.deps.now();
    const retryAfter = now + (detail.retryAfterSeconds ?? 0) * 1000;
    if (await this.#quarantine.judge(provider, lease.id, outcome)) return;
    if (outcome === 'throttled')
      await this.#park(provider, lease.id, Math.max(minuteWindow(now).endsAt, retryAfter), outcome);
    else if (outcome === 'quota_exhausted')
      await this.#park(provider, lease.id, Math.max(dayWindow(provider, now).endsAt, retryAfter), outcome);
    else if (outcome === 'invalid_key') await this.#rejected(provider, lease, now);
    else if (provesKeyAccepted(outcome)) await this.#quarantine.accepted(provider, lease.id);
  }

  #usable(provider: ProviderId, key: ProviderKey, state: KeyState | undefined, now: number): boolean {
    if (isQuarantined(state, key) || isParked(state, now)) return false;
    if (this.#quarantine.heldLocally(provider, key, now)) return false;
    return (this.#unwrittenParks.get(`${provider}#${key.id}`) ?? 0) <= now;
  }

  /** One call's budget from the fleet's counts, or from this container's while DynamoDB fails. */
  async #take(
    provider: ProviderId,
    key: ProviderKey,
    now: number,
    spare?: number,
  ): Promise<'leased' | 'leased_fallback' | null> {
    const own = effectiveLimits(provider, key.limits);
    const limits = spare === undefined ? own : withSpare(own, spare);
    // A limit with nothing to spare grants nothing (the limiter's condition lets a window's first call through).
    if ((limits.perMinute ?? 1) <= 0 || (limits.perDay ?? 1) <= 0) return null;
    // The limits are part of the name: an operator who raises them need not wait out the window, and
    // a spare-keeping lease's refusal (under lower limits) says nothing of the key's whole budget.
    const name = `${provider}#${key.id}#${limits.perMinute ?? '-'}/${limits.perDay ?? '-'}`;
    if ((this.#exhausted.get(name) ?? 0) > now) return null;
    try {
      const taken = await this.deps.limiter.take(provider, key.id, limits, now);
      if (taken.granted) return 'leased';
      // Until the refusing window ends; a refusal for contention ends at once (`resetsAt` is now).
      this.#exhausted.set(name, taken.resetsAt);
      return null;
    } catch (error) {
      this.#storeFailed('take budget', provider, key.id, error);
      return this.#fallback.take(provider, key.id, limits, now).granted ? 'leased_fallback' : null;
    }
  }

  async #park(provider: ProviderId, keyId: string, until: number, reason: ParkReason): Promise<void> {
    try {
      const write = await this.deps.states.park(provider, keyId, until, reason);
      if (!write.won) return;
      this.deps.metrics.keyParked(provider, reason);
      this.deps.logger.info('provider key parked', {
        provider,
        keyId,
        reason,
        until: new Date(until).toISOString(),
      });
    } catch (error) {
      this.#unwrittenParks.set(`${provider}#${keyId}`, until);
      this.#storeFailed('park', provider, keyId, error);
    }
  }

  /** An invalid-key answer: counted, and the pool re-read once in case a rotation replaced the key. */
  async #rejected(provider: ProviderId, lease: Pick<KeyLease, 'id' | 'addedAt'>, now: number): Promise<void> {
    const keyId = lease.id;
    // A report that kept only the key's id (not the lease) falls back on the pool's value as cached.
    const addedAt =
      lease.addedAt ?? (await this.#pool(provider))?.keys.find((key) => key.id === keyId)?.addedAt;
    await this.#quarantine.rejected(provider, keyId, addedAt, now);
    // Once per rejected key in this container: a rotation may have replaced the pool since it was
    // cached. Never again for the same key, so a bad key cannot make every request re-read it.
    const seen = `${provider}#${keyId}#${addedAt ?? ''}`;
    if (this.#refetched.has(seen)) return;
    this.#refetched.add(seen);
    await this.#pool(provider, true);
  }

  /** A quarantined key whose re-test this container claimed, leased with one call's budget. */
  async #retestLease(
    provider: ProviderId,
    pool: KeyPool,
    states: Map<string, KeyState>,
    now: number,
  ): Promise<KeyLease | null> {
    const key = await this.#quarantine.claimRetest(provider, pool.keys, states, now);
    const taken = key ? await this.#take(provider, key, now) : null;
    if (!key || !taken) return null;
    this.deps.metrics.keyUsage(provider, taken);
    this.deps.logger.info('re-testing a quarantined provider key on this request', {
      provider,
      keyId: key.id,
    });
    return leaseOf(key);
  }

  async #pool(provider: ProviderId, forceFetch = false): Promise<KeyPool | null> {
    try {
      return await this.deps.pools.pool(provider, forceFetch);
    } catch (error) {
      // The store throws one error per failed refresh, and backs off between them: log each once.
      if (error === this.#poolErrorLogged) return null;
      this.#poolErrorLogged = error;
      // The store's errors name the secret at most, never its content.
      this.deps.logger.error('provider key pool unreadable; the provider has no key', {
        provider,
        error: describe(error),
      });
      return null;
    }
  }

  async #states(provider: ProviderId): Promise<Map<string, KeyState>> {
    try {
      return await this.deps.states.read(provider);
    } catch (error) {
      // KeyStates remembers a failed read for its cache period: log each failed read once, not per lease.
      if (error !== this.#statesErrorLogged) {
        this.#statesErrorLogged = error;
        this.deps.logger.warn('provider key states unreadable; using the last ones read', {
          provider,
          error: describe(error),
        });
      }
      return this.deps.states.lastKnown(provider);
    }
  }

  #storeFailed(operation: string, provider: ProviderId, keyId: string, error: unknown): void {
    this.deps.logger.warn('provider key store failed; going on with what this container knows', {
      operation,
      provider,
      keyId,
      error: describe(error),
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/** The lease of a pool's key: what a provider call and the verdict on it need. */
function leaseOf(key: ProviderKey): KeyLease {
  return { id: key.id, value: key.value, addedAt: key.addedAt };
}
