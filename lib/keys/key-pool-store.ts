import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import type { ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { type KeyPool, KeyPoolSchema, keyPoolSecretName } from './secrets-layout.js';

/**
 * The defaults behind `SECRETS_CACHE_SECONDS` and `SECRETS_STALE_SECONDS`, and the fixed bounds of a
 * refresh. Stale for an hour: pools change only at a rotation (30 days) or an operator's edit, and a
 * key removed since is answered `invalid_key` by its provider and quarantined, so an hour-old pool
 * is almost always right and never dangerous; an outage longer than that should leave the providers
 * keyless, loudly, rather than serve a pool nobody can check. A call is bounded at 1 s (Secrets
 * Manager answers in tens of ms in-region); after a failed refresh the next waits 5 s, doubling up
 * to the cache period, so a down Secrets Manager sees about one call per container per back-off.
 */
export const DEFAULT_KEY_POOL_CACHE = {
  cacheSeconds: 300,
  staleSeconds: 3_600,
  firstBackoffMs: 5_000,
} as const;

/** How a store reads and keeps pools; `now` is epoch ms, injected so tests drive time. */
export interface KeyPoolStoreOptions {
  secretPrefix: string;
  /** How long a pool read is fresh: no Secrets Manager call until then. */
  cacheSeconds: number;
  /** How long past fresh the last pool read is still served while refreshes fail. */
  staleSeconds?: number;
  /** Wait after a failed refresh before the next; it doubles per failure up to `cacheSeconds`. */
  firstBackoffMs?: number;
  now?: () => number;
  logger?: DomainLogger;
  metrics?: DataLayerMetrics;
}

/** A failing refresh: its error, and when to try again. */
interface Failure {
  error: unknown;
  retryAt: number;
  backoffMs: number;
}

/** What the store holds for one provider: the last good pool, and its failing refresh, if any. */
interface PoolEntry {
  good?: { pool: KeyPool; readAt: number };
  failure?: Failure;
  refreshing?: Promise<KeyPool>;
}

/**
 * Reads providers' key pools from Secrets Manager and keeps them in memory for `cacheSeconds`, so
 * the hot path makes no Secrets Manager call. When a refresh fails (an error, a timeout, a pool
 * that no longer matches the layout), the pool read last is served for `staleSeconds` more, counted
 * (`key_pool_stale_served_total`) and logged once per failed refresh; the next refresh waits out a
 * back-off that doubles per failure. A fault of Secrets Manager itself (no answer, a timeout, a 5xx,
 * throttling) backs off every pool's refresh, not only the one that met it; a fault of one secret
 * (missing, denied, broken content) only that pool's. Concurrent callers share one refresh, which
 * the client's dependency guard bounds (`DEPENDENCY_CALL_TIMEOUT_SECONDS`), so a request spends at
 * most that on Secrets Manager, and nothing during a back-off. Without a good pool (or past the stale window) the refresh's error is
 * thrown: the same error object until the next attempt, so callers can log it once. Errors name the
 * secret, never its content.
 */
export class KeyPoolStore {
  readonly #entries = new Map<ProviderId, PoolEntry>();
  /** Secrets Manager itself failing: every pool's refresh waits out this back-off. */
  #outage: Failure | undefined;
  readonly #now: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: KeyPoolStoreOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * The provider's pool. `forceFetch` skips the fresh copy (after the provider rejected a key, or for
   * an operator's status view), but not a back-off: Secrets Manager is not asked more often while down.
   */
  async pool(provider: ProviderId, forceFetch = false): Promise<KeyPool> {
    const entry = this.#entry(provider);
    const now = this.#now();
    const { good } = entry;
    if (good && !forceFetch && now - good.readAt < this.options.cacheSeconds * 1000) return good.pool;
    for (const failure of [this.#outage, entry.failure])
      if (failure && now < failure.retryAt) return this.#fallback(provider, failure.error);
    entry.refreshing ??= this.#refresh(provider, entry).finally(() => {
      entry.refreshing = undefined;
    });
    return entry.refreshing;
  }

  /** Whether the provider's latest refresh failed: what it serves, if anything, is the last pool read. */
  refreshFailing(provider: ProviderId): boolean {
    return this.#outage !== undefined || this.#entries.get(provider)?.failure !== undefined;
  }

  async #refresh(provider: ProviderId, entry: PoolEntry): Promise<KeyPool> {
    try {
      const pool = await this.#read(provider);
      entry.good = { pool, readAt: this.#now() };
      entry.failure = undefined;
      this.#outage = undefined;
      return pool;
    } catch (error) {
      const serviceDown = isServiceFault(error);
      const failure = this.#backOff(serviceDown ? this.#outage : entry.failure, error);
      if (serviceDown) this.#outage = failure;
      else entry.failure = failure;
      this.options.logger?.warn('provider key pool refresh failed; retrying after a back-off', {
        provider,
        backoffSeconds: failure.backoffMs / 1000,
        scope: serviceDown ? 'every key pool' : 'this key pool',
        servingLastPool: this.#servable(entry.good) !== undefined,
        error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error',
      });
      return this.#fallback(provider, error);
    }
  }

  /** The back-off after `last`: the first one, then doubling up to the cache period. */
  #backOff(last: Failure | undefined, error: unknown): Failure {
    const first = this.options.firstBackoffMs ?? DEFAULT_KEY_POOL_CACHE.firstBackoffMs;
    const backoffMs = Math.min(this.options.cacheSeconds * 1000, last ? last.backoffMs * 2 : first);
    return { error, retryAt: this.#now() + backoffMs, backoffMs };
  }

  /** The last good pool while it is within the stale window (counted), else the refresh's error. */
  #fallback(provider: ProviderId, error: unknown): KeyPool {
    const pool = this.#servable(this.#entry(provider).good);
    if (!pool) throw error;
    this.options.metrics?.keyPoolStaleServed(provider);
    return pool;
  }

  #servable(good: PoolEntry['good']): KeyPool | undefined {
    const staleSeconds = this.options.staleSeconds ?? DEFAULT_KEY_POOL_CACHE.staleSeconds;
    const limit = (this.options.cacheSeconds + staleSeconds) * 1000;
    return good && this.#now() - good.readAt < limit ? good.pool : undefined;
  }

  /** One GetSecretValue; the client's dependency guard bounds it (`createDataLayer` wires the guard). */
  async #read(provider: ProviderId): Promise<KeyPool> {
    const name = keyPoolSecretName(provider, this.options.secretPrefix);
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
    const parsed = z.safeParse(KeyPoolSchema, parseJsonQuietly(SecretString));
    // The message names the secret, never its content.
    if (!parsed.success) throw new KeyPoolLayoutError(`key pool ${name} does not match the key pool layout`);
    return parsed.data;
  }

  #entry(provider: ProviderId): PoolEntry {
    let entry = this.#entries.get(provider);
    if (!entry) {
      entry = {};
      this.#entries.set(provider, entry);
    }
    return entry;
  }
}

/** A pool secret whose content does not match the key pool layout: that secret's fault alone. */
export class KeyPoolLayoutError extends Error {
  override name = 'KeyPoolLayoutError';
}

/**
 * Whether an error says Secrets Manager itself is failing, not one secret: no HTTP answer at all
 * (network, timeout), a 5xx, or throttling. A 4xx names the secret (not found, access denied,
 * cannot decrypt), and a layout error its content.
 */
function isServiceFault(error: unknown): boolean {
  if (error instanceof KeyPoolLayoutError) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const name = error instanceof Error ? error.name : '';
  return status === undefined || status >= 500 || status === 429 || name === 'ThrottlingException';
}

/** JSON.parse's own errors quote the text they choke on, which here is a secret: swallow them. */
function parseJsonQuietly(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
