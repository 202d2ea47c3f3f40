import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/api/routes.js';
import { DATA_LAYER_NAMESPACE, OPERATIONS_PERIOD } from './data-layer-metrics.js';

/** The metric the access-log filter writes: one per 503 answer, by the route's resource path. */
export const UNAVAILABLE_ANSWERS_METRIC = 'api_unavailable_answers_total';

/** Properties of {@link UnavailableAnswers}. */
export interface UnavailableAnswersProps {
  /** The stage's access log group; its lines are JSON with `status` and `resourcePath` (a route template). */
  readonly accessLogs: ILogGroup;
}

/**
 * Counts the API's 503 answers per route from the access log. API Gateway's own `5XXError` lumps a
 * 503 (no provider could answer and nothing cached was fit to serve) with 500s and 504s; this metric
 * is the 503s alone, so the "providers unavailable" alarms do not fire on a bug.
 */
export class UnavailableAnswers extends Construct {
  readonly filter: MetricFilter;

  constructor(scope: Construct, id: string, props: UnavailableAnswersProps) {
    super(scope, id);
    this.filter = new MetricFilter(this, 'Filter', {
      logGroup: props.accessLogs,
      filterPattern: FilterPattern.stringValue('$.status', '=', '503'),
      metricNamespace: DATA_LAYER_NAMESPACE,
      metricName: UNAVAILABLE_ANSWERS_METRIC,
      metricValue: '1',
      // A route template such as /api/data/stock/{symbol}, never the path a client sent.
      dimensions: { resource_path: '$.resourcePath' },
    });
  }

  /** The 503 answers of one route. */
  metricFor(route: RouteDefinition): Metric {
    return this.filter.metric({
      dimensionsMap: { resource_path: route.path },
      statistic: 'Sum',
      period: OPERATIONS_PERIOD,
    });
  }
}
