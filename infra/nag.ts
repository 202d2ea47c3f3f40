import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ApiStack } from './stacks/api-stack.js';
import type { DataStack } from './stacks/data-stack.js';

/**
 * Runs cdk-nag's AwsSolutions pack on every synth. cdk-nag 3 is a CDK policy-validation plugin:
 * findings go to `validation-report.json` in the cloud assembly, and an unacknowledged one fails
 * the synth.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** One accepted cdk-nag finding: the construct it is accepted on, the rule (finding) id, and why. */
export interface NagAcknowledgment {
  readonly scope: IConstruct;
  readonly id: string;
  readonly reason: string;
}

/** Why each accepted finding is accepted; the report and the tests show these texts. */
export const NAG_REASONS = {
  rotationWildcard:
    'The key-rotation role has two wildcard statements, neither touching data: xray:PutTraceSegments and ' +
    'xray:PutTelemetryRecords (active tracing), and secretsmanager:GetRandomPassword, which CDK adds with every ' +
    'rotation schedule, reads no secret and supports no resource-level permissions. Its secret and KMS ' +
    'statements name the key-pool secrets and their key.',
  apiGatewayLoggingRole:
    "API Gateway's CloudWatch role is one per account and region, shared by every REST API in it; AWS's " +
    'AmazonAPIGatewayPushToCloudWatchLogs policy is the documented policy for it, and narrowing it to this ' +
    "API's log groups would break logging for the account's other APIs.",
  apiKeyAuthorization:
    'Client routes are authenticated by API key and metered per key by the usage plan (the design: one key and ' +
    'plan per client); operator routes use IAM authorization.',
  noCognito:
    'There are no end users to sign in: clients are services holding API keys (usage plans) and operators sign ' +
    'requests with IAM (SigV4), so a Cognito user pool authorizer would add nothing.',
  xrayWildcard:
    'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level ' +
    'permissions; the wildcard covers those two actions only, every other statement names its resource.',
  nodeRuntime:
    'Node.js 22 is pinned on purpose: the bundle targets node22 and the toolchain (Middy 7, Powertools 2) is ' +
    'tested on it; moving to Node.js 24 is a deliberate upgrade, not a silent one.',
} as const;

/**
 * Every finding the app accepts, derived from the stacks (one per provider secret, function and
 * route), so new routes and providers are covered without new code and nothing else is hidden.
 */
export function nagAcknowledgments(dataStack: DataStack, apiStack: ApiStack): NagAcknowledgment[] {
  const acknowledgments: NagAcknowledgment[] = [];
  // Every key-pool secret rotates (KeyRotation), so SMG4 "secret without rotation" no longer occurs.
  const rotation = dataStack.keyRotation;
  acknowledgments.push(
    { scope: rotation.role, id: 'AwsSolutions-IAM5[Resource::*]', reason: NAG_REASONS.rotationWildcard },
    { scope: rotation.function, id: 'AwsSolutions-L1', reason: NAG_REASONS.nodeRuntime },
    {
      scope: apiStack.api,
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: NAG_REASONS.apiGatewayLoggingRole,
    },
  );
  for (const fn of apiStack.functions.values()) {
    acknowledgments.push(
      { scope: fn.role, id: 'AwsSolutions-IAM5[Resource::*]', reason: NAG_REASONS.xrayWildcard },
      { scope: fn.function, id: 'AwsSolutions-L1', reason: NAG_REASONS.nodeRuntime },
    );
  }
  for (const route of apiStack.routes) {
    const method = apiStack.methods.get(route.id);
    if (method === undefined) throw new Error(`No API method for route ${route.id}.`);
    acknowledgments.push({ scope: method, id: 'AwsSolutions-COG4', reason: NAG_REASONS.noCognito });
    // Operator routes use IAM, which satisfies APIG4; only API-key routes need the acknowledgment.
    if (route.auth === 'client') {
      acknowledgments.push({
        scope: method,
        id: 'AwsSolutions-APIG4',
        reason: NAG_REASONS.apiKeyAuthorization,
      });
    }
  }
  return acknowledgments;
}

/** Records every accepted finding on its construct, where cdk-nag and the validation report read it. */
export function acknowledgeNagFindings(dataStack: DataStack, apiStack: ApiStack): void {
  for (const { scope, id, reason } of nagAcknowledgments(dataStack, apiStack)) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}
