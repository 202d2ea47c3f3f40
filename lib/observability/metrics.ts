import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DataType } from '../model/data-types.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { RotationFailureReason } from '../model/rotation-failure.js';
import type { EmfUnit } from './emf.js';
import { EmfBuffer, type EmfSink, stdoutSink } from './emf-buffer.js';

/**
 * The layer's metrics under the names the platform's dashboards use. Inside a request
 * ({@link startRequest} … {@link flush}) they are written as one EMF document at its end (more only
 * when two metrics need one dimension to hold two values), each metric against its own dimensions
 * only; outside a request, at once. No dimension is ever a symbol or a key value: every combination
 * is a billed CloudWatch metric.
 *
 * Powertools Metrics supplies the namespace and the `service` dimension (its options or
 * `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`) and writes the cold-start metric;
 * its buffer is not used for the rest, as it writes one metric directive per document and its
 * dimension sets apply to every metric in it.
 */
export class DataLayerMetrics {
  private readonly buffer: EmfBuffer;

  constructor(
    private readonly powertools: Metrics,
    sink: EmfSink = stdoutSink,
  ) {
    this.buffer = new EmfBuffer(emfSettingsOf(powertools), sink);
  }

  /** A request begins: its metrics wait for {@link flush}. */
  startRequest(): void {
    this.buffer.open();
  }

  /** The request has ended, answered or failed: writes its metrics as EMF. */
  flush(): void {
    this.buffer.flush();
  }

  /**
   * Call at the start of every invocation: Powertools writes `ColdStart` (by `function_name`, in its
   * own document) on the container's first on-demand invocation only; provisioned-concurrency and
   * SnapStart inits keep no request waiting, so they count none.
   */
  invocationStarted(functionName: string): void {
    this.powertools.captureColdStartMetric(functionName);
  }

  /** `data_provider_requests_total` and `data_provider_duration_seconds`; status is `ok` or a failure kind. */
  providerCall(call: { provider: ProviderId; dataType: DataType; status: string; seconds: number }): void {
    const dimensions = { provider: call.provider, data_type: call.dataType, status: call.status };
    this.emit(dimensions, 'data_provider_requests_total', MetricUnit.Count, 1);
    this.emit(dimensions, 'data_provider_duration_seconds', MetricUnit.Seconds, call.seconds);
  }

  /** `cache_hits_total` (fresh or stale) or `cache_misses_total`, by data type. */
  cacheLookup(dataType: DataType, outcome: 'hit' | 'miss' | 'stale'): void {
    if (outcome === 'miss') this.emit({ data_type: dataType }, 'cache_misses_total', MetricUnit.Count, 1);
    else
      this.emit(
        { data_type: dataType, freshness: outcome === 'stale' ? 'stale' : 'fresh' },
        'cache_hits_total',
        MetricUnit.Count,
        1,
      );
  }

  /** `cache_errors_total`: DynamoDB failed a cache read or write; the request went on without the cache. */
  cacheError(dataType: DataType, operation: 'read' | 'write'): void {
    this.emit({ data_type: dataType, operation }, 'cache_errors_total', MetricUnit.Count, 1);
  }

  /**
   * `cache_coalesced_waits_total`: a request answered by a cache fill it did not run, by outcome:
   * `served` (it waited on another container's fill and answered what that left in the cache),
   * `timed_out` (it ran out of time waiting and answered stale or 503), `shared` (it joined a fill
   * already running in this container).
   */
  coalescedWait(dataType: DataType, outcome: 'served' | 'timed_out' | 'shared'): void {
    this.emit({ data_type: dataType, outcome }, 'cache_coalesced_waits_total', MetricUnit.Count, 1);
  }

  /** `cache_lease_takeovers_total`: a waiter took over a cache fill whose leader died or failed. */
  leaseTakeover(dataType: DataType): void {
    this.emit({ data_type: dataType }, 'cache_lease_takeovers_total', MetricUnit.Count, 1);
  }

  /** `validation_failures_total`: a provider answered data that failed its schema or quality floor. */
  validationFailure(provider: ProviderId, dataType: DataType): void {
    this.emit({ provider, data_type: dataType }, 'validation_failures_total', MetricUnit.Count, 1);
  }

  /**
   * `circuit_breaker_state_changes_total`, by circuit and the state entered. Only the winner of a
   * transition's conditional write calls this, so the fleet emits exactly one per transition.
   */
  breakerTransition(circuit: string, state: 'CLOSED' | 'OPEN' | 'HALF_OPEN'): void {
    this.emit({ circuit_name: circuit, state }, 'circuit_breaker_state_changes_total', MetricUnit.Count, 1);
  }

