import type { KeyLease } from '../keys/key-pool-store.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { fetchFromProvider } from './fetch-from-provider.js';
import type { FailureKind, ProviderEndpoint, ProviderFailure } from './provider.js';
import type { ProviderId } from './provider-ids.js';

/** One provider tried for one request, as `meta.attempts` shows it. */
export interface ProviderAttempt {
  provider: ProviderId;
  outcome: 'ok' | FailureKind;
  ms: number;
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
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  baseUrls: Record<ProviderId, string>;
  timeoutMs: number;
  now: () => Date;
}

/**
 * Walks the providers that serve a data type, in priority order, until one answers with valid data.
 * Every attempt is measured, counted in metrics and recorded for `meta.attempts`.
 */
export class ProviderManager {
  constructor(private readonly deps: ProviderManagerDeps) {}

  async fetch<Query, Value>(
    endpoints: readonly ProviderEndpoint<Query, Value>[],
    query: Query,
  ): Promise<ProviderChainResult<Value>> {
    const attempts: ProviderAttempt[] = [];
    const failures: ProviderFailure[] = [];
    for (const endpoint of endpoints) {
      const started = performance.now();
      const result = await this.attempt(endpoint, query);
      const ms = Math.round(performance.now() - started);
      const outcome = result.ok ? 'ok' : result.failure.kind;
      attempts.push({ provider: endpoint.provider, outcome, ms });
      this.record(endpoint, outcome, ms, result.ok ? undefined : result.failure);
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
    }
    return { ok: false, failures, attempts };
  }

  private async attempt<Query, Value>(endpoint: ProviderEndpoint<Query, Value>, query: Query) {
    const key = await this.deps.keys.lease(endpoint.provider);
    if (!key) {
      return {
        ok: false as const,
        failure: { kind: 'no_key' as const, detail: 'the key pool has no usable key' },
      };
    }
    return fetchFromProvider(endpoint, query, {
      baseUrl: this.deps.baseUrls[endpoint.provider],
      apiKey: key.value,
      timeoutMs: this.deps.timeoutMs,
      now: this.deps.now,
    });
  }

  private record<Query, Value>(
    endpoint: ProviderEndpoint<Query, Value>,
    outcome: 'ok' | FailureKind,
    ms: number,
    failure: ProviderFailure | undefined,
  ): void {
    const { provider, dataType } = endpoint;
    this.deps.metrics.providerCall({ provider, dataType, status: outcome, seconds: ms / 1000 });
    if (outcome === 'bad_data') this.deps.metrics.validationFailure(provider, dataType);
    if (failure)
      this.deps.logger.warn('provider call failed', {
        provider,
        dataType,
        outcome,
        ms,
        detail: failure.detail,
      });
  }
}
