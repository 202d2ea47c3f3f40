import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ValorIvxApp } from '../../infra/app.js';
import { FIREWALL_RULES, WEB_ACL_NAME } from '../../infra/constructs/api-firewall.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { DATA_LAYER_NAMESPACE } from '../../infra/constructs/data-layer-metrics.js';
import { DASHBOARD_NAME } from '../../infra/constructs/operations-dashboard.js';
import { RUNBOOK_PATH } from '../../infra/constructs/runbook-alarms.js';
import { UNAVAILABLE_ANSWERS_METRIC } from '../../infra/constructs/unavailable-answers.js';
import { ROUTES } from '../../lib/api/routes.js';
import { DATA_TYPES } from '../../lib/model/data-types.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import {
  alarmMetrics,
  dashboardWidgets,
  flatten,
  type Properties,
  resourcesOf,
  rowLabel,
  type WatchedMetric,
  widgetMetrics,
} from './support/cloudwatch-template.js';
import { emittedMetrics } from './support/emitted-metrics.js';

/**
 * The operations side of the app, synthesized once with an alarm email and a WAF rate in context
 * (no bundling: none of this depends on the bundles): alarms and their notifications, the
 * dashboard, the web ACL, and a check that every metric they watch is one the code emits.
 */
const EMAIL = 'ops@example.com';
const WAF_RATE = 500;
/** Metrics another module of this project adds; watched through Metrics Insights until they exist here. */
const METRICS_OF_OTHER_MODULES = [
  'cache_coalesced_waits_total',
  'cache_lease_takeovers_total',
  'dependency_backoffs_total',
];

let outdir: string;
let built: ValorIvxApp;
let data: Template;
let api: Template;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-ops-'));
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  built = buildApp({
    outdir,
    context: {
      ...cdkJson.context,
      alarmEmail: EMAIL,
      wafRateLimit: String(WAF_RATE),
      'aws:cdk:bundling-stacks': [],
    },
  });
  data = Template.fromStack(built.dataStack);
  api = Template.fromStack(built.apiStack);
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function logicalId(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct)
    ? construct
    : (construct.node.defaultChild as CfnElement);
  return element.stack.getLogicalId(element);
}

type AlarmEntry = { id: string; type: string; props: Record<string, unknown> };
function alarmsOf(template: Template): AlarmEntry[] {
  return ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) =>
    resourcesOf(template, type).map(([id, props]) => ({ id, type, props })),
  );
}
const allAlarms = () => [...alarmsOf(data), ...alarmsOf(api)];
const isBuildingBlock = (alarm: AlarmEntry) =>
  /-(NoUsableKey|KeyPoolIdle)-/.test(String(alarm.props.AlarmName));
const runbookSection = (alarm: AlarmEntry) =>
  /Runbook: docs\/operations\.md, section "([^"]+)"\.$/.exec(String(alarm.props.AlarmDescription))?.[1];

