import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DATA_TABLE_ENV } from '../../lib/storage/table-definition.js';
import { FUNCTION_ENVIRONMENT, ROUTE_FUNCTION_SIZE } from '../function-settings.js';
import { LAMBDA_BUNDLING } from './bundling.js';

/**
 * The project root, found from this file rather than the working directory, so synth works from
 * any directory and no machine path is written into the source.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Settings every data-layer function shares; the plain values come from `infra/function-settings.ts`. */
export const DATA_FUNCTION_DEFAULTS = {
  // Set explicitly: NodejsFunction otherwise picks an older runtime.
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: ROUTE_FUNCTION_SIZE.memoryMb,
  timeout: Duration.seconds(ROUTE_FUNCTION_SIZE.timeoutSeconds),
  logRetention: RetentionDays.ONE_MONTH,
  environment: FUNCTION_ENVIRONMENT,
} as const;

/** Properties of a {@link DataFunction}. */
export interface DataFunctionProps {
  /** Handler module relative to the project root (a route's `entry`); it exports `handler`. */
  readonly entry: string;
  /** Name of the data table, passed in `DATA_TABLE_NAME`; absent for a function that uses no table. */
  readonly tableName?: string;
  /** What happens to the function's log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** The function's description in the Lambda console. */
  readonly description?: string;
  /** Memory in MB; default `DATA_FUNCTION_DEFAULTS.memorySize`. */
  readonly memorySize?: number;
  /** Default `DATA_FUNCTION_DEFAULTS.timeout`. */
  readonly timeout?: Duration;
  /** Variables added to `DATA_FUNCTION_DEFAULTS.environment`; never a provider key. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * One data-layer Lambda with every default of the project: Node 22 on arm64, ESM bundle built by
 * the local esbuild (no Docker), its own log group with a retention, X-Ray, and a role that holds
 * only what callers grant it. Provider keys never go into its environment: they live in Secrets
 * Manager and the caller grants read access to the key pools.
 */
export class DataFunction extends Construct {
  /** The Lambda function; API integrations and grants target it. */
  readonly function: NodejsFunction;
  /** Its execution role: writes its own log group and X-Ray, everything else is granted by callers. */
  readonly role: Role;
  /** Its log group, kept for one month. */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DataFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: DATA_FUNCTION_DEFAULTS.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // Our own role instead of the default one with the AWSLambdaBasicExecutionRole managed policy,
    // which may write to every log group in the account; this one writes to its own group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Valor IVX data layer: runs ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: DATA_FUNCTION_DEFAULTS.runtime,
      architecture: DATA_FUNCTION_DEFAULTS.architecture,
      memorySize: props.memorySize ?? DATA_FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? DATA_FUNCTION_DEFAULTS.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...DATA_FUNCTION_DEFAULTS.environment,
        ...props.environment,
        ...(props.tableName === undefined ? {} : { [DATA_TABLE_ENV]: props.tableName }),
      },
      bundling: {
        ...LAMBDA_BUNDLING,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        // Local esbuild from node_modules; Docker is neither needed nor available.
        forceDockerBundling: false,
      },
    });
  }
}
