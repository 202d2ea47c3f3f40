import { join } from 'node:path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_MAX_KEY_AGE_DAYS } from '../../lib/keys/rotation.js';
import type { ProviderId } from '../../lib/providers/provider-ids.js';
import { LAMBDA_BUNDLING } from './bundling.js';
import { DATA_FUNCTION_DEFAULTS, PROJECT_ROOT } from './data-function.js';

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

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: DATA_FUNCTION_DEFAULTS.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Valor IVX data layer: runs ${KEY_ROTATION_ENTRY}`,
    });
    this.logGroup.grantWrite(this.role);

    // The data functions' defaults, except: no table, a small memory size, and a longer timeout, as
    // no API Gateway waits on it and each new key costs one provider call of up to 5 s.
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, KEY_ROTATION_ENTRY),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: 'Valor IVX data layer: rotates the provider key pools (promotes staged spare keys)',
      runtime: DATA_FUNCTION_DEFAULTS.runtime,
      architecture: DATA_FUNCTION_DEFAULTS.architecture,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...DATA_FUNCTION_DEFAULTS.environment,
        KEY_MAX_AGE_DAYS: String(DEFAULT_MAX_KEY_AGE_DAYS),
      },
      bundling: {
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        forceDockerBundling: false,
      },
    });

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
    this.failureAlarm = new Alarm(this, 'FailureAlarm', {
      alarmDescription:
        'A provider key-pool rotation failed (no spare key staged, a new key failed its test, or a bad pool). ' +
        'AWSCURRENT is unchanged; see the rotation function logs and README "Rotating provider keys".',
      metric: new MathExpression({
        expression: `SELECT SUM(provider_key_rotation_failures_total) FROM "${DATA_FUNCTION_DEFAULTS.environment.POWERTOOLS_METRICS_NAMESPACE}"`,
        period: ALARM_PERIOD,
        label: 'provider key-pool rotation failures',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'The provider key-rotation function failed; see its logs.',
      metric: this.function.metricErrors({ period: ALARM_PERIOD }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