describe('alarms', () => {
  it('creates at least eight alarms covering every failure the runbook names', () => {
    const sections = new Set(allAlarms().map(runbookSection));
    expect(allAlarms().filter((alarm) => !isBuildingBlock(alarm)).length).toBeGreaterThanOrEqual(8);
    expect([...sections].sort()).toEqual(
      [
        'Api5xxRate',
        'ApiLatencyP99',
        'BreakerOpen',
        'CacheErrors',
        'DataTableThrottles',
        'DependencyBackoff',
        'KeyPoolExhausted',
        'KeyQuarantined',
        'KeyRotationFailed',
        'LambdaErrors',
        'LambdaThrottles',
        'ProvidersUnavailable',
      ].sort(),
    );
    const names = allAlarms().map((alarm) => String(alarm.props.AlarmName));
    for (const provider of PROVIDER_IDS) {
      expect(names).toContain(`ValorIvxApi-BreakerOpen-${provider}`);
      expect(names).toContain(`ValorIvxApi-KeyPoolExhausted-${provider}`);
    }
    for (const dataType of DATA_TYPES)
      expect(names).toContain(`ValorIvxApi-ProvidersUnavailable-${dataType}`);
  });

  it("notifies the stack-created topic on ALARM and OK from every alarm but the composites' building blocks", () => {
    const topicId = logicalId(built.dataStack.alarmTopic as unknown as IConstruct);
    const exportName = Object.values(data.findOutputs('*')).find(
      (output) => JSON.stringify(output.Value) === JSON.stringify({ Ref: topicId }),
    )?.Export?.Name;
    expect(exportName).toBeDefined();
    const topicIn = (template: Template) =>
      template === data ? { Ref: topicId } : { 'Fn::ImportValue': exportName };
    for (const [template, alarms] of [
      [data, alarmsOf(data)],
      [api, alarmsOf(api)],
    ] as const) {
      for (const alarm of alarms) {
        const expected = isBuildingBlock(alarm) ? undefined : [topicIn(template)];
        expect({ name: alarm.props.AlarmName, actions: alarm.props.AlarmActions }).toEqual({
          name: alarm.props.AlarmName,
          actions: expected,
        });
        expect(alarm.props.OKActions).toEqual(expected);
      }
    }
  });

  it('says in every description what to do and names a runbook section that exists', () => {
    const runbook = readFileSync(join(PROJECT_ROOT, RUNBOOK_PATH), 'utf8');
    const headings = new Set([...runbook.matchAll(/^### (.+)$/gm)].map((match) => match[1]));
    for (const alarm of allAlarms()) {
      const description = String(alarm.props.AlarmDescription);
      expect(description).toContain(' What to do: ');
      expect(description.length).toBeLessThanOrEqual(1024);
      expect(headings).toContain(runbookSection(alarm));
    }
  });

  it("creates the topic encrypted with its own rotating key, TLS only, publishable by this account's alarms, and subscribes the email", () => {
    data.resourceCountIs('AWS::SNS::Topic', 1);
    const [[topicId, topic]] = resourcesOf(data, 'AWS::SNS::Topic') as [[string, Record<string, unknown>]];
    const keyId = (topic.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(keyId).not.toBe(logicalId(built.dataStack.keyPoolKey));
    data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const key = data.findResources('AWS::KMS::Key')[keyId]?.Properties;
    expect(JSON.stringify(key?.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    data.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: EMAIL,
      TopicArn: { Ref: topicId },
    });
    const [[, policy]] = resourcesOf(data, 'AWS::SNS::TopicPolicy') as [[string, Properties]];
    const statements = policy.PolicyDocument.Statement as Properties[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const publish = statements.find((s) => s.Effect === 'Allow');
    expect(publish).toMatchObject({
      Action: 'sns:Publish',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('calls a breaker stuck when it opened and did not close in two of three 10-minute periods', () => {
    const [alarm] = alarmsOf(api).filter((a) => a.props.AlarmName === 'ValorIvxApi-BreakerOpen-fmp');
    expect(alarm?.props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    const metrics = alarm?.props.Metrics as Properties[];
    expect(metrics.find((m) => m.ReturnData !== false)?.Expression).toBe(
      'IF(FILL(closed, 0) > 0, 0, FILL(opened, 0))',
    );
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
    for (const [id, state] of [
      ['opened', 'OPEN'],
      ['closed', 'CLOSED'],
    ]) {
      expect(byId[id as string]).toMatchObject({ Period: 600, Stat: 'Sum' });
      expect(byId[id as string].Metric.Dimensions).toContainEqual({ Name: 'state', Value: state });
      expect(byId[id as string].Metric.Dimensions).toContainEqual({ Name: 'circuit_name', Value: 'fmp' });
    }
  });

  it('pages on a spent key pool only when the pool was in use within the day', () => {
    const [composite] = alarmsOf(api).filter(
      (a) => a.props.AlarmName === 'ValorIvxApi-KeyPoolExhausted-polygon',
    );
    const rule = flatten(composite?.props.AlarmRule);
    expect(rule).toMatch(
      /^\(ALARM\(".*NoUsableKeypolygon.*"\) AND \(NOT \(ALARM\(".*KeyPoolIdlepolygon.*"\)\)\)\)$/,
    );
    const [idle] = alarmsOf(api).filter((a) => a.props.AlarmName === 'ValorIvxApi-KeyPoolIdle-polygon');
    expect(idle?.props).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 24,
      TreatMissingData: 'breaching',
    });
  });

  it('counts 503 answers per route from the access log, for the providers-unavailable alarms', () => {
    api.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(built.apiStack.accessLogs) },
      FilterPattern: '{ $.status = "503" }',
      MetricTransformations: [
        {
          MetricNamespace: DATA_LAYER_NAMESPACE,
          MetricName: UNAVAILABLE_ANSWERS_METRIC,
          MetricValue: '1',
          Dimensions: [{ Key: 'resource_path', Value: '$.resourcePath' }],
        },
      ],
    });
    const [alarm] = alarmsOf(api).filter(
      (a) => a.props.AlarmName === 'ValorIvxApi-ProvidersUnavailable-financials',
    );
    const watched = alarmMetrics(alarm?.props ?? {});
    expect(watched).toContainEqual({
      kind: 'metric',
      namespace: DATA_LAYER_NAMESPACE,
      name: UNAVAILABLE_ANSWERS_METRIC,
      dimensions: { resource_path: '/api/data/financials/{symbol}' },
    });
  });
});

describe('dashboard', () => {
  it('is one dashboard with a row per concern, the alarms on top', () => {
    api.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    api.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: DASHBOARD_NAME });
    const widgets = dashboardWidgets(api);
    const headings = widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown);
    expect(headings).toEqual(
      expect.arrayContaining([
        '## API (per route)',
        '## Cache',
        '## Providers',
        '## Circuit breakers',
        '## Provider keys',
        '## DynamoDB and dependencies',
        '## Key-pool rotation',
        '## Lambda (route functions)',
        '## Web ACL',
      ]),
    );
    expect(widgets.findIndex((w) => w.type === 'alarm')).toBeLessThan(
      widgets.findIndex((w) => w.properties.title === 'Requests'),
    );
  });

  it('shows every notifying alarm of both stacks in the status widget', () => {
    const [status] = dashboardWidgets(api).filter((w) => w.type === 'alarm');
    const shown = status?.properties.alarms ?? [];
    const notifying = alarmsOf(api).filter((alarm) => !isBuildingBlock(alarm));
    expect(shown).toHaveLength(notifying.length + alarmsOf(data).length);
    for (const alarm of notifying) expect(shown).toContain(`«Fn::GetAtt:${alarm.id},Arn»`);
    for (const alarm of alarmsOf(data)) {
      expect(shown.some((arn) => arn.endsWith(`:alarm:${alarm.props.AlarmName}`))).toBe(true);
    }
  });

  it('graphs requests, latency p50/p99, 4xx and 5xx for every route', () => {
    const widgets = dashboardWidgets(api);
    for (const [title, metricName, stat] of [
      ['Requests', 'Count', 'Sum'],
      ['Latency p50 (ms)', 'Latency', 'p50'],
      ['Latency p99 (ms)', 'Latency', 'p99'],
      ['4xx answers', '4XXError', 'Sum'],
      ['5xx answers', '5XXError', 'Sum'],
    ] as const) {
      const widget = widgets.find((w) => w.properties.title === title);
      const rows = widget?.properties.metrics ?? [];
      expect(rows.map(rowLabel)).toEqual(ROUTES.map((route) => route.id));
      expect(rows.map((row) => (row[row.length - 1] as { stat: string }).stat)).toEqual(
        ROUTES.map(() => stat),
      );
      expect(widgetMetrics(widget ?? { type: 'metric', properties: {} })).toEqual(
        ROUTES.map((route) => ({
          kind: 'metric',
          namespace: 'AWS/ApiGateway',
          name: metricName,
          dimensions: { ApiName: 'valor-ivx-data', Stage: 'v1', Resource: route.path, Method: route.method },
        })),
      );
    }
  });

  it('shows the cache hit ratio per data type as fresh hits over lookups', () => {
    const widget = dashboardWidgets(api).find(
      (w) => w.properties.title === 'Cache hit ratio by data type (%)',
    );
    const expressions = widgetMetrics(widget ?? { type: 'metric', properties: {} }).filter(
      (m) => m.kind === 'expression',
    );
    expect(expressions).toEqual(
      DATA_TYPES.map((type) => ({
        kind: 'expression',
        expression: `100 * FILL(fresh_${type}, 0) / (FILL(fresh_${type}, 0) + FILL(miss_${type}, 0))`,
      })),
    );
  });

  it('reads cold starts and init duration from the REPORT lines of every route function', () => {
    const [log] = dashboardWidgets(api).filter((w) => w.type === 'log');
    const query = String(log?.properties.query);
    expect(query).toContain('ispresent(@initDuration)');
    for (const fn of built.apiStack.functions.values()) {
      expect(query).toContain(`SOURCE '«Ref:${logicalId(fn.logGroup)}»'`);
    }
  });

  it('watches only metrics the code emits, with the dimensions it emits them with', () => {
    const emitted = emittedMetrics();
    expect(emitted.namespace).toEqual([DATA_LAYER_NAMESPACE]);
    const key = (name: string, dimensions: Record<string, string>) =>
      `${name}${JSON.stringify(Object.entries(dimensions).sort())}`;
    const known = new Set(emitted.metrics.map((m) => key(m.name, m.dimensions)));
    for (const route of ROUTES) known.add(key(UNAVAILABLE_ANSWERS_METRIC, { resource_path: route.path }));
    const names = new Set([...emitted.metrics.map((m) => m.name), UNAVAILABLE_ANSWERS_METRIC]);

    const watched: WatchedMetric[] = [
      ...allAlarms().flatMap((alarm) =>
        alarm.type === 'AWS::CloudWatch::Alarm' ? alarmMetrics(alarm.props) : [],
      ),
      ...dashboardWidgets(api).flatMap(widgetMetrics),
    ];
    const ours = watched.filter((m) => m.kind === 'metric' && m.namespace === DATA_LAYER_NAMESPACE);
    expect(ours.length).toBeGreaterThan(100);
    const unknown = ours.flatMap((m) =>
      m.kind === 'metric' && !known.has(key(m.name, m.dimensions)) ? [key(m.name, m.dimensions)] : [],
    );
    expect(unknown).toEqual([]);

    const queries = watched.flatMap((m) =>
      m.kind === 'expression' && m.expression.includes(`FROM "${DATA_LAYER_NAMESPACE}"`)
        ? [m.expression]
        : [],
    );
    expect(queries.length).toBeGreaterThan(5);
    for (const query of queries) {
      const name = /SELECT SUM\((\w+)\)/.exec(query)?.[1] ?? '';
      expect([...names, ...METRICS_OF_OTHER_MODULES]).toContain(name);
      const dimensionsNamed = [
        ...(/GROUP BY (.+)$/.exec(query)?.[1]?.split(', ') ?? []),
        ...[...query.matchAll(/(\w+) = '/g)].map((match) => match[1] as string),
      ];
      const emittedDimensions = new Set(
        emitted.metrics.filter((m) => m.name === name).flatMap((m) => Object.keys(m.dimensions)),
      );
      if (emittedDimensions.size > 0) {
        for (const dimension of dimensionsNamed) expect(emittedDimensions).toContain(dimension);
      }
    }
  });
});

describe('web ACL', () => {
  it('guards the API stage with one regional web ACL', () => {
    api.resourceCountIs('AWS::WAFv2::WebACL', 1);
    api.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const webAclId = logicalId(built.apiStack.firewall.webAcl);
    const association = Object.values(api.findResources('AWS::WAFv2::WebACLAssociation'))[0]?.Properties;
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
    const arn = flatten(association.ResourceArn);
    const restApiId = logicalId(built.apiStack.api);
    const stageId = logicalId(built.apiStack.api.deploymentStage);
    expect(arn).toBe(
      `arn:«Ref:AWS::Partition»:apigateway:«Ref:AWS::Region»::/restapis/«Ref:${restApiId}»/stages/«Ref:${stageId}»`,
    );
    api.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: WEB_ACL_NAME,
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        CloudWatchMetricsEnabled: true,
        MetricName: WEB_ACL_NAME,
        SampledRequestsEnabled: true,
      },
    });
  });

  it('blocks a client IP over the context rate with a 429 problem body, before the managed rules', () => {
    const acl = Object.values(api.findResources('AWS::WAFv2::WebACL'))[0]?.Properties;
    const [rate] = acl.Rules as Properties[];
    expect(rate).toMatchObject({
      Name: FIREWALL_RULES.rateLimit,
      Priority: 0,
      Statement: {
        RateBasedStatement: { Limit: WAF_RATE, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
      },
      Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'TooManyRequests' } } },
    });
    const body = JSON.parse(acl.CustomResponseBodies.TooManyRequests.Content);
    expect(acl.CustomResponseBodies.TooManyRequests.ContentType).toBe('APPLICATION_JSON');
    expect(body).toMatchObject({ type: 'https://valor-ivx.dev/problems/too-many-requests', status: 429 });
  });

  it("runs AWS's managed known-bad-inputs and common rule sets with their own actions", () => {
    const acl = Object.values(api.findResources('AWS::WAFv2::WebACL'))[0]?.Properties;
    const managed = (acl.Rules as Properties[]).slice(1);
    expect(managed).toEqual([
      expect.objectContaining({
        Name: 'AWSManagedRulesKnownBadInputsRuleSet',
        Priority: 1,
        OverrideAction: { None: {} },
        Statement: {
          ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' },
        },
      }),
      expect.objectContaining({
        Name: 'AWSManagedRulesCommonRuleSet',
        Priority: 2,
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
      }),
    ]);
  });
});
