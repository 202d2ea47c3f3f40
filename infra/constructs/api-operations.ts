import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FIREWALL_RULES, WEB_ACL_NAME } from './api-firewall.js';
import { OperationsDashboard, type RouteFunction } from './operations-dashboard.js';
import { type ApiStageName, PlatformAlarms } from './platform-alarms.js';
import { ProviderAlarms } from './provider-alarms.js';
import { RunbookAlarms } from './runbook-alarms.js';
import { UnavailableAnswers } from './unavailable-answers.js';

/** Properties of {@link ApiOperations}. */
export interface ApiOperationsProps {
  readonly api: ApiStageName;
  readonly routeFunctions: readonly RouteFunction[];
  readonly table: ITable;
  /** The stage's access log group (JSON lines with `status` and `resourcePath`). */
  readonly accessLogs: ILogGroup;
  /** Where alarms notify; none = alarms without actions. */
  readonly alarmTopic?: ITopic;
  /** Alarms of other stacks to show on the dashboard, by name (a name needs no cross-stack export). */
  readonly otherAlarmNames?: readonly string[];
}

/** What an operator watches: the API stack's alarms, wired to the topic, and the dashboard. */
export class ApiOperations extends Construct {
  readonly alarms: RunbookAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: ApiOperationsProps) {
    super(scope, id);
    this.alarms = new RunbookAlarms(props.alarmTopic);
    const unavailableAnswers = new UnavailableAnswers(this, 'UnavailableAnswers', {
      accessLogs: props.accessLogs,
    });
    new PlatformAlarms(this, 'PlatformAlarms', {
      alarms: this.alarms,
      api: props.api,
      functions: props.routeFunctions.map((rf) => rf.function),
      table: props.table,
    });
    new ProviderAlarms(this, 'ProviderAlarms', {
      alarms: this.alarms,
      routes: props.routeFunctions.map((rf) => rf.route),
      unavailableAnswers,
    });

    const otherAlarms = (props.otherAlarmNames ?? []).map((name) =>
      Alarm.fromAlarmName(this, `Imported-${name}`, name),
    );
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      api: props.api,
      routeFunctions: props.routeFunctions,
      table: props.table,
      unavailableAnswers,
      alarms: [
        ...this.alarms.entries.filter((entry) => entry.notifies).map((entry) => entry.alarm),
        ...otherAlarms,
      ],
      firewall: { webAclMetricName: WEB_ACL_NAME, ruleMetricNames: Object.values(FIREWALL_RULES) },
    });
  }
}
