import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnDeletionPolicy, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
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
      functionEnvironment: {},
    });
  });

  it('reads configuration for the functions from -c functionEnv pairs or a cdk.json object', () => {
    expect(
      settingsFor({ functionEnv: 'FMP_PLAN=paid;PROVIDER_ORDER_QUOTE=fmp,alpha-vantage' })
        .functionEnvironment,
    ).toEqual({ FMP_PLAN: 'paid', PROVIDER_ORDER_QUOTE: 'fmp,alpha-vantage' });
    expect(
      settingsFor({ functionEnv: { QUALITY_FLOOR: 0.7, CACHE_TTL_QUOTE_SECONDS: '60' } }).functionEnvironment,
    ).toEqual({
      QUALITY_FLOOR: '0.7',
      CACHE_TTL_QUOTE_SECONDS: '60',
    });
  });

  it('puts the functionEnv variables into every data function of the API stack', () => {
    // An empty bundling-stacks list skips esbuild: the environment does not depend on the bundle.
    const outdir = mkdtempSync(join(tmpdir(), 'valor-ivx-env-'));
    const { apiStack } = buildApp({
      outdir,
      context: { functionEnv: 'FMP_PLAN=paid;QUALITY_FLOOR=0.7', 'aws:cdk:bundling-stacks': [] },
    });
    const functions = Template.fromStack(apiStack).findResources('AWS::Lambda::Function');
    rmSync(outdir, { recursive: true, force: true });
    expect(Object.keys(functions).length).toBeGreaterThan(5);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ FMP_PLAN: 'paid', QUALITY_FLOOR: '0.7' });
    }
    // A whole app's synth (cdk-nag included) takes 20-30 s on a loaded machine.
  }, 120_000);

  it('refuses unknown variables, bad values and any provider key, naming the variable but never the value', () => {
    expect(() => settingsFor({ functionEnv: 'QUALITY_FLOR=0.7' })).toThrow(
      /QUALITY_FLOR is not a configuration variable/,
    );
    expect(() => settingsFor({ functionEnv: 'QUALITY_FLOOR=lots' })).toThrow(
      /QUALITY_FLOOR must be a number/,
    );
    const error = (() => {
      try {
        settingsFor({ functionEnv: 'ALPHA_VANTAGE_API_KEY=SECRETVALUE123' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/ALPHA_VANTAGE_API_KEY is a provider key/);
    expect(error?.message).not.toContain('SECRETVALUE123');
  });

  it('reads command-line strings and JSON values', () => {
    expect(
      settingsFor({ retain: 'false', throttleRate: '12.5', throttleBurst: '20', quotaPerDay: 5000 }),
    ).toEqual({
      retain: false,
      throttleRate: 12.5,
      throttleBurst: 20,
      quotaPerDay: 5000,
      functionEnvironment: {},
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