  /**
   * `circuit_breaker_store_errors_total`: a breaker operation on this circuit met a DynamoDB fault and
   * failed open. Counts affected operations, not DynamoDB calls (one failed read may serve several).
   */
  breakerStoreError(circuit: string): void {
    this.emit({ circuit_name: circuit }, 'circuit_breaker_store_errors_total', MetricUnit.Count, 1);
  }

  /**
   * `provider_key_rotation_failures_total`: a key-pool rotation step failed, by provider and a reason
   * from a short fixed list (`no_spare_keys`, `key_test_failed`, ...), never a key id or value.
   */
  rotationFailed(provider: ProviderId, reason: RotationFailureReason): void {
    this.emit({ provider, reason }, 'provider_key_rotation_failures_total', MetricUnit.Count, 1);
  }

  /** `provider_key_rotations_total`: a rotation moved AWSCURRENT to a new, tested key pool. */
  rotationCompleted(provider: ProviderId): void {
    this.emit({ provider }, 'provider_key_rotations_total', MetricUnit.Count, 1);
  }

  /**
   * `provider_key_usage_total`: one key lease asked for, by provider and outcome (`leased`, budget
   * taken in DynamoDB; `leased_fallback`, taken from the container's in-memory budget while DynamoDB
   * failed; `none_usable`, no key had budget). Neither key id nor value: per-key counts are in DynamoDB.
   */
  keyUsage(provider: ProviderId, outcome: 'leased' | 'leased_fallback' | 'none_usable'): void {
    this.emit({ provider, outcome }, 'provider_key_usage_total', MetricUnit.Count, 1);
  }

  /** `provider_key_quarantined_total`: the provider rejected a key; only the quarantine's first writer emits it. */
  keyQuarantined(provider: ProviderId): void {
    this.emit({ provider }, 'provider_key_quarantined_total', MetricUnit.Count, 1);
  }

  /** `provider_key_parked_total`: a key was parked (throttled, or its quota spent); emitted by the park's winner. */
  keyParked(provider: ProviderId, reason: 'throttled' | 'quota_exhausted'): void {
    this.emit({ provider, reason }, 'provider_key_parked_total', MetricUnit.Count, 1);
  }

  /**
   * `dependency_backoffs_total`: a call to the layer's own dependency (`dynamodb`, `secrets_manager`)
   * timed out or could not connect, and this container began skipping it for a back-off.
   */
  dependencyBackoff(dependency: 'dynamodb' | 'secrets_manager'): void {
    this.emit({ dependency }, 'dependency_backoffs_total', MetricUnit.Count, 1);
  }

  /**
   * `key_pool_stale_served_total`: a key pool served past its cache period because Secrets Manager
   * could not be read (within `SECRETS_STALE_SECONDS`); counted per read of the pool.
   */
  keyPoolStaleServed(provider: ProviderId): void {
    this.emit({ provider }, 'key_pool_stale_served_total', MetricUnit.Count, 1);
  }

  /**
   * `provider_key_retests_total`: a quarantined key was tried again on a request (one container at a
   * time), by outcome: `released` (the provider accepted it), `rejected` (still refused; it stays
   * quarantined until the next re-test), `inconclusive` (the call said nothing about the key).
   */
  keyRetest(provider: ProviderId, outcome: 'released' | 'rejected' | 'inconclusive'): void {
    this.emit({ provider, outcome }, 'provider_key_retests_total', MetricUnit.Count, 1);
  }

  /**
   * `data_provider_agreement_total`: a provider's value was compared with another provider's for the
   * same symbol and day, by outcome (`agreed`, or `disagreed` beyond the tolerance); counted for each
   * of the two providers.
   */
  providerAgreement(provider: ProviderId, dataType: DataType, agreed: boolean): void {
    const outcome = agreed ? 'agreed' : 'disagreed';
    this.emit(
      { provider, data_type: dataType, outcome },
      'data_provider_agreement_total',
      MetricUnit.Count,
      1,
    );
  }

  private emit(dimensions: Record<string, string>, name: string, unit: EmfUnit, value: number): void {
    this.buffer.record({ name, unit, value, dimensions });
  }
}

/**
 * Namespace and default dimensions as Powertools resolved them from its options and environment,
 * read from the public serialization of its (empty) buffer rather than from private fields.
 */
function emfSettingsOf(metrics: Metrics) {
  const empty = metrics.serializeMetrics();
  const directive = empty._aws.CloudWatchMetrics[0];
  const keys = directive?.Dimensions[0] ?? [];
  return {
    namespace: directive?.Namespace ?? '',
    defaultDimensions: Object.fromEntries(keys.map((key) => [key, String(empty[key])])),
  };
}
