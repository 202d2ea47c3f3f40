import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ValorIvxApp } from '../../infra/app.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { PROBLEM_BASE, PROBLEMS } from '../../lib/api/problems.js';
import { ROUTES, type RouteDefinition } from '../../lib/api/routes.js';
import { EMPTY_KEY_POOL, keyPoolSecretName } from '../../lib/keys/secrets-layout.js';
import { PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';
import { DATA_TABLE, DATA_TABLE_ENV } from '../../lib/storage/table-definition.js';

/**
 * One synth of the whole app, real esbuild bundling included, shared by every test in this file.
 * Two routes are added to THE route table so operator (IAM) routes and required query parameters
 * are covered before the real ones exist; they reuse the quote handler.
 */
const TEST_ROUTES: readonly RouteDefinition[] = [
  {
    id: 'TestOperatorReset',
    method: 'POST',
    path: '/api/data/test-only/breakers/{name}/reset',
    entry: 'functions/get-stock-quote.ts',
    auth: 'operator',
  },
  {
    id: 'TestSearch',
    method: 'GET',
    path: '/api/data/test-only/search',
    entry: 'functions/get-stock-quote.ts',
    auth: 'client',
    requiredQuery: ['q'],
  },
];
const routes = [...ROUTES, ...TEST_ROUTES];

/** The operator-facing output of each key pool's ARN, by provider: names operators script against. */
const SECRET_ARN_OUTPUTS: Record<ProviderId, string> = {
  'alpha-vantage': 'KeyPoolSecretArnAlphaVantage',
  fmp: 'KeyPoolSecretArnFmp',
  finnhub: 'KeyPoolSecretArnFinnhub',
  'twelve-data': 'KeyPoolSecretArnTwelveData',
  polygon: 'KeyPoolSecretArnPolygon',
};

/** Looks like a provider key; must never reach the cloud assembly. */
const FAKE_PROVIDER_KEY = 'FAKEKEY7Q2W9E4R1T8Y';
const previousKey = process.env.ALPHA_VANTAGE_API_KEY;

let outdir: string;
let built: ValorIvxApp;
let data: Template;
let api: Template;

beforeAll(() => {
  process.env.ALPHA_VANTAGE_API_KEY = FAKE_PROVIDER_KEY;
  outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-cdk-'));
  // The CLI adds cdk.json's context (feature flags such as minimizePolicies); so does this test.
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  built = buildApp({
    outdir,
    routes,
    context: {
      ...cdkJson.context,
      // Let synth finish with findings so the cdk-nag tests below name them, instead of every test
      // failing on the thrown report. `npm run synth` keeps the default and fails.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  built.app.synth();
  data = Template.fromStack(built.dataStack);
  api = Template.fromStack(built.apiStack);
}, 120_000);

afterAll(() => {
  if (previousKey === undefined) delete process.env.ALPHA_VANTAGE_API_KEY;
  else process.env.ALPHA_VANTAGE_API_KEY = previousKey;
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function logicalId(construct: IConstruct, stack: Stack): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function functionOf(route: RouteDefinition): { id: string; props: Record<string, unknown> } {
  const fn = built.apiStack.functions.get(route.id);
  if (fn === undefined) throw new Error(`no function for ${route.id}`);
  const id = logicalId(fn.function, built.apiStack);
  const resource = api.findResources('AWS::Lambda::Function')[id];
  return { id, props: resource?.Properties ?? {} };
}

/** Where synth staged a route's bundle: the code's S3 key is `<asset hash>.zip`, the folder `asset.<asset hash>`. */
function assetDirOf(route: RouteDefinition): string {
  const s3Key = String((functionOf(route).props.Code as { S3Key: string }).S3Key);
  return join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
}

describe('DataStack', () => {
  it('creates the data table from the table definition, on demand, with TTL and point-in-time recovery', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', 1);
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: DATA_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: DATA_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: DATA_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: DATA_TABLE.sortKey, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: DATA_TABLE.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('retains the table, the key and the secrets by default', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      for (const resource of Object.values(data.findResources(type))) {
        expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    }
  });

  it('creates one customer-managed KMS key with rotation enabled', () => {
    data.resourceCountIs('AWS::KMS::Key', 1);
    data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('creates one key-pool secret per provider, encrypted with the key, holding the empty pool', () => {
    const keyArn = { 'Fn::GetAtt': [logicalId(built.dataStack.keyPoolKey, built.dataStack), 'Arn'] };
    data.resourceCountIs('AWS::SecretsManager::Secret', PROVIDER_IDS.length);
    for (const provider of PROVIDER_IDS) {
      data.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: keyPoolSecretName(provider),
        KmsKeyId: keyArn,
        SecretString: JSON.stringify(EMPTY_KEY_POOL),
        GenerateSecretString: Match.absent(),
      });
    }
  });

  it('outputs the table name and every key-pool secret ARN', () => {
    data.hasOutput('DataTableName', { Value: { Ref: logicalId(built.dataStack.table, built.dataStack) } });
    const secretOutputs = Object.keys(data.findOutputs('*')).filter((name) =>
      name.startsWith('KeyPoolSecretArn'),
    );
    expect(secretOutputs).toHaveLength(PROVIDER_IDS.length);
  });
});

describe('the cloud assembly', () => {
  it('contains no provider key from the environment, in any file', () => {
    const leaks = filesUnder(outdir).filter((file) => readFileSync(file, 'utf8').includes(FAKE_PROVIDER_KEY));
    expect(leaks).toEqual([]);
  });

  it('contains no absolute path of this machine in the templates', () => {
    for (const template of [data, api]) {
      expect(JSON.stringify(template.toJSON())).not.toContain(PROJECT_ROOT.replace(/[/\\]+$/, ''));
    }
  });

  it('bundles each handler as minified ESM with the createRequire banner and a source map', () => {
    for (const route of routes) {
      const assetDir = assetDirOf(route);
      const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(
        bundle.startsWith("import { createRequire } from 'module'; const require = createRequire("),
      ).toBe(true);
      expect(bundle).toContain('sourceMappingURL=index.mjs.map');
      expect(readdirSync(assetDir)).toContain('index.mjs.map');
    }
  });

  it("bundles the locked AWS SDK into each handler instead of importing the Lambda runtime's", () => {
    // docs/architecture.md "The AWS SDK goes in the bundle": the version the tests ran on, and a faster cold init.
    // An import statement or expression: the SDK's own error messages quote `require("@aws-sdk/…")`.
    const sdkImport = /\bfrom\s*["']@aws-sdk\/|\bimport\s*\(\s*["']@aws-sdk\//;
    for (const route of routes) {
      const bundle = readFileSync(join(assetDirOf(route), 'index.mjs'), 'utf8');
      expect(sdkImport.test(bundle), route.id).toBe(false);
    }
  });
});

describe('ApiStack functions', () => {
  it('creates one Node.js 22 arm64 function per route with the shared defaults', () => {
    api.resourceCountIs('AWS::Lambda::Function', routes.length);
    for (const route of routes) {
      expect(functionOf(route).props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 20,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('gives every function its own log group kept for one month', () => {
    for (const route of routes) {
      const fn = built.apiStack.functions.get(route.id);
      if (fn === undefined) throw new Error(`no function for ${route.id}`);
      const logGroupId = logicalId(fn.logGroup, built.apiStack);
      expect(functionOf(route).props.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(api.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toMatchObject({
        RetentionInDays: 30,
      });
    }
    // The deprecated logRetention would add a custom-resource function; there is none.
    api.resourceCountIs('Custom::LogRetention', 0);
  });

  it('passes the table name and Powertools settings, and no provider key, in the environment', () => {
    for (const route of routes) {
      const variables = (functionOf(route).props.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables).toEqual({
        [DATA_TABLE_ENV]: { 'Fn::ImportValue': expect.stringContaining('DataTable') },
        POWERTOOLS_SERVICE_NAME: 'valor-ivx-data',
        POWERTOOLS_METRICS_NAMESPACE: 'ValorIVX/DataLayer',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(Object.keys(variables).filter((name) => /_API_KEY$|_BACKUP_KEYS$/.test(name))).toEqual([]);
    }
  });

  it('grants the table, every key pool, and decryption only through Secrets Manager', () => {
    for (const route of routes) {
      const fn = built.apiStack.functions.get(route.id);
      if (fn === undefined) throw new Error(`no function for ${route.id}`);
      const roleRef = { Ref: logicalId(fn.role, built.apiStack) };
      const policies = Object.values(
        api.findResources('AWS::IAM::Policy', { Properties: { Roles: [roleRef] } }),
      );
      expect(policies).toHaveLength(1);
      const statements = policies[0]?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
      const tableArn = { 'Fn::ImportValue': expect.stringContaining('DataTable') };
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Action: expect.toSatisfy(
              (actions) =>
                JSON.stringify([actions].flat().sort()) ===
                JSON.stringify(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']),
            ),
            Effect: 'Allow',
            Resource: PROVIDER_IDS.map(() => ({ 'Fn::ImportValue': expect.stringContaining('KeyPool') })),
          },
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
            Resource: { 'Fn::ImportValue': expect.stringContaining('KeyPoolKey') },
          },
        ]),
      );
      // The table itself, not `index/*`: the table has no index.
      const tableStatement = statements.find((statement) =>
        String(statement.Action).includes('dynamodb:PutItem'),
      );
      expect(tableStatement?.Action).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']),
      );
      expect([tableStatement?.Resource].flat()).toEqual([tableArn]);
      // Only the two X-Ray actions may name every resource.
      const wildcard = statements.filter((statement) => JSON.stringify(statement.Resource) === '"*"');
      expect(wildcard.map((statement) => statement.Action)).toEqual([
        ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      ]);
    }
  });

  it('attaches no AWS managed policy to function roles', () => {
    for (const fn of built.apiStack.functions.values()) {
      const role = api.findResources('AWS::IAM::Role')[logicalId(fn.role, built.apiStack)];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('ApiStack REST API', () => {
  it('creates a Lambda proxy method per route: API key on client routes, IAM on operator routes', () => {
    api.resourceCountIs('AWS::ApiGateway::Method', routes.length);
    for (const route of routes) {
      const method = built.apiStack.methods.get(route.id);
      if (method === undefined) throw new Error(`no method for ${route.id}`);
      const props =
        api.findResources('AWS::ApiGateway::Method')[logicalId(method, built.apiStack)]?.Properties;
      expect(props).toMatchObject({
        HttpMethod: route.method,
        ApiKeyRequired: route.auth === 'client',
        AuthorizationType: route.auth === 'client' ? 'NONE' : 'AWS_IAM',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(JSON.stringify(props?.Integration)).toContain(functionOf(route).id);
    }
  });

  it('validates path placeholders and required query parameters on every method', () => {
    const validatorId = Object.keys(
      api.findResources('AWS::ApiGateway::RequestValidator', {
        Properties: { ValidateRequestParameters: true, ValidateRequestBody: true },
      }),
    );
    expect(validatorId).toHaveLength(1);
    const expected: Record<string, Record<string, boolean>> = {
      GetStockQuote: { 'method.request.path.symbol': true },
      TestOperatorReset: { 'method.request.path.name': true },
      TestSearch: { 'method.request.querystring.q': true },
    };
    for (const route of routes) {
      const method = built.apiStack.methods.get(route.id);
      if (method === undefined) throw new Error(`no method for ${route.id}`);
      const props =
        api.findResources('AWS::ApiGateway::Method')[logicalId(method, built.apiStack)]?.Properties;
      expect(props?.RequestValidatorId).toEqual({ Ref: validatorId[0] });
      const placeholders = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map(
        (m) => `method.request.path.${m[1]}`,
      );
      expect(Object.keys(props?.RequestParameters ?? {})).toEqual(expect.arrayContaining(placeholders));
      if (expected[route.id]) expect(props?.RequestParameters).toEqual(expected[route.id]);
    }
  });

  it('deploys stage v1 with JSON access logs, metrics, tracing and INFO execution logs without data trace', () => {
    const stages = Object.values(api.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties;
    expect(stage).toMatchObject({
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'INFO',
          MetricsEnabled: true,
          DataTraceEnabled: false,
        },
      ],
    });
    const accessLogs = JSON.parse(stage?.AccessLogSetting?.Format);
    expect(accessLogs).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    const destination = stage?.AccessLogSetting?.DestinationArn?.['Fn::GetAtt']?.[0];
    expect(api.findResources('AWS::Logs::LogGroup')[destination]?.Properties).toMatchObject({
      RetentionInDays: 30,
    });
  });

  it('gives the execution log group a retention instead of the never-expiring default', () => {
    api.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', Match.anyValue(), '/v1']] },
      RetentionInDays: 30,
    });
  });

  it('meters the client API key with a usage plan throttle and daily quota on the stage', () => {
    const apiKeyId = logicalId(built.apiStack.apiKey, built.apiStack);
    const planId = logicalId(built.apiStack.usagePlan, built.apiStack);
    api.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 100_000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: Match.anyValue(), Stage: Match.anyValue() })],
    });
    api.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: apiKeyId },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: planId },
    });
    api.hasResourceProperties('AWS::ApiGateway::ApiKey', { Enabled: true, Value: Match.absent() });
  });

  it("answers API Gateway errors as problem+json with stable types and the functions' titles", () => {
    const expected: Record<string, [status: string | undefined, slug: string]> = {
      INVALID_API_KEY: ['403', 'forbidden'],
      MISSING_AUTHENTICATION_TOKEN: ['403', 'forbidden'],
      ACCESS_DENIED: ['403', 'forbidden'],
      THROTTLED: ['429', 'too-many-requests'],
      QUOTA_EXCEEDED: ['429', 'too-many-requests'],
      BAD_REQUEST_PARAMETERS: ['400', 'bad-request'],
      BAD_REQUEST_BODY: ['400', 'bad-request'],
      INTEGRATION_TIMEOUT: ['504', 'gateway-timeout'],
      DEFAULT_4XX: [undefined, 'client-error'],
      DEFAULT_5XX: [undefined, 'server-error'],
    };
    const responses = Object.values(api.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties,
    );
    for (const [responseType, [status, slug]] of Object.entries(expected)) {
      const response = responses.find((r) => r.ResponseType === responseType);
      expect(response, responseType).toBeDefined();
      expect(response.StatusCode).toBe(status);
      expect(response.ResponseParameters['gatewayresponse.header.Content-Type']).toBe(
        "'application/problem+json'",
      );
      // The OWASP headers the functions' answers carry, on API Gateway's own answers too.
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.x-content-type-options': "'nosniff'",
        'gatewayresponse.header.x-frame-options': "'DENY'",
        'gatewayresponse.header.content-security-policy': "'frame-ancestors \\'none\\''",
        'gatewayresponse.header.strict-transport-security': "'max-age=31536000; includeSubDomains'",
      });
      // Render the template the way API Gateway would, with sample $context values.
      const body = JSON.parse(
        String(response.ResponseTemplates['application/json'])
          .replaceAll('$context.error.messageString', '"Forbidden"')
          .replaceAll('$context.requestId', 'req-1'),
      );
      // The title is the one the functions use for the same type: one list, `PROBLEMS`.
      const title = Object.values(PROBLEMS).find((problem) => problem.slug === slug)?.title;
      expect(title, slug).toBeDefined();
      expect(body).toMatchObject({ type: `${PROBLEM_BASE}${slug}`, title, requestId: 'req-1' });
      if (status !== undefined) expect(body.status).toBe(Number(status));
    }
    const throttled = responses.find((r) => r.ResponseType === 'THROTTLED');
    expect(throttled.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
  });

  it('outputs exactly the API URL, the table name, the pool ARNs, ids and exports, never a key value', () => {
    const dataId = (construct: IConstruct) => logicalId(construct, built.dataStack);
    const { table, keyPoolKey, keyPoolSecrets } = built.dataStack;
    const secretRef = (provider: ProviderId) => {
      const secret = keyPoolSecrets.get(provider);
      if (secret === undefined) throw new Error(`no key-pool secret for ${provider}`);
      return { Ref: dataId(secret) };
    };
    const outputs = (template: Template, exported: boolean) =>
      Object.fromEntries(
        Object.entries(template.findOutputs('*'))
          .filter(([, output]) => (output.Export !== undefined) === exported)
          .map(([name, output]) => [name, output.Value]),
      );

    // What operators read: the table name and one ARN per pool, under stable names.
    expect(outputs(data, false)).toEqual({
      DataTableName: { Ref: dataId(table) },
      ...Object.fromEntries(
        Object.entries(SECRET_ARN_OUTPUTS).map(([provider, name]) => [
          name,
          secretRef(provider as ProviderId),
        ]),
      ),
    });
    // The cross-stack exports carry only what the API stack imports: the table, the pools, the key.
    const byJson = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();
    expect(byJson(Object.values(outputs(data, true)))).toEqual(
      byJson([
        { Ref: dataId(table) },
        { 'Fn::GetAtt': [dataId(table), 'Arn'] },
        { 'Fn::GetAtt': [dataId(keyPoolKey), 'Arn'] },
        ...PROVIDER_IDS.map(secretRef),
      ]),
    );

    // RestApi adds its own `ApiEndpoint…` output, the same URL as ApiUrl; the API stack exports nothing.
    const endpoint = built.apiStack.api.node.findChild('Endpoint') as CfnElement;
    const apiOutputs = outputs(api, false);
    expect(Object.keys(apiOutputs).sort()).toEqual(
      ['ApiUrl', 'ClientApiKeyId', built.apiStack.getLogicalId(endpoint)].sort(),
    );
    expect(apiOutputs.ApiUrl).toEqual(apiOutputs[built.apiStack.getLogicalId(endpoint)]);
    expect(apiOutputs.ClientApiKeyId).toEqual({ Ref: logicalId(built.apiStack.apiKey, built.apiStack) });
    expect(outputs(api, true)).toEqual({});

    // The provider key in the environment at synth reaches neither synthesized template.
    expect(process.env.ALPHA_VANTAGE_API_KEY).toBe(FAKE_PROVIDER_KEY);
    for (const stack of [built.dataStack, built.apiStack]) {
      expect(readFileSync(join(outdir, stack.templateFile), 'utf8')).not.toContain(FAKE_PROVIDER_KEY);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged finding in the validation report', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        violations: { ruleName: string; violatingConstructs: unknown[] }[];
      }[];
    };
    const findings = report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName));
    expect(findings).toEqual([]);
  });

  it('finds nothing unacknowledged when the pack walks the app directly', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(built.app);
    const findings = violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
