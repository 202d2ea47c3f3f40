import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { DataType } from '../../lib/model/data-types.js';
import { PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import { ENDPOINTS } from '../../lib/providers/registry.js';
import { FUNCTION_ENVIRONMENT } from '../function-settings.js';

/** The CloudWatch namespace the functions' EMF lines write to (`POWERTOOLS_METRICS_NAMESPACE`). */
export const DATA_LAYER_NAMESPACE = FUNCTION_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE;

/** The period of every dashboard graph and of most alarms: five minutes reads well and alarms soon enough. */
export const OPERATIONS_PERIOD = Duration.minutes(5);

/**
 * One of the layer's own metrics, with the exact dimension set the code emits. Powertools adds its
 * `service` dimension to every metric, so a metric named without it would match no data at all.
 */
export function dataLayerMetric(
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
  options: MetricOptions = {},
): Metric {
  return new Metric({
    namespace: DATA_LAYER_NAMESPACE,
    metricName,
    dimensionsMap: { service: FUNCTION_ENVIRONMENT.POWERTOOLS_SERVICE_NAME, ...dimensions },
    statistic: 'Sum',
    period: OPERATIONS_PERIOD,
    ...options,
  });
}

/**
 * A CloudWatch Metrics Insights query over the layer's namespace, summing `metricName` (optionally
 * filtered and grouped by dimensions). Used where the dimension values cannot be listed (a failure
 * reason, a dimension another part of the code owns) or where a sum over every value is the point.
 */
export function namespaceQuery(
  metricName: string,
  options: { where?: Readonly<Record<string, string>>; groupBy?: readonly string[]; label?: string } = {},
): MathExpression {
  const where = Object.entries(options.where ?? {})
    .map(([dimension, value]) => `${dimension} = '${value}'`)
    .join(' AND ');
  const query = [
    `SELECT SUM(${metricName}) FROM "${DATA_LAYER_NAMESPACE}"`,
    where === '' ? '' : ` WHERE ${where}`,
    options.groupBy?.length ? ` GROUP BY ${options.groupBy.join(', ')}` : '',
  ].join('');
  return new MathExpression({
    expression: query,
    period: OPERATIONS_PERIOD,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/** The providers that serve each data type (from the endpoint registry), in registry order. */
export const PROVIDERS_BY_DATA_TYPE: Readonly<Record<DataType, readonly ProviderId[]>> = {
  quote: providersOf('quote'),
  daily_history: providersOf('daily_history'),
  financials: providersOf('financials'),
  company: providersOf('company'),
  search: providersOf('search'),
  corporate_actions: providersOf('corporate_actions'),
};

function providersOf(dataType: DataType): ProviderId[] {
  return PROVIDER_IDS.filter((provider) => ENDPOINTS[dataType][provider] !== undefined);
}

/**
 * The client route that answers each data type on its own (batch prices reuse the quote path, and
 * its per-symbol failures are inside a 200). A 503 on that route means every provider failed and
 * nothing cached could be served.
 */
export const ROUTE_OF_DATA_TYPE: Readonly<Record<DataType, string>> = {
  quote: 'GetStockQuote',
  daily_history: 'GetStockQuote',
  financials: 'GetFinancials',
  company: 'GetCompany',
  search: 'SearchSymbols',
  corporate_actions: 'GetCorporateActions',
};
