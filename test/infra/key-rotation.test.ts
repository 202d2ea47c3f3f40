import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ValorIvxApp } from '../../infra/app.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { nagAcknowledgments } from '../../infra/nag.js';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { readKeyRotationDays } from '../../infra/stacks/deploy-settings.js';
import { EMPTY_KEY_POOL } from '../../lib/keys/secrets-layout.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';

/**
 * The key-rotation wiring: one synth of the whole app (real bundling) for the default 30 days, and a
 * DataStack alone, without bundling, for `-c keyRotationDays=7`.
 */
const FAKE_PROVIDER_KEY = 'FAKEKEY9R0T4T10N5X';
const previousKey = process.env.ALPHA_VANTAGE_API_KEY;
const SECRETS_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

let outdir: string;
let built: ValorIvxApp;
let data: Template;
let weekly: Template;

beforeAll(() => {
  process.env.ALPHA_VANTAGE_API_KEY = FAKE_PROVIDER_KEY;
  outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-rotation-'));
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  built = buildApp({ outdir, context: { ...cdkJson.context } });
  built.app.synth();
  data = Template.fromStack(built.dataStack);
  const app = new App({ context: { keyRotationDays: '7', 'aws:cdk:bundling-stacks': [] } });
  weekly = Template.fromStack(new DataStack(app, 'Data', { retain: false }));
}, 120_000);

afterAll(() => {
  if (previousKey === undefined) delete process.env.ALPHA_VANTAGE_API_KEY;
  else process.env.ALPHA_VANTAGE_API_KEY = previousKey;
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function logicalId(construct: IConstruct, stack: Stack = built.dataStack): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const rotation = () => built.dataStack.keyRotation;
const secretRefs = () => [...built.dataStack.keyPoolSecrets.values()].map((s) => ({ Ref: logicalId(s) }));

function rotationStatements(): Record<string, unknown>[] {
  const policies = Object.values(
    data.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(rotation().role) }] } }),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
}

const sorted = (value: unknown) => [value].flat().map(String).sort();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('rotation schedules', () => {
  it('rotates every key-pool secret with the one rotation function every 30 days, not at deploy time', () => {
    const functionArn = { 'Fn::GetAtt': [logicalId(rotation().function), 'Arn'] };
    data.resourceCountIs('AWS::SecretsManager::RotationSchedule', PROVIDER_IDS.length);
    for (const secret of secretRefs()) {
      data.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: secret,
        RotationLambdaARN: functionArn,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
      });
    }
    data.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('takes the interval from -c keyRotationDays', () => {
    const schedules = Object.values(weekly.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(PROVIDER_IDS.length);
    for (const schedule of schedules) {
      expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(7 days)' });
    }
  });

  it('refuses an interval Secrets Manager would not accept', () => {
    const days = (value: unknown) =>
      readKeyRotationDays(new App({ context: { keyRotationDays: value } }).node);
    expect(days(undefined)).toBe(30);
    expect(days(90)).toBe(90);
    for (const bad of ['0', '1001', '2.5', 'monthly']) expect(() => days(bad)).toThrow(/keyRotationDays/);
  });

  it('leaves no secret without rotation, so no SMG4 acknowledgment remains', () => {
    expect(nagAcknowledgments(built.dataStack, built.apiStack).map((ack) => ack.id)).not.toContain(
      'AwsSolutions-SMG4',
    );
  });
});

describe('the rotation function', () => {
  it('runs Node.js 22 on arm64 in 256 MB for up to 2 minutes, with tracing, its own log group, and no key or table in its environment', () => {
    const props = data.findResources('AWS::Lambda::Function')[logicalId(rotation().function)]?.Properties;
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 120,
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: { Ref: logicalId(rotation().logGroup) } },
    });
    expect(props?.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'valor-ivx-data',
      POWERTOOLS_METRICS_NAMESPACE: 'ValorIVX/DataLayer',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
      NODE_OPTIONS: '--enable-source-maps',
      KEY_MAX_AGE_DAYS: '90',
    });
    data.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('may read and stage versions of the key-pool secrets only', () => {
    const statements = rotationStatements();
    const onSecrets = statements.filter((s) =>
      sorted(s.Action).some((a) => a === 'secretsmanager:GetSecretValue'),
    );
    expect(onSecrets).toHaveLength(1);
    expect(sorted(onSecrets[0]?.Action)).toEqual(SECRETS_ACTIONS);
    expect(onSecrets[0]?.Resource).toEqual(expect.arrayContaining(secretRefs()));
    expect([onSecrets[0]?.Resource].flat()).toHaveLength(PROVIDER_IDS.length);
    // The only wildcard: tracing and GetRandomPassword (added by CDK; reads no secret).
    const wildcard = statements.filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(wildcard.map((s) => sorted(s.Action))).toEqual([
      ['secretsmanager:GetRandomPassword', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    ]);
    expect(JSON.stringify(statements)).not.toContain('dynamodb:');
  });

  it('may use the key-pool key only through Secrets Manager', () => {
    const key = data.findResources('AWS::KMS::Key')[logicalId(built.dataStack.keyPoolKey)];
    const role = { 'Fn::GetAtt': [logicalId(rotation().role), 'Arn'] };
    const grants = ((key?.Properties.KeyPolicy.Statement ?? []) as Record<string, unknown>[]).filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ AWS: role }),
    );
    expect(grants).toHaveLength(1);
    expect(sorted(grants[0]?.Action)).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
    );
    expect(grants[0]?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    });
  });

  it('may be invoked by Secrets Manager', () => {
    data.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalId(rotation().function), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
    });
  });
});

describe('alarms', () => {
  it('alarms on any rotation failure of any pool within the hour, treating no data as fine', () => {
    const alarm = data.findResources('AWS::CloudWatch::Alarm')[logicalId(rotation().failureAlarm)];
    expect(alarm?.Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Expression: 'SELECT SUM(provider_key_rotation_failures_total) FROM "ValorIVX/DataLayer"',
          Period: 3600,
          ReturnData: true,
        },
      ],
    });
  });

  it("alarms on the rotation function's errors", () => {
    const alarm = data.findResources('AWS::CloudWatch::Alarm')[logicalId(rotation().errorsAlarm)];
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(rotation().function) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('key values', () => {
  it('appear nowhere in the cloud assembly: templates hold the empty pool only', () => {
    const leaks = filesUnder(outdir).filter((file) => readFileSync(file, 'utf8').includes(FAKE_PROVIDER_KEY));
    expect(leaks).toEqual([]);
    for (const secret of Object.values(data.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.SecretString).toBe(JSON.stringify(EMPTY_KEY_POOL));
    }
    data.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.absent() });
  });
});
