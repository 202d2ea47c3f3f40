import { Aws, Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  type CfnDashboard,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
  LogQueryWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lib/api/routes.js';
import { OPERATIONS_PERIOD } from './data-layer-metrics.js';
import {
  breakerWidgets,
  cacheWidgets,
  dependencyWidgets,
  keyWidgets,
  providerWidgets,
  rotationWidgets,
} from './data-layer-widgets.js';
import type { ApiStageName } from './platform-alarms.js';
import { RUNBOOK_PATH } from './runbook-alarms.js';
import type { UnavailableAnswers } from './unavailable-answers.js';

/** The dashboard's name in the CloudWatch console. */
export const DASHBOARD_NAME = 'valor-ivx-data-layer';

/** A route's function and its log group, for the Lambda rows. */
export interface RouteFunction {
  readonly route: RouteDefinition;
  readonly function: NodejsFunction;
  readonly logGroup: ILogGroup;
}

/** Properties of {@link OperationsDashboard}. */
export interface OperationsDashboardProps {
  readonly api: ApiStageName;
  readonly routeFunctions: readonly RouteFunction[];
  readonly table: ITable;
  readonly unavailableAnswers: UnavailableAnswers;
  /** Every alarm that notifies, for the status row at the top. */
  readonly alarms: readonly IAlarm[];
  /** The web ACL's metric name (its `WebACL` dimension) and its rules' metric names. */
  readonly firewall: { readonly webAclMetricName: string; readonly ruleMetricNames: readonly string[] };
}

const THIRD = { width: 8, height: 6 } as const;

/**
 * The operators' dashboard, read top to bottom: alarms, then the API per route, the cache, the
 * providers, the breakers, the keys, DynamoDB and the dependencies, rotation, the functions, and
 * the web ACL. Every metric is five-minute sums or percentiles over the last three hours by default.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: DASHBOARD_NAME,
      defaultInterval: Duration.hours(3),
    });
    // Tags on a dashboard are too new for cfn-lint's resource schema (E3002) and for some regions;
    // a dashboard's cost is flat, so the app's cost-allocation tag would tell nothing here anyway.
    (this.dashboard.node.defaultChild as CfnDashboard).addPropertyDeletionOverride('Tags');
    const section = (title: string, widgets: IWidget[]) => {
      this.dashboard.addWidgets(new TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
      this.dashboard.addWidgets(...widgets);
    };

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '# Valor IVX data layer',
          `Each alarm's description says what to do and names its section of the runbook, \`${RUNBOOK_PATH}\`.`,
          'Live state: `GET /api/data/providers/status`, `/circuit-breakers`, `/api-keys/status` (operator routes, IAM-signed).',
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 }),
    );
    section('API (per route)', apiWidgets(props));
    section('Cache', cacheWidgets());
    section('Providers', providerWidgets());
    section('Circuit breakers', breakerWidgets());
    section('Provider keys', keyWidgets());
    section('DynamoDB and dependencies', dependencyWidgets(props.table));
    section('Key-pool rotation', rotationWidgets());
    section('Lambda (route functions)', lambdaWidgets(props.routeFunctions));
    section('Web ACL', firewallWidgets(props.firewall));
  }
}

function graph(title: string, left: IMetric[], size: { width: number; height: number } = THIRD): GraphWidget {
  return new GraphWidget({ title, left, ...size, period: OPERATIONS_PERIOD });
}

/** API Gateway's per-method metrics (detailed metrics are on for the stage), one line per route. */
function apiWidgets(props: OperationsDashboardProps): IWidget[] {
  const routes = props.routeFunctions.map((rf) => rf.route);
  const perRoute = (metricName: string, statistic: string) =>
    routes.map(
      (route) =>
        new Metric({
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensionsMap: {
            ApiName: props.api.apiName,
            Stage: props.api.stageName,
            Resource: route.path,
            Method: route.method,
          },
          statistic,
          period: OPERATIONS_PERIOD,
          label: route.id,
        }),
    );
  return [
    graph('Requests', perRoute('Count', 'Sum')),
    graph('Latency p50 (ms)', perRoute('Latency', 'p50')),
    graph('Latency p99 (ms)', perRoute('Latency', 'p99')),
    graph('4xx answers', perRoute('4XXError', 'Sum')),
    graph('5xx answers', perRoute('5XXError', 'Sum')),
    graph(
      '503 answers (no provider could answer, nothing cached fit to serve)',
      routes.map((route) => props.unavailableAnswers.metricFor(route).with({ label: route.id })),
    ),
  ];
}

/** Errors, throttles, concurrency and duration per function; cold starts from the REPORT lines. */
function lambdaWidgets(routeFunctions: readonly RouteFunction[]): IWidget[] {
  const perFunction = (metric: (fn: NodejsFunction) => Metric) =>
    routeFunctions.map((rf) => metric(rf.function).with({ label: rf.route.id, period: OPERATIONS_PERIOD }));
  return [
    graph(
      'Errors (outside the error handler: timeouts, crashes)',
      perFunction((fn) => fn.metricErrors()),
    ),
    graph(
      'Throttles',
      perFunction((fn) => fn.metricThrottles()),
    ),
    graph(
      'Concurrent executions (max)',
      perFunction((fn) => fn.metric('ConcurrentExecutions', { statistic: 'Maximum' })),
    ),
    graph(
      'Duration p99 (ms)',
      perFunction((fn) => fn.metricDuration({ statistic: 'p99' })),
      { width: 12, height: 6 },
    ),
    new LogQueryWidget({
      title: 'Cold starts and init duration (ms), from the REPORT lines',
      logGroupNames: routeFunctions.map((rf) => rf.logGroup.logGroupName),
      queryLines: [
        'filter @type = "REPORT" and ispresent(@initDuration)',
        'stats count(*) as coldStarts, avg(@initDuration) as avgInitMs, pct(@initDuration, 99) as p99InitMs by bin(5m)',
      ],
      width: 12,
      height: 6,
    }),
  ];
}

/** The web ACL's allowed and blocked requests, in all and per blocking rule. */
function firewallWidgets(firewall: OperationsDashboardProps['firewall']): IWidget[] {
  const wafMetric = (metricName: string, rule: string, label: string) =>
    new Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { WebACL: firewall.webAclMetricName, Rule: rule, Region: Aws.REGION },
      statistic: 'Sum',
      period: OPERATIONS_PERIOD,
      label,
    });
  return [
    graph(
      'Requests allowed and blocked',
      [wafMetric('AllowedRequests', 'ALL', 'allowed'), wafMetric('BlockedRequests', 'ALL', 'blocked')],
      { width: 12, height: 6 },
    ),
    graph(
      'Blocked by rule',
      firewall.ruleMetricNames.map((rule) => wafMetric('BlockedRequests', rule, rule)),
      { width: 12, height: 6 },
    ),
  ];
}
