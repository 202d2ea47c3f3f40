import { GraphWidget, type IMetric, type IWidget, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DATA_TYPES, type DataType } from '../../lib/model/data-types.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import {
  dataLayerMetric,
  namespaceQuery,
  OPERATIONS_PERIOD,
  PROVIDERS_BY_DATA_TYPE,
} from './data-layer-metrics.js';

/**
 * The dashboard's rows about the data layer itself, from the metrics the code emits
 * (`lib/observability/metrics.ts`): explicit metrics where the dimension values are known
 * (providers, data types, states, outcomes), Metrics Insights queries where they are not (failure
 * kinds × providers × data types: hundreds of combinations; reasons; dimensions other modules own).
 */

const WIDE = { width: 12, height: 6 } as const;
const THIRD = { width: 8, height: 6 } as const;

function graph(title: string, left: IMetric[], size: { width: number; height: number } = THIRD): GraphWidget {
  return new GraphWidget({ title, left, ...size, period: OPERATIONS_PERIOD });
}

/** One line per provider of `metricName` with `dimensions(provider)`. */
function perProvider(
  metricName: string,
  dimensions: (provider: string) => Record<string, string>,
): IMetric[] {
  return PROVIDER_IDS.map((provider) =>
    dataLayerMetric(metricName, dimensions(provider), { label: provider }),
  );
}

/** Cache: hit ratio (fresh hits over lookups), misses, stale answers, coalesced waits. */
export function cacheWidgets(): IWidget[] {
  const hitRatio = DATA_TYPES.map(
    (dataType) =>
      new MathExpression({
        // Stale answers are counted after a miss, so fresh + miss is every lookup. Ids are per data
        // type: one graph may not use one id for two metrics.
        expression: `100 * FILL(fresh_${dataType}, 0) / (FILL(fresh_${dataType}, 0) + FILL(miss_${dataType}, 0))`,
        usingMetrics: {
          [`fresh_${dataType}`]: dataLayerMetric('cache_hits_total', {
            data_type: dataType,
            freshness: 'fresh',
          }),
          [`miss_${dataType}`]: dataLayerMetric('cache_misses_total', { data_type: dataType }),
        },
        period: OPERATIONS_PERIOD,
        label: dataType,
      }),
  );
  return [
    new GraphWidget({
      title: 'Cache hit ratio by data type (%)',
      left: hitRatio,
      leftYAxis: { min: 0, max: 100 },
      ...THIRD,
      period: OPERATIONS_PERIOD,
    }),
    graph(
      'Cache misses and stale answers by data type',
      DATA_TYPES.flatMap((dataType) => [
        dataLayerMetric('cache_misses_total', { data_type: dataType }, { label: `${dataType} miss` }),
        dataLayerMetric(
          'cache_hits_total',
          { data_type: dataType, freshness: 'stale' },
          { label: `${dataType} stale (every provider failed)` },
        ),
      ]),
    ),
    graph('Coalesced waits and lease takeovers by data type', [
      namespaceQuery('cache_coalesced_waits_total', { groupBy: ['data_type'], label: 'waits' }),
      namespaceQuery('cache_lease_takeovers_total', { groupBy: ['data_type'], label: 'takeovers' }),
    ]),
  ];
}

/** Providers: calls by outcome, latency of good calls per data type, validation failures. */
export function providerWidgets(): IWidget[] {
  const latency = (dataType: DataType) =>
    graph(
      `Provider latency, ${dataType} (ok calls, s)`,
      PROVIDERS_BY_DATA_TYPE[dataType].flatMap((provider) =>
        ['p50', 'p99'].map((statistic) =>
          dataLayerMetric(
            'data_provider_duration_seconds',
            { provider, data_type: dataType, status: 'ok' },
            { statistic, label: `${provider} ${statistic}` },
          ),
        ),
      ),
    );
  return [
    graph(
      'Provider calls by provider and outcome',
      [namespaceQuery('data_provider_requests_total', { groupBy: ['provider', 'status'] })],
      { width: 16, height: 6 },
    ),
    graph('Validation failures by provider', [
      namespaceQuery('validation_failures_total', { groupBy: ['provider'] }),
    ]),
    ...DATA_TYPES.map(latency),
  ];
}

