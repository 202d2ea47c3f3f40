import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  type IApiKey,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  Period,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { API_STAGE, ROUTES, type RouteDefinition } from '../../lib/api/routes.js';
import { ApiFirewall } from '../constructs/api-firewall.js';
import { ApiOperations } from '../constructs/api-operations.js';
import { DATA_FUNCTION_DEFAULTS, DataFunction } from '../constructs/data-function.js';
import { addProblemResponses } from '../constructs/problem-responses.js';
import { type DeploySettings, readWafRateLimit } from './deploy-settings.js';

/** Properties of the {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  /** The data table (from the DataStack). */
  readonly table: ITable;
  /** The provider key-pool secrets (from the DataStack); every function may read every pool. */
  readonly keyPoolSecrets: readonly ISecret[];
  /** The key that encrypts the key pools (from the DataStack). */
  readonly keyPoolKey: IKey;
  readonly settings: DeploySettings;
  /** The route table; the default is THE route table, tests may add routes. */
  readonly routes?: readonly RouteDefinition[];
  /** Where this stack's alarms notify (from the DataStack); none = alarms without actions. */
  readonly alarmTopic?: ITopic;
  /** Alarms of other stacks to show on the dashboard, by name. */
  readonly otherAlarmNames?: readonly string[];
}

/**
 * The stateless half of the data layer: one function per route and the REST API in front of them,
 * all derived from the route table, so a new route needs no code here.
 */
export class ApiStack extends Stack {
  /** The REST API (API Gateway v1) with its `v1` stage. */
  readonly api: RestApi;
  /** The first client API key; its value never appears in the template or outputs. */
  readonly apiKey: IApiKey;
  /** Throttle and daily quota per client API key. */
  readonly usagePlan: UsagePlan;
  /** The routes this stack serves. */
  readonly routes: readonly RouteDefinition[];
  /** Functions by route id. */
  readonly functions: ReadonlyMap<string, DataFunction>;
  /** API methods by route id. */
  readonly methods: ReadonlyMap<string, Method>;
  /** The stage's access log (JSON lines). */
  readonly accessLogs: LogGroup;
  /** The WAF web ACL in front of the stage (`-c wafRateLimit=N`). */
  readonly firewall: ApiFirewall;
  /** The alarms and the dashboard. */
  readonly operations: ApiOperations;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Strong (export/import) on purpose: CloudFormation then refuses to delete the data stack while
    // this stack still uses its table or secrets. Set before any child: context is fixed after that.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const routes = props.routes ?? ROUTES;
    this.routes = routes;
    const logRemovalPolicy = props.settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: DATA_FUNCTION_DEFAULTS.logRetention,
      removalPolicy: logRemovalPolicy,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: 'valor-ivx-data',
      description: 'Valor IVX market-data layer',
      // Execution logging needs an account-wide CloudWatch role for API Gateway; creating it here
      // makes the first deploy into a fresh account work with one command.
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        metricsEnabled: true,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        // Data tracing would log whole requests, client API keys included.
        dataTraceEnabled: false,
      },
    });

    // API Gateway creates the execution log group on first use with no expiry; creating it first
    // under the same name gives it the retention every other log group has.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE}`,
      retention: DATA_FUNCTION_DEFAULTS.logRetention,
      removalPolicy: logRemovalPolicy,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    // Body validation only acts on methods that declare a request model; turning it on now means a
    // POST route gains it by declaring one, with no change here.
    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'parameters-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const functions = new Map<string, DataFunction>();
    const methods = new Map<string, Method>();
    for (const route of routes) {
      const fn = new DataFunction(this, route.id, {
        entry: route.entry,
        tableName: props.table.tableName,
        logRemovalPolicy,
        environment: props.settings.functionEnvironment,
      });
      props.table.grantReadWriteData(fn.function);
      for (const statement of keyPoolReadStatements(this, props)) fn.role.addToPrincipalPolicy(statement);
      functions.set(route.id, fn);

      const method = this.api.root
        .resourceForPath(route.path)
        .addMethod(route.method, new LambdaIntegration(fn.function), {
          // Clients are identified and metered by API key (usage plan); operators sign with IAM.
          apiKeyRequired: route.auth === 'client',
          authorizationType: route.auth === 'operator' ? AuthorizationType.IAM : AuthorizationType.NONE,
          requestValidator: validator,
          requestParameters: requiredParameters(route),
        });
      methods.set(route.id, method);
    }
    this.functions = functions;
    this.methods = methods;

    addProblemResponses(this.api);

    this.apiKey = this.api.addApiKey('ClientApiKey', {
      description: 'Valor IVX data layer: first client key; add one per client with its own usage plan',
    });
    this.usagePlan = this.api.addUsagePlan('ClientUsagePlan', {
      name: 'valor-ivx-data-clients',
      throttle: { rateLimit: props.settings.throttleRate, burstLimit: props.settings.throttleBurst },
      quota: { limit: props.settings.quotaPerDay, period: Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);

    this.accessLogs = accessLogs;
    this.firewall = new ApiFirewall(this, 'Firewall', {
      stage: this.api.deploymentStage,
      rateLimitPerIp: readWafRateLimit(this.node, props.settings.throttleRate),
    });
    this.operations = new ApiOperations(this, 'Operations', {
      api: { apiName: this.api.restApiName, stageName: API_STAGE },
      routeFunctions: routes.map((route) => {
        const fn = functions.get(route.id);
        if (fn === undefined) throw new Error(`No function for route ${route.id}.`);
        return { route, function: fn.function, logGroup: fn.logGroup };
      }),
      table: props.table,
      accessLogs,
      ...(props.alarmTopic === undefined ? {} : { alarmTopic: props.alarmTopic }),
      ...(props.otherAlarmNames === undefined ? {} : { otherAlarmNames: props.otherAlarmNames }),
    });

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the data API', value: this.api.url });
    new CfnOutput(this, 'ClientApiKeyId', {
      description: 'ID of the client API key; read its value with aws apigateway get-api-key --include-value',
      value: this.apiKey.keyId,
    });
  }
}

/**
 * Read access to every key pool, written out instead of `secret.grantRead`: that call would also add
 * the function role to the key policy in the DataStack, and the DataStack may not depend on this
 * stack. The key policy already delegates to IAM, so an identity policy is enough. Decrypt is only
 * allowed through Secrets Manager, never directly.
 */
function keyPoolReadStatements(stack: Stack, props: ApiStackProps): PolicyStatement[] {
  return [
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: props.keyPoolSecrets.map((secret) => secret.secretArn),
    }),
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.keyPoolKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }),
  ];
}

/**
 * The request parameters API Gateway's validator insists on: every `{placeholder}` of the path
 * and the route's required query-string parameters.
 */
export function requiredParameters(route: RouteDefinition): Record<string, boolean> {
  const pathParams = [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].flatMap((match) =>
    match[1] ? [match[1]] : [],
  );
  return Object.fromEntries([
    ...pathParams.map((name) => [`method.request.path.${name}`, true] as const),
    ...(route.requiredQuery ?? []).map((name) => [`method.request.querystring.${name}`, true] as const),
  ]);
}
