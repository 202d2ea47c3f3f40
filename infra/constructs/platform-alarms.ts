import { ComparisonOperator, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { namespaceQuery, OPERATIONS_PERIOD } from './data-layer-metrics.js';
import { ANY_IN_TWO_OF_THREE, type RunbookAlarms } from './runbook-alarms.js';

/** An API stage as API Gateway's metrics name it. */
export interface ApiStageName {
  readonly apiName: string;
  readonly stageName: string;
}

/** Properties of {@link PlatformAlarms}. */
export interface PlatformAlarmsProps {
  readonly alarms: RunbookAlarms;
  readonly api: ApiStageName;
  /** The route functions (the rotation function has alarms of its own). */
  readonly functions: readonly IFunction[];
  readonly table: ITable;
}

/** Share of 5xx answers (percent) over which the API alarms, once a period has this many requests. */
export const API_5XX_PERCENT = 5;
const API_5XX_MIN_REQUESTS = 20;
/** p99 latency (ms) over which the API alarms: a cache hit answers in milliseconds, a miss in about a second. */
export const API_P99_LATENCY_MS = 5000;

const MAX_FUNCTIONS_PER_QUERY = 20;

/** The alarms on what the layer runs on: the API stage, the functions, DynamoDB and the dependencies. */
export class PlatformAlarms extends Construct {
  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    const { alarms } = props;
    const apiMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.api.apiName, Stage: props.api.stageName },
        statistic,
        period: OPERATIONS_PERIOD,
      });

    alarms.metricAlarm(
      this,
      'Api5xxRate',
      {
        meaning: `More than ${API_5XX_PERCENT} % of the API's answers were 5xx for 10 minutes (500: a bug; 503: no provider could answer; 504: a function ran out of time).`,
        action:
          'look at the dashboard for which route and which status; 503s come with ProvidersUnavailable alarms, 500s with a stack trace in the function log.',
        runbookSection: 'Api5xxRate',
      },
      {
        metric: new MathExpression({
          expression: `IF(FILL(requests, 0) >= ${API_5XX_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
          usingMetrics: { errors: apiMetric('5XXError', 'Sum'), requests: apiMetric('Count', 'Sum') },
          period: OPERATIONS_PERIOD,
          label: '5xx answers (%)',
        }),
        threshold: API_5XX_PERCENT,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
      },
    );

    alarms.metricAlarm(
      this,
      'ApiLatencyP99',
      {
        meaning: `The API's p99 latency stayed above ${API_P99_LATENCY_MS / 1000} s for 15 minutes: cache misses wait on slow or retrying providers, or a dependency is slow.`,
        action:
          'see the dashboard: provider latency and outcomes, cache hit ratio, dependency back-offs and Lambda init duration.',
        runbookSection: 'ApiLatencyP99',
      },
      {
        metric: apiMetric('Latency', 'p99'),
        threshold: API_P99_LATENCY_MS,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      },
    );

    // A function name has at most 64 characters, so 20 of them fit the 2048 characters an alarm's
    // expression may have; more routes than that need the query split.
    if (props.functions.length > MAX_FUNCTIONS_PER_QUERY) {
      throw new Error(
        `The Lambda alarms query at most ${MAX_FUNCTIONS_PER_QUERY} functions; there are ${props.functions.length}.`,
      );
    }
    const lambdaQuery = (metricName: string) =>
      new MathExpression({
        // One query over this app's functions: a math expression may name at most 10 metrics.
        expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE ${props.functions
          .map((fn) => `FunctionName = '${fn.functionName}'`)
          .join(' OR ')}`,
        period: OPERATIONS_PERIOD,
        label: `function ${metricName.toLowerCase()}`,
      });
    alarms.metricAlarm(
      this,
      'LambdaErrors',
      {
        meaning:
          'Route functions failed outside the error handler (a timeout, out of memory, a crash at start) in two of the last three 5-minute periods.',
        action:
          'find the function on the dashboard and read its log (REPORT lines say "Status: timeout" or "error").',
        runbookSection: 'LambdaErrors',
      },
      {
        metric: lambdaQuery('Errors'),
        ...ANY_IN_TWO_OF_THREE,
      },
    );
    alarms.metricAlarm(
      this,
      'LambdaThrottles',
      {
        meaning:
          "Lambda refused to run route functions (the account's or a function's concurrency is exhausted) in two of the last three 5-minute periods; those callers got errors.",
        action:
          'compare concurrency on the dashboard with the account limit; ask AWS for more concurrency, or lower the usage plan throttle.',
        runbookSection: 'LambdaThrottles',
      },
      {
        metric: lambdaQuery('Throttles'),
        ...ANY_IN_TWO_OF_THREE,
      },
    );

    alarms.metricAlarm(
      this,
      'DataTableThrottles',
      {
        meaning:
          'DynamoDB throttled reads or writes of the data table in two of the last three 5-minute periods (a hot partition, or over the on-demand limits).',
        action:
          'see the DynamoDB row of the dashboard for which operation; the layer fails open (cache, breakers, key budgets), so requests still get answers, but slower and with more provider calls.',
        runbookSection: 'DataTableThrottles',
      },
      {
        metric: new MathExpression({
          expression: 'FILL(reads, 0) + FILL(writes, 0)',
          usingMetrics: {
            reads: props.table.metric('ReadThrottleEvents', { statistic: 'Sum', period: OPERATIONS_PERIOD }),
            writes: props.table.metric('WriteThrottleEvents', {
              statistic: 'Sum',
              period: OPERATIONS_PERIOD,
            }),
          },
          period: OPERATIONS_PERIOD,
          label: 'throttled reads and writes',
        }),
        ...ANY_IN_TWO_OF_THREE,
      },
    );

    alarms.metricAlarm(
      this,
      'CacheErrors',
      {
        meaning:
          'Cache reads or writes failed on DynamoDB (cache_errors_total) in two of the last three 5-minute periods: requests went on without the cache, straight to the providers.',
        action:
          "check DynamoDB's health and throttles on the dashboard and the functions' warnings ('cache unavailable'); watch the providers' budgets, which now pay for every request.",
        runbookSection: 'CacheErrors',
      },
      {
        metric: namespaceQuery('cache_errors_total', { label: 'cache errors' }),
        ...ANY_IN_TWO_OF_THREE,
      },
    );

    alarms.metricAlarm(
      this,
      'DependencyBackoff',
      {
        meaning:
          'Containers skipped DynamoDB or Secrets Manager after a call to it timed out (dependency_backoffs_total) in two of the last three 5-minute periods.',
        action:
          'see which dependency on the dashboard and check its AWS Health status; requests are answered without it (fail open) until it recovers.',
        runbookSection: 'DependencyBackoff',
      },
      {
        metric: namespaceQuery('dependency_backoffs_total', { label: 'dependency back-offs' }),
        ...ANY_IN_TWO_OF_THREE,
      },
    );
  }
}
