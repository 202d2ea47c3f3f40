import { Stack } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  CompositeAlarm,
  type IAlarmRule,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The operators' runbook; every alarm names one of its sections. */
/**
 * The usual trigger of an alarm on a count: at least one in two of the last three periods, so one
 * stray data point does not page, and a fault that keeps happening does.
 */
export const ANY_IN_TWO_OF_THREE = {
  threshold: 1,
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
} as const;

export const RUNBOOK_PATH = 'docs/operations.md';

/** What an operator reads in an alarm's description: what it means, what to do, where to read more. */
export interface AlarmGuidance {
  /** What the alarm says happened, in one or two sentences. */
  readonly meaning: string;
  /** The first thing to do. */
  readonly action: string;
  /** A `###` heading of the runbook. */
  readonly runbookSection: string;
}

/** An alarm this app created, with the runbook section it names. */
export interface CatalogedAlarm {
  readonly alarm: Alarm | CompositeAlarm;
  /** The alarm's name as a plain string (the construct's `alarmName` is a token). */
  readonly name: string;
  readonly runbookSection: string;
  /** False for building blocks of a composite alarm, which never notify on their own. */
  readonly notifies: boolean;
}

/**
 * Creates the app's alarms one way: a readable name (`<stack>-<id>`, what an SNS email shows), a
 * description that says what to do and names its runbook section, and, when a topic is given, ALARM
 * and OK notifications on it (OK too, so whoever was paged learns it is over).
 */
export class RunbookAlarms {
  readonly #entries: CatalogedAlarm[] = [];

  constructor(private readonly topic: ITopic | undefined) {}

  /** Every alarm created so far. */
  get entries(): readonly CatalogedAlarm[] {
    return this.#entries;
  }

  /** A metric alarm; missing data counts as fine unless `treatMissingData` says otherwise. */
  metricAlarm(
    scope: Construct,
    id: string,
    guidance: AlarmGuidance,
    props: Omit<AlarmProps, 'alarmName' | 'alarmDescription' | 'actionsEnabled'>,
    options: { notify?: boolean } = {},
  ): Alarm {
    const alarm = new Alarm(scope, id, {
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...props,
      alarmName: alarmName(scope, id),
      alarmDescription: alarmDescription(guidance),
    });
    return this.#record(alarm, alarmName(scope, id), guidance, options.notify ?? true);
  }

  /** A composite alarm over other alarms' states. */
  compositeAlarm(scope: Construct, id: string, guidance: AlarmGuidance, rule: IAlarmRule): CompositeAlarm {
    const alarm = new CompositeAlarm(scope, id, {
      compositeAlarmName: alarmName(scope, id),
      alarmDescription: alarmDescription(guidance),
      alarmRule: rule,
    });
    return this.#record(alarm, alarmName(scope, id), guidance, true);
  }

  #record<A extends Alarm | CompositeAlarm>(
    alarm: A,
    name: string,
    guidance: AlarmGuidance,
    notifies: boolean,
  ): A {
    if (notifies && this.topic) {
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
    }
    this.#entries.push({ alarm, name, runbookSection: guidance.runbookSection, notifies });
    return alarm;
  }
}

/** `ValorIvxApi-BreakerOpen-fmp`: unique in the account and region, and readable in a notification. */
export function alarmName(scope: Construct, id: string): string {
  return `${Stack.of(scope).stackName}-${id}`;
}

/** The description CloudWatch shows and sends; `Runbook: …, section "X"` is what the tests look for. */
export function alarmDescription(guidance: AlarmGuidance): string {
  return `${guidance.meaning} What to do: ${guidance.action} Runbook: ${RUNBOOK_PATH}, section "${guidance.runbookSection}".`;
}
