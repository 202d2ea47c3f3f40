import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { emfDocumentsIn, extractMetrics } from '../../support/cloudwatch-emf.js';

/** What CloudWatch would record from one call of `emit` on the layer's metrics, outside a request. */
function recorded(emit: (metrics: DataLayerMetrics) => void) {
  const lines: string[] = [];
  emit(
    new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'svc' }), (text) => lines.push(text)),
  );
  return extractMetrics(emfDocumentsIn(lines.join('').split('\n'))).map(
    ({ name, unit, dimensions, values }) => ({
      name,
      unit,
      dimensions,
      values,
    }),
  );
}

const counted = (name: string, dimensions: Record<string, string>) => ({
  name,
  unit: 'Count',
  dimensions: { service: 'svc', ...dimensions },
  values: [1],
});

describe('DataLayerMetrics: each metric under its dashboard name and its own dimensions', () => {
  it('counts and times a provider call by provider, data type and status', () => {
    expect(
      recorded((m) =>
        m.providerCall({ provider: 'fmp', dataType: 'quote', status: 'timeout', seconds: 0.25 }),
      ),
    ).toEqual([
      counted('data_provider_requests_total', { provider: 'fmp', data_type: 'quote', status: 'timeout' }),
      {
        name: 'data_provider_duration_seconds',
        unit: 'Seconds',
        dimensions: { service: 'svc', provider: 'fmp', data_type: 'quote', status: 'timeout' },
        values: [0.25],
      },
    ]);
  });

  it('counts a cache miss by data type, and a hit by data type and freshness', () => {
    expect(recorded((m) => m.cacheLookup('quote', 'miss'))).toEqual([
      counted('cache_misses_total', { data_type: 'quote' }),
    ]);
    expect(recorded((m) => m.cacheLookup('quote', 'hit'))).toEqual([
      counted('cache_hits_total', { data_type: 'quote', freshness: 'fresh' }),
    ]);
    expect(recorded((m) => m.cacheLookup('company', 'stale'))).toEqual([
      counted('cache_hits_total', { data_type: 'company', freshness: 'stale' }),
    ]);
  });

  it('counts the cache’s faults, waits and lease takeovers', () => {
    expect(recorded((m) => m.cacheError('quote', 'write'))).toEqual([
      counted('cache_errors_total', { data_type: 'quote', operation: 'write' }),
    ]);
    expect(recorded((m) => m.coalescedWait('quote', 'timed_out'))).toEqual([
      counted('cache_coalesced_waits_total', { data_type: 'quote', outcome: 'timed_out' }),
    ]);
    expect(recorded((m) => m.leaseTakeover('company'))).toEqual([
      counted('cache_lease_takeovers_total', { data_type: 'company' }),
    ]);
  });

  it('counts validation failures and agreement by provider and data type', () => {
    expect(recorded((m) => m.validationFailure('polygon', 'quote'))).toEqual([
      counted('validation_failures_total', { provider: 'polygon', data_type: 'quote' }),
    ]);
    expect(recorded((m) => m.providerAgreement('fmp', 'quote', true))).toEqual([
      counted('data_provider_agreement_total', { provider: 'fmp', data_type: 'quote', outcome: 'agreed' }),
    ]);
    expect(recorded((m) => m.providerAgreement('finnhub', 'quote', false))).toEqual([
      counted('data_provider_agreement_total', {
        provider: 'finnhub',
        data_type: 'quote',
        outcome: 'disagreed',
      }),
    ]);
  });

  it('counts breaker transitions by circuit and state, and store faults by circuit', () => {
    expect(recorded((m) => m.breakerTransition('fmp', 'HALF_OPEN'))).toEqual([
      counted('circuit_breaker_state_changes_total', { circuit_name: 'fmp', state: 'HALF_OPEN' }),
    ]);
    expect(recorded((m) => m.breakerStoreError('fmp'))).toEqual([
      counted('circuit_breaker_store_errors_total', { circuit_name: 'fmp' }),
    ]);
  });

  it('counts key rotations, parks, re-tests and stale pools by provider and outcome, never by key', () => {
    expect(recorded((m) => m.rotationFailed('fmp', 'no_spare_keys'))).toEqual([
      counted('provider_key_rotation_failures_total', { provider: 'fmp', reason: 'no_spare_keys' }),
    ]);
    expect(recorded((m) => m.rotationCompleted('fmp'))).toEqual([
      counted('provider_key_rotations_total', { provider: 'fmp' }),
    ]);
    expect(recorded((m) => m.keyParked('polygon', 'quota_exhausted'))).toEqual([
      counted('provider_key_parked_total', { provider: 'polygon', reason: 'quota_exhausted' }),
    ]);
    expect(recorded((m) => m.keyRetest('polygon', 'released'))).toEqual([
      counted('provider_key_retests_total', { provider: 'polygon', outcome: 'released' }),
    ]);
    expect(recorded((m) => m.keyPoolStaleServed('finnhub'))).toEqual([
      counted('key_pool_stale_served_total', { provider: 'finnhub' }),
    ]);
  });

  it('counts back-offs from a dependency by its name', () => {
    expect(recorded((m) => m.dependencyBackoff('secrets_manager'))).toEqual([
      counted('dependency_backoffs_total', { dependency: 'secrets_manager' }),
    ]);
  });
});
