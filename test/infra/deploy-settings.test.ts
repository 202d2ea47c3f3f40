import { App, CfnDeletionPolicy, type CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { DataStack } from '../../infra/stacks/data-stack.js';
import { DEFAULT_DEPLOY_SETTINGS, readDeploySettings } from '../../infra/stacks/deploy-settings.js';

function settingsFor(context: Record<string, unknown>) {
  return readDeploySettings(new App({ context }).node);
}

function deletionPolicyOf(construct: IConstruct): CfnDeletionPolicy | undefined {
  return (construct.node.defaultChild as CfnResource).cfnOptions.deletionPolicy;
}

describe('readDeploySettings', () => {
  it('uses the defaults without context: retain, 50/s, burst 100, 100 000 a day', () => {
    expect(settingsFor({})).toEqual(DEFAULT_DEPLOY_SETTINGS);
    expect(DEFAULT_DEPLOY_SETTINGS).toEqual({
      retain: true,
      throttleRate: 50,
      throttleBurst: 100,
      quotaPerDay: 100_000,
    });
  });

  it('reads command-line strings and JSON values', () => {
    expect(
      settingsFor({ retain: 'false', throttleRate: '12.5', throttleBurst: '20', quotaPerDay: 5000 }),
    ).toEqual({
      retain: false,
      throttleRate: 12.5,
      throttleBurst: 20,
      quotaPerDay: 5000,
    });
  });

  it('rejects values that would deploy a surprising limit', () => {
    expect(() => settingsFor({ throttleRate: 'fast' })).toThrow(/throttleRate/);
    expect(() => settingsFor({ throttleBurst: '0' })).toThrow(/throttleBurst/);
    expect(() => settingsFor({ quotaPerDay: '10.5' })).toThrow(/quotaPerDay/);
    expect(() => settingsFor({ retain: 'no' })).toThrow(/retain/);
  });
});

describe('DataStack removal policy', () => {
  it('lets dev teardown delete the table, key and secrets when retain is false', () => {
    const stack = new DataStack(new App(), 'Data', { retain: false });
    const constructs = [stack.table, stack.keyPoolKey, ...stack.keyPoolSecrets.values()];
    expect(constructs.map(deletionPolicyOf)).toEqual(constructs.map(() => CfnDeletionPolicy.DELETE));
  });

  it('retains the table, key and secrets when retain is true', () => {
    const stack = new DataStack(new App(), 'Data', { retain: true });
    const constructs = [stack.table, stack.keyPoolKey, ...stack.keyPoolSecrets.values()];
    expect(constructs.map(deletionPolicyOf)).toEqual(constructs.map(() => CfnDeletionPolicy.RETAIN));
  });
});