/** Breakers: transitions per state and provider, and store errors (failed open). */
export function breakerWidgets(): IWidget[] {
  const transitions = (state: string) =>
    graph(
      `Breaker transitions to ${state}`,
      perProvider('circuit_breaker_state_changes_total', (provider) => ({ circuit_name: provider, state })),
    );
  return [
    transitions('OPEN'),
    transitions('HALF_OPEN'),
    transitions('CLOSED'),
    graph(
      'Breaker store errors (failed open)',
      perProvider('circuit_breaker_store_errors_total', (provider) => ({ circuit_name: provider })),
    ),
  ];
}

/** Keys: leases and "no usable key" per provider, parks by reason, quarantines. */
export function keyWidgets(): IWidget[] {
  return [
    graph(
      'Keys leased by provider (DynamoDB budget; fallback = in-memory)',
      PROVIDER_IDS.flatMap((provider) => [
        dataLayerMetric('provider_key_usage_total', { provider, outcome: 'leased' }, { label: provider }),
        dataLayerMetric(
          'provider_key_usage_total',
          { provider, outcome: 'leased_fallback' },
          { label: `${provider} fallback` },
        ),
      ]),
    ),
    graph(
      'No usable key (every key out of budget, parked or quarantined)',
      perProvider('provider_key_usage_total', (provider) => ({ provider, outcome: 'none_usable' })),
    ),
    graph(
      'Keys parked and quarantined',
      PROVIDER_IDS.flatMap((provider) => [
        ...['throttled', 'quota_exhausted'].map((reason) =>
          dataLayerMetric(
            'provider_key_parked_total',
            { provider, reason },
            { label: `${provider} parked ${reason}` },
          ),
        ),
        dataLayerMetric('provider_key_quarantined_total', { provider }, { label: `${provider} quarantined` }),
      ]),
    ),
  ];
}

/** DynamoDB and the dependencies: throttles, latency, cache errors, back-offs. */
export function dependencyWidgets(table: ITable): IWidget[] {
  const tableMetric = (metricName: string, label: string, statistic = 'Sum') =>
    table.metric(metricName, { statistic, period: OPERATIONS_PERIOD, label });
  return [
    graph('Data table throttles', [
      tableMetric('ReadThrottleEvents', 'read throttle events'),
      tableMetric('WriteThrottleEvents', 'write throttle events'),
    ]),
    graph(
      'Data table latency (ms, average)',
      ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'PutItem'].map((operation) =>
        table.metricSuccessfulRequestLatency({
          dimensionsMap: { TableName: table.tableName, Operation: operation },
          period: OPERATIONS_PERIOD,
          label: operation,
        }),
      ),
    ),
    graph(
      'Cache errors (DynamoDB faults the cache went on without)',
      DATA_TYPES.flatMap((dataType) =>
        ['read', 'write'].map((operation) =>
          dataLayerMetric(
            'cache_errors_total',
            { data_type: dataType, operation },
            { label: `${dataType} ${operation}` },
          ),
        ),
      ),
    ),
    graph('Dependency back-offs (containers skipping a timed-out dependency)', [
      namespaceQuery('dependency_backoffs_total', { groupBy: ['dependency'] }),
    ]),
  ];
}

/** Key-pool rotations: completed per provider, failures by provider and reason. */
export function rotationWidgets(): IWidget[] {
  return [
    graph(
      'Key-pool rotations completed',
      perProvider('provider_key_rotations_total', (provider) => ({ provider })),
      WIDE,
    ),
    graph(
      'Key-pool rotation failures by provider and reason',
      [namespaceQuery('provider_key_rotation_failures_total', { groupBy: ['provider', 'reason'] })],
      WIDE,
    ),
  ];
}
