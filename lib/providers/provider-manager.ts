import type { ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { isServable, type QualityReport } from '../quality/report.js';
import type { BreakerPermit, CircuitBreaker } from '../resilience/circuit-breaker.js';
import { providerWorkEnd } from '../resilience/request-end.js';
import { type RetryOptions, retry } from '../resilience/retry.js';
import { fetchFromProvider } from './fetch-from-provider.js';
import type { FailureKind, ProviderEndpoint, ProviderFailure, ProviderResult } from './provider.js';
import { breakerVerdict, PROVIDER_RETRY_POLICY, UNKNOWN_SYMBOL_ASKS_NEXT } from './provider-health.js';

const NO_USABLE_KEY = {
  ok: false,
  failure: { kind: 'no_key', detail: 'no key of the pool has budget left or is usable' },
} as const satisfies ProviderResult<never>;

type Scored<Value> = { value: Value; quality: QualityReport | null };

/** One provider tried (or skipped) for one request, as `meta.attempts` shows it. */
export interface ProviderAttempt {
  provider: ProviderId;
  outcome: 'ok' | FailureKind | 'circuit_open';
  ms: number;
  /** HTTP calls made to the provider (retries included); 0 when skipped. */
  calls: number;
}

export type ProviderChainResult<Value> =
  | {
      ok: true;
      value: Value;
      provider: ProviderId;
      fetchedAt: Date;
      attempts: ProviderAttempt[];
      quality: QualityReport | null;
    }
  | { ok: false; failures: ProviderFailure[]; attempts: ProviderAttempt[] };

/**
 * A key handed to a provider call: its id (safe to log), its value (never logged), and when that
 * value was added to the pool, so a verdict on it is not laid on a value placed under the same id since.
 */
export interface KeyLease {
  id: string;
  value: string;
  addedAt?: string;
}

/** Hands out a provider key for a call, or `null` when the provider has no usable key. */
export interface KeySource {
  lease(provider: ProviderId): Promise<KeyLease | null>;
  /** What the provider said of a call made with the key, so the key can be parked or quarantined. */
  report?(
    provider: ProviderId,
    lease: Pick<KeyLease, 'id' | 'addedAt'>,
    outcome: 'ok' | FailureKind,
    detail?: { retryAfterSeconds?: number },
  ): Promise<void>;
}

export interface ProviderManagerDeps {
  keys: KeySource;
  breaker: CircuitBreaker;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  baseUrls: Record<ProviderId, string>;
  timeoutMs: number;
  /** Answers scoring under this (0..1), or failing an error-severity check, are not served. */
  qualityFloor: number;
  retry: Pick<RetryOptions<unknown>, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>;
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
    score?: (value: Value) => QualityReport,
  ): Promise<ProviderChainResult<Value>> {
    // The current request's provider work end (`runUntil`): the whole chain is done by then.
    const workEnd = providerWorkEnd();
    const attempts: ProviderAttempt[] = [];
    const failures: ProviderFailure[] = [];
    const able = endpoints.filter((endpoint) => endpoint.supports?.(query) ?? true);
    for (const [index, endpoint] of able.entries()) {
      const started = performance.now();
      // Leave the providers after this one a fair share of the time left, so one slow provider
      // cannot spend the whole deadline on retries before the fallback gets a chance.
      const providersLeft = able.length - index;
      const nowMs = this.deps.now().getTime();
      const providerShareEnd = nowMs + (workEnd - nowMs) / providersLeft;
      const { result, calls } = await this.attempt(endpoint, query, providerShareEnd, score);
      const ms = Math.round(performance.now() - started);
      const outcome = result === 'circuit_open' ? 'circuit_open' : result.ok ? 'ok' : result.failure.kind;
      attempts.push({ provider: endpoint.provider, outcome, ms, calls });
      if (result === 'circuit_open') continue;
      if (result.ok) {
        const { value, quality } = result.value;
        return {
          ok: true,
          value,
          quality,
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
    providerShareEnd: number,
    score: ((value: Value) => QualityReport) | undefined,
  ): Promise<{ result: ProviderResult<Scored<Value>> | 'circuit_open'; calls: number }> {
    const { breaker } = this.deps;
    const decision = await breaker.acquire(endpoint.provider);
    if (!decision.allowed) return { result: 'circuit_open', calls: 0 };
    const permit = decision.permit;
    let calls = 0;
    // The provider's own time, for metrics, meta.attempts and the breaker's slow-call rule: the HTTP
    // call as it really lasted, not the key bookkeeping, and measured in real time like the timeout.
    let fetchMs = 0;
    // Whether the attempt's timeout was the request's remaining time, shorter than the provider's own.
    let cutShort = false;
    try {
      const result = await retry(
        async ({ signal, timeoutMs }) => {
          // A key per HTTP call: each attempt spends one call of a key's budget, and a retry after a
          // throttle must not reuse a key that was just parked.
          const key = await this.deps.keys.lease(endpoint.provider);
          if (!key) return NO_USABLE_KEY;
          calls++;
          cutShort = timeoutMs < this.deps.timeoutMs;
          const started = performance.now();
          const fetched = await fetchFromProvider(endpoint, query, {
            baseUrl: this.deps.baseUrls[endpoint.provider],
            apiKey: key.value,
            timeoutMs,
            signal,
            now: this.deps.now,
          });
          fetchMs = performance.now() - started;
          const answer = this.judge(fetched, score);
          await this.deps.keys.report?.(endpoint.provider, key, answer.ok ? 'ok' : answer.failure.kind, {
            ...(answer.ok || answer.failure.retryAfterSeconds === undefined
              ? {}
              : { retryAfterSeconds: answer.failure.retryAfterSeconds }),
          });
          return answer;
        },
        {
          ...PROVIDER_RETRY_POLICY,
          ...this.deps.retry,
          // A half-open probe is one call: its outcome decides the breaker, not a series of retries.
          maxAttempts: permit.kind === 'probe' ? 1 : this.deps.retry.maxAttempts,
          jitter: 'full',
          attemptTimeoutMs: this.deps.timeoutMs,
          shareEnd: providerShareEnd,
          now: () => this.deps.now().getTime(),
          ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
          // No retry on a breaker that opened meanwhile (in this container or, within the state cache, another).
          mayRetry: () => breaker.mayRetry(permit),
          onAttempt: ({ result }) => this.observe(endpoint, permit, result, Math.round(fetchMs), cutShort),
        },
      );
      return { result, calls };
    } finally {
      await breaker.release(permit);
    }
  }

  /**
   * Scores a valid answer; one under the quality floor is `bad_data`, so it is neither served nor
   * cached, the next provider is tried, and the breaker hears of it.
   */
  private judge<Value>(
    result: ProviderResult<Value>,
    score: ((value: Value) => QualityReport) | undefined,
  ): ProviderResult<Scored<Value>> {
    if (!result.ok) return result;
    const quality = score ? score(result.value) : null;
    if (quality && !isServable(quality, this.deps.qualityFloor)) {
      const failed = quality.checks.filter((check) => !check.passed).map((check) => check.id);
      return {
        ok: false,
        failure: {
          kind: 'bad_data',
          detail: `quality ${quality.score.toFixed(2)} under the floor (${failed.join(', ')})`,
          // The provider answered; one odd record must not open its breaker for every symbol.
          health: 'up',
        },
      };
    }
    return { ok: true, value: { value: result.value, quality } };
  }

  /** Every attempt reaches the breaker, the metrics and (when it failed) the log. */
  private async observe<Query, Value>(
    endpoint: ProviderEndpoint<Query, Value>,
    permit: BreakerPermit,
    result: ProviderResult<unknown>,
    ms: number,
    cutShort: boolean,
  ): Promise<void> {
    const { provider, dataType } = endpoint;
    const status = result.ok ? 'ok' : result.failure.kind;
    // No key, no call: nothing happened that speaks of the provider (a probe's lease simply expires).
    if (status === 'no_key') return;
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
    const verdict = breakerVerdict(result.ok ? undefined : result.failure);
    // A timeout the request's own deadline set, shorter than the provider's timeout, counts only once
    // it outlasted a slow call: a request with little time left cannot open a healthy provider's breaker.
    if (!result.ok && result.failure.kind === 'timeout' && cutShort)
      await this.deps.breaker.recordCutShort(permit, ms);
    else if (verdict === 'failure') await this.deps.breaker.recordFailure(permit, ms);
    else if (verdict === 'success') await this.deps.breaker.recordSuccess(permit, ms);
  }
}
