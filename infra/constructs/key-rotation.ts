import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_MAX_KEY_AGE_DAYS } from '../../lib/keys/rotation.js';
import type { ProviderId } from '../../lib/model/provider-ids.js';
import { FUNCTION_ENVIRONMENT, KEY_ROTATION_FUNCTION_SIZE } from '../function-settings.js';
import { DataFunction } from './data-function.js';
import type { RunbookAlarms } from './runbook-alarms.js';

/** The rotation handler, relative to the project root. */
export const KEY_ROTATION_ENTRY = 'functions/rotate-provider-keys.ts';

/** How long an alarm looks back: a rotation runs once a month, so one failure in an hour is news. */
const ALARM_PERIOD = Duration.hours(1);

/** Properties of {@link KeyRotation}. */
export interface KeyRotationProps {
  /** The key-pool secrets to rotate, by provider; each must be in the same stack as this construct. */
  readonly secrets: ReadonlyMap<ProviderId, Secret>;
  /** Days between scheduled rotations of each pool. */
  readonly rotationDays: number;
  /** What happens to the function's log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Creates the alarms (names, runbook sections, notifications). */
  readonly alarms: RunbookAlarms;
}

/**
 * The provider key pools' rotation: one function for every pool, a schedule on each secret, and
 * alarms on failed rotations and on the function's errors. It lives beside the secrets because the
 * schedule and the KMS grant belong to them; a function in another stack would make the two stacks
 * depend on each other.
 */
export class KeyRotation extends Construct {
  readonly function: NodejsFunction;
  /** Its role: its own log group and X-Ray, plus what each rotation schedule grants (the pools and their key). */
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly schedules: ReadonlyMap<ProviderId, RotationSchedule>;
  /** ALARM when any pool's rotation failed within the hour (`provider_key_rotation_failures_total`). */
  readonly failureAlarm: Alarm;
  /** ALARM when the function failed within the hour, whatever the reason (a crash before any metric). */
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: KeyRotationProps) {
    super(scope, id);

    // A data function without a table, smaller and with a longer timeout (KEY_ROTATION_FUNCTION_SIZE).
    const rotationFunction = new DataFunction(this, 'Function', {
      entry: KEY_ROTATION_ENTRY,
      logRemovalPolicy: props.logRemovalPolicy,
      description: 'Valor IVX data layer: rotates the provider key pools (promotes staged spare keys)',
      memorySize: KEY_ROTATION_FUNCTION_SIZE.memoryMb,
      timeout: Duration.seconds(KEY_ROTATION_FUNCTION_SIZE.timeoutSeconds),
      environment: { KEY_MAX_AGE_DAYS: String(DEFAULT_MAX_KEY_AGE_DAYS) },
    });
    this.function = rotationFunction.function;
    this.role = rotationFunction.role;
    this.logGroup = rotationFunction.logGroup;

    // addRotationSchedule grants what AWS's rotation template needs, on this secret only: Describe,
    // Get, Put and UpdateSecretVersionStage, the KMS key through Secrets Manager, and the invoke
    // permission for Secrets Manager. No rotation at deploy time: the pools start empty and operators
    // seed them afterwards, so an immediate rotation could only fail.
    const schedules = new Map<ProviderId, RotationSchedule>();
    for (const [provider, secret] of props.secrets) {
      schedules.set(
        provider,
        secret.addRotationSchedule('Rotation', {
          rotationLambda: this.function,
          automaticallyAfter: Duration.days(props.rotationDays),
          rotateImmediatelyOnUpdate: false,
        }),
      );
    }
    this.schedules = schedules;

    // A Metrics Insights query sums the metric over every provider and reason, so one alarm covers
    // every pool, present and future, instead of one alarm per dimension combination.
    this.failureAlarm = props.alarms.metricAlarm(
      this,
      'KeyRotationFailed',
      {
        meaning:
          'A provider key-pool rotation failed within the hour (no spare key staged, a new key failed its test, or a bad pool); AWSCURRENT is unchanged and requests keep their keys.',
        action:
          'read the reason dimension of provider_key_rotation_failures_total (dashboard) or the rotation function log, fix the pool, clear AWSPENDING and rotate again.',
        runbookSection: 'KeyRotationFailed',
      },
      {
        metric: new MathExpression({
          expression: `SELECT SUM(provider_key_rotation_failures_total) FROM "${FUNCTION_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE}"`,
          period: ALARM_PERIOD,
          label: 'provider key-pool rotation failures',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    this.errorsAlarm = props.alarms.metricAlarm(
      this,
      'KeyRotationErrors',
      {
        meaning:
          'The key-rotation function failed within the hour, whatever the reason (a crash or timeout before any metric).',
        action: 'read the rotation function log; then treat it as KeyRotationFailed.',
        runbookSection: 'KeyRotationFailed',
      },
      {
        metric: this.function.metricErrors({ period: ALARM_PERIOD }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
  }
}
