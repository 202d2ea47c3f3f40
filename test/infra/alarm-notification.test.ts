import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { readAlarmNotification, readWafRateLimit } from '../../infra/stacks/deploy-settings.js';

/**
 * What the deploy context decides besides the alarms themselves: with no alarm context, alarms
 * without actions and no topic; with `alarmTopicArn`, the operator's topic on every alarm and no
 * topic of ours; the WAF rate's default. Two apps, synthesized without bundling.
 */
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
const outdirs: string[] = [];
let quiet: { data: Template; api: Template };
let existing: { data: Template; api: Template };

function templates(context: Record<string, unknown>): { data: Template; api: Template } {
  const outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-alarms-'));
  outdirs.push(outdir);
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const built = buildApp({
    outdir,
    context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  return { data: Template.fromStack(built.dataStack), api: Template.fromStack(built.apiStack) };
}

beforeAll(() => {
  quiet = templates({});
  existing = templates({ alarmTopicArn: TOPIC_ARN });
}, 180_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

const alarmsOf = (template: Template) =>
  ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) =>
    Object.values(template.findResources(type)).map((resource) => resource.Properties),
  );

describe('alarm notifications', () => {
  it('creates the alarms without actions, and no topic, when no alarm context is given', () => {
    const alarms = [...alarmsOf(quiet.data), ...alarmsOf(quiet.api)];
    expect(alarms.length).toBeGreaterThanOrEqual(8);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
    for (const template of [quiet.data, quiet.api]) {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    }
  });

  it("notifies the operator's existing topic from every notifying alarm, and creates no topic", () => {
    const alarms = [...alarmsOf(existing.data), ...alarmsOf(existing.api)];
    const notifying = alarms.filter((alarm) => !/-(NoUsableKey|KeyPoolIdle)-/.test(alarm.AlarmName));
    expect(notifying.length).toBeGreaterThanOrEqual(8);
    for (const alarm of notifying) {
      expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.OKActions).toEqual([TOPIC_ARN]);
    }
    for (const template of [existing.data, existing.api]) {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::KMS::Key', template === existing.data ? 1 : 0);
    }
    // The ARN is a literal: no export ties the two stacks together for it.
    expect(JSON.stringify(existing.data.findOutputs('*'))).not.toContain('ops-alarms');
  });

  it('reads alarmEmail or alarmTopicArn, never both, and refuses malformed values', () => {
    const read = (context: Record<string, unknown>) => readAlarmNotification(new App({ context }).node);
    expect(read({})).toEqual({ kind: 'none' });
    expect(read({ alarmEmail: ' ops@example.com ' })).toEqual({ kind: 'email', email: 'ops@example.com' });
    expect(read({ alarmTopicArn: TOPIC_ARN })).toEqual({ kind: 'topic', topicArn: TOPIC_ARN });
    expect(() => read({ alarmEmail: 'ops@example.com', alarmTopicArn: TOPIC_ARN })).toThrow(/not both/);
    expect(() => read({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
    expect(() => read({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops.fifo' })).toThrow(
      /standard SNS/,
    );
    expect(() => read({ alarmTopicArn: 'ops-alarms' })).toThrow(/alarmTopicArn/);
  });
});

describe('web ACL rate', () => {
  it("defaults to what one key's usage plan allows in the 5-minute window", () => {
    const acl = Object.values(quiet.api.findResources('AWS::WAFv2::WebACL'))[0]?.Properties;
    expect(acl.Rules[0].Statement.RateBasedStatement.Limit).toBe(50 * 300);
  });

  it('reads wafRateLimit and refuses what WAF would not accept', () => {
    const rate = (value: unknown, throttleRate = 50) =>
      readWafRateLimit(new App({ context: { wafRateLimit: value } }).node, throttleRate);
    expect(rate(undefined)).toBe(15_000);
    expect(rate(undefined, 12.5)).toBe(3750);
    expect(rate('2000')).toBe(2000);
    for (const bad of ['9', '2.5', 'many', '3000000000']) expect(() => rate(bad)).toThrow(/wafRateLimit/);
  });
});
