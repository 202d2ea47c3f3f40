import { Duration } from 'aws-cdk-lib';
import {
  AlarmRule,
  AlarmState,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/api/routes.js';
import { DATA_TYPES } from '../../lib/model/data-types.js';
import { PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import {
  dataLayerMetric,
  namespaceQuery,
  OPERATIONS_PERIOD,
  ROUTE_OF_DATA_TYPE,
} from './data-layer-metrics.js';
import { ANY_IN_TWO_OF_THREE, type RunbookAlarms } from './runbook-alarms.js';
import type { UnavailableAnswers } from './unavailable-answers.js';

/**
 * A breaker counts as stuck open when, in two of three 10-minute periods, it was (re)opened and never
 * closed. Recovery timeouts double from 1 to at most 10 minutes, so a provider that stays down keeps
 * failing its probes and re-opening at least every ~10 minutes; one open that closes soon after stays
 * quiet, and so does an operator's forced open (one transition, no probes).
 */
const BREAKER_PERIOD = Duration.minutes(10);

/** Properties of {@link ProviderAlarms}. */
export interface ProviderAlarmsProps {
  readonly alarms: RunbookAlarms;
  /** The routes the API serves, to find each data type's route. */
  readonly routes: readonly RouteDefinition[];
  /** The 503 answers per route. */
  readonly unavailableAnswers: UnavailableAnswers;
}

/** The alarms on the providers and their keys: breakers, unavailable data, quarantines and spent pools. */
export class ProviderAlarms extends Construct {
  constructor(scope: Construct, id: string, props: ProviderAlarmsProps) {
    super(scope, id);
    const { alarms } = props;

    for (const provider of PROVIDER_IDS) {
      const transitions = (state: string) =>
        dataLayerMetric(
          'circuit_breaker_state_changes_total',
          { circuit_name: provider, state },
          { period: BREAKER_PERIOD },
        );
      alarms.metricAlarm(
        this,
        `BreakerOpen-${provider}`,
        {
          meaning: `The ${provider} circuit breaker has stayed open for about ten minutes or more: its probes keep failing, so no request calls ${provider}.`,
          action: `read GET /api/data/providers/status and the provider's own status page; the breaker closes by itself when a probe succeeds, or reset it once ${provider} is back.`,
          runbookSection: 'BreakerOpen',
        },
        {
          metric: new MathExpression({
            expression: 'IF(FILL(closed, 0) > 0, 0, FILL(opened, 0))',
            usingMetrics: { opened: transitions('OPEN'), closed: transitions('CLOSED') },
            period: BREAKER_PERIOD,
            label: `${provider} breaker opened, not closed`,
          }),
          ...ANY_IN_TWO_OF_THREE,
        },
      );
    }

    for (const dataType of DATA_TYPES) {
      const route = props.routes.find((r) => r.id === ROUTE_OF_DATA_TYPE[dataType]);
      const usingMetrics: Record<string, IMetric> = {
        stale: dataLayerMetric('cache_hits_total', { data_type: dataType, freshness: 'stale' }),
      };
      if (route) usingMetrics.unavailable = props.unavailableAnswers.metricFor(route);
      alarms.metricAlarm(
        this,
        `ProvidersUnavailable-${dataType}`,
        {
          meaning: `For 15 minutes, requests for ${dataType} found every provider failing: they got a stale value or a 503${route ? ` (503s counted on ${route.method} ${route.path})` : ''}.`,
          action:
            'read GET /api/data/providers/status: open breakers, keys without budget, or providers answering errors; fix the keys or wait for the providers, and consider the provider order.',
          runbookSection: 'ProvidersUnavailable',
        },
        {
          metric: new MathExpression({
            expression: route ? 'FILL(stale, 0) + FILL(unavailable, 0)' : 'FILL(stale, 0)',
            usingMetrics,
            period: OPERATIONS_PERIOD,
            label: `${dataType}: answers with every provider failing`,
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
        },
      );
    }

    alarms.metricAlarm(
      this,
      'KeyQuarantined',
      {
        meaning:
          'A provider rejected one of its keys (invalid key): the key is quarantined fleet-wide and unused until released.',
        action:
          'find it with GET /api/data/api-keys/status (state quarantined); replace the key in its pool, or release it once the provider accepts it again.',
        runbookSection: 'KeyQuarantined',
      },
      {
        metric: namespaceQuery('provider_key_quarantined_total', { label: 'keys quarantined' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
    );

    for (const provider of PROVIDER_IDS) this.#keyPoolExhausted(alarms, provider);
  }

  /**
   * A pool that had keys in use today and now has none usable: every key is out of its daily (or
   * minute) budget, parked or quarantined. A pool that is never used (left empty on purpose: the
   * way docs/providers.md gives to leave a provider out) also has no usable key, so a second alarm tells the two
   * apart: the composite fires only when the pool leased a key within the last day.
   */
  #keyPoolExhausted(alarms: RunbookAlarms, provider: ProviderId): void {
    const usage = (outcome: string, period: Duration = OPERATIONS_PERIOD) =>
      dataLayerMetric('provider_key_usage_total', { provider, outcome }, { period });

    const noUsableKey = alarms.metricAlarm(
      this,
      `NoUsableKey-${provider}`,
      {
        meaning: `Building block of KeyPoolExhausted-${provider} (no notification): for 15 minutes ${provider} requests found no usable key and none was leased.`,
        action: `see KeyPoolExhausted-${provider}.`,
        runbookSection: 'KeyPoolExhausted',
      },
      {
        metric: new MathExpression({
          expression: 'IF(FILL(none, 0) > 0 AND FILL(leased, 0) + FILL(fallback, 0) == 0, 1, 0)',
          usingMetrics: {
            none: usage('none_usable'),
            leased: usage('leased'),
            fallback: usage('leased_fallback'),
          },
          period: OPERATIONS_PERIOD,
          label: `${provider}: no usable key`,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
      },
      { notify: false },
    );

    const hour = Duration.hours(1);
    const poolIdle = alarms.metricAlarm(
      this,
      `KeyPoolIdle-${provider}`,
      {
        meaning: `Building block of KeyPoolExhausted-${provider} (no notification): no ${provider} key was leased for 24 hours (ALARM here means idle, e.g. a pool left empty on purpose).`,
        action: 'nothing, unless the provider should be in use: then seed its pool.',
        runbookSection: 'KeyPoolExhausted',
      },
      {
        metric: new MathExpression({
          expression: 'FILL(leased, 0) + FILL(fallback, 0)',
          usingMetrics: { leased: usage('leased', hour), fallback: usage('leased_fallback', hour) },
          period: hour,
          label: `${provider}: keys leased`,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 24,
        treatMissingData: TreatMissingData.BREACHING,
      },
      { notify: false },
    );

    alarms.compositeAlarm(
      this,
      `KeyPoolExhausted-${provider}`,
      {
        meaning: `The ${provider} key pool, in use within the last day, has had no usable key for 15 minutes: every key is out of its daily budget, parked or quarantined, so ${provider} is skipped.`,
        action:
          "read GET /api/data/api-keys/status for each key's budgetLeft, state and reason; add keys or raise their limits (paid plan) with put-secret-value, or wait for the quota day to reset.",
        runbookSection: 'KeyPoolExhausted',
      },
      AlarmRule.allOf(
        AlarmRule.fromAlarm(noUsableKey, AlarmState.ALARM),
        AlarmRule.not(AlarmRule.fromAlarm(poolIdle, AlarmState.ALARM)),
      ),
    );
  }
}
