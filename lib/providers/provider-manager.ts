import type { KeyLease } from '../keys/key-pool-store.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { BreakerPermit, CircuitBreaker } from '../resilience/circuit-breaker.js';
import { type RetryOptions, retry } from '../resilience/retry.js';
import { fetchFromProvider } from './fetch-from-provider.js';
import type { FailureKind, ProviderEndpoint, ProviderFailure, ProviderResult } from './provider.js';
import { countsAgainstProvider, UNKNOWN_SYMBOL_ASKS_NEXT } from './provider-health.js';
import type { ProviderId } from './provider-ids.js';

/** One provider tried (or skipped) for one request, as `meta.attempts` shows it. */
export interface ProviderAttempt {
  provider: ProviderId;
  outcome: 'ok' | FailureKind | 'circuit_open';
  ms: number;
  /** HTTP calls made to the provider (retries included); 0 when skipped. */
  calls: number;
}

export type ProviderChainResult<Value> =
  | { ok: true; value: Value; provider: ProviderId; fetchedAt: Date; attempts: ProviderAttempt[] }
  | { ok: false; failures: ProviderFailure[]; attempts: ProviderAttempt[] };

/** Hands out a provider key for a call, or `null` when the provider has no usable key. */
export interface KeySource {
  lease(provider: ProviderId): Promise<KeyLease | null>;
}

export interface ProviderManagerDeps {
  keys: KeySource;
  breaker: CircuitBreaker;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  baseUrls: Record<ProviderId, string>;
  timeoutMs: number;
  retry: Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>;
  now: () => Date;
  /** Injected in tests to drive retry waits with a fake clock. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Walks the providers that serve a data type, in priority order, until one answers with valid data:
 * skips those whose breaker is open or that have no usable key, retries what a retry can fix within
 * the request's deadline, lets the breaker see every attempt, and records every provider tried.
 */
export class ProviderManager {
  constructor(private readonly deps: ProviderManagerDeps) {}

  async fetch<Query, Value>(
    endpoints: readonly ProviderEndpoint<Query, Value>[],
    query: Query,
    deadline: number,
  ): Promise<ProviderChainResult<Value>> {
    const attempts: ProviderAttempt[] = [];
    const failures: ProviderFailure[] = [];
    for (const [index, endpoint] of endpoints.entries()) {
      const started = performance.now();
      // Leave the providers after this one a fair share of the time left, so one slow provider
      // cannot spend the whole deadline on retries before the fallback gets a chance.
      const providersLeft = endpoints.length - index;
      const nowMs = this.deps.now().getTime();
      const share = nowMs + (deadline - nowMs) / providersLeft;
      const { result, calls } = await this.attempt(endpoint, query, share);
      const ms = Math.round(performance.now() - started);
      const outcome = result === 'circuit_open' ? 'circuit_open' : result.ok ? 'ok' : result.failure.kind;
      attempts.push({ provider: endpoint.provider, outcome, ms, calls });
      if (result === 'circuit_open') continue;
      if (result.ok) {
        return {
          ok: true,
          value: result.value,
          provider: endpoint.provider,
          fetchedAt: this.deps.now(),
          attempts,
        };
      }
      failures.push(result.failure);
      if (result.failure.kind === 'unknown_symbol' && !UNKNOWN_SYMBOL_ASKS_NEXT[endpoint.dataType]) break;
    }
    return { ok: false, failures, attempts };
  }

  private async attempt<Query, Value>(
    endpoint: ProviderEndpoint<Query, Value>,
    query: Query,
    deadline: number,
  ): Promise<{ result: ProviderResult<Value> | 'circuit_open'; calls: number }> {
    const decision = await this.deps.breaker.acquire(endpoint.provider);
    if (!decision.allowed) return { result: 'circuit_open', calls: 0 };
    const key = await this.deps.keys.lease(endpoint.provider);
    if (!key) {
      return {
        result: { ok: false, failure: { kind: 'no_key', detail: 'the key pool has no usable key' } },
        calls: 0,
      };
    }
    const permit = decision.permit;
    const result = await retry(
      ({ signal, timeoutMs }) =>
        fetchFromProvider(endpoint, query, {
          baseUrl: this.deps.baseUrls[endpoint.provider],
          apiKey: key.value,
          timeoutMs,
          signal,
          now: this.deps.now,
        }),
      {
        ...this.deps.retry,
        // A half-open probe is one call: its outcome decides the breaker, not a series of retries.
        maxAttempts: permit.kind === 'probe' ? 1 : this.deps.retry.maxAttempts,
        jitter: 'full',
        attemptTimeoutMs: this.deps.timeoutMs,
        deadline,
        now: () => this.deps.now().getTime(),
        ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
        onAttempt: ({ result, ms }) => this.observe(endpoint, permit, result, ms),
      },
    );
    return { result, calls: result.attempts };
  }

  /** Every attempt reaches the breaker, the metrics and (when it failed) the log. */
  private async observe<Query, Value>(
    endpoint: ProviderEndpoint<Query, Value>,
    permit: BreakerPermit,
    result: ProviderResult<unknown>,
    ms: number,
  ): Promise<void> {
    const { provider, dataType } = endpoint;
    const status = result.ok ? 'ok' : result.failure.kind;
    this.deps.metrics.providerCall({ provider, dataType, status, seconds: ms / 1000 });
    if (!result.ok) {
      if (result.failure.kind === 'bad_data') this.deps.metrics.validationFailure(provider, dataType);
      this.deps.logger.warn('provider call failed', {
        provider,
        dataType,
        outcome: status,
        ms,
        detail: result.failure.detail,
      });
    }
    if (!result.ok && countsAgainstProvider(result.failure.kind))
      await this.deps.breaker.recordFailure(permit);
    else await this.deps.breaker.recordSuccess(permit);
  }
}
