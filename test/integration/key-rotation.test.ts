import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import {
  type RotationFunction,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../infra/local/secrets-manager-emulator.js';
import { DEFAULT_PROVIDER_BASE_URLS } from '../../lib/config.js';
import { ProviderKeyTester } from '../../lib/keys/key-tester.js';
import { KeyPoolRotation, PROVIDER_TAG, ROTATION_STEPS, type RotationStep } from '../../lib/keys/rotation.js';
import { type KeyPool, keyPoolSecretName, type ProviderKey } from '../../lib/keys/secrets-layout.js';
import type { ProviderId } from '../../lib/model/provider-ids.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

/**
 * The rotation against the Secrets Manager emulator and the market-data sandbox: the four steps
 * called one by one (as Lambda invocations, retried with the same token), and whole rotations
 * started with RotateSecret, the emulator invoking the real Lambda handler for each step.
 */
const run = randomUUID().slice(0, 8);
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-provider-keys';
const DAY_MS = 24 * 60 * 60 * 1000;

let clock = new Date('2030-03-15T10:00:00.000Z');
const daysAgo = (days: number) => new Date(clock.getTime() - days * DAY_MS).toISOString();
/** Key values look like keys and are unique per run, so a leak is found by searching for them. */
const key = (id: string, addedAt: string): ProviderKey => ({ id, value: `sk_${run}_${id}`, addedAt });

/** What the emulator's rotation hook does: the Lambda handler, or an interruption that leaves the steps to the test. */
let onRotate: RotationFunction = async () => {
  throw new Error('no rotation expected');
};
let emulator: SecretsManagerEmulator;
let sandbox: MarketSandbox;
let client: SecretsManagerClient;
let stdout: ReturnType<typeof captureStdout>;
/** The handler's Powertools Logger writes errors to stderr: kept too, to search it for key values. */
let stderr: string[] = [];
const writeStderr = process.stderr.write.bind(process.stderr);
const logged: unknown[] = [];
const logger: DomainLogger = {
  debug: (...args: unknown[]) => void logged.push(args),
  info: (...args: unknown[]) => void logged.push(args),
  warn: (...args: unknown[]) => void logged.push(args),
  error: (...args: unknown[]) => void logged.push(args),
};
const metrics = new DataLayerMetrics(
  new Metrics({ namespace: 'ValorIvxTest', serviceName: 'rotation-test' }),
);

beforeAll(async () => {
  [emulator, sandbox] = await Promise.all([
    startSecretsManagerEmulator({ rotate: (step) => onRotate(step) }),
    startMarketSandbox(),
  ]);
  client = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
});

afterAll(async () => {
  client?.destroy();
  await Promise.all([emulator?.close(), sandbox?.close()]);
});

beforeEach(() => {
  clock = new Date('2030-03-15T10:00:00.000Z');
  logged.length = 0;
  sandbox.resetKnobs();
  sandbox.resetStats();
  stdout = captureStdout();
  stderr = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  stdout.restore();
  process.stderr.write = writeStderr;
});

let counter = 0;

/** A key-pool secret of its own (a fresh name prefix) and the rotation that knows that prefix. */
async function stagePool(pool: KeyPool, provider: ProviderId = 'alpha-vantage', secrets = client) {
  const prefix = `rotation-${run}-${++counter}/`;
  const name = keyPoolSecretName(provider, prefix);
  const created = await client.send(
    new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(pool) }),
  );
  const rotation = new KeyPoolRotation({
    secrets,
    tester: new ProviderKeyTester({
      baseUrls: { ...DEFAULT_PROVIDER_BASE_URLS, ...sandbox.baseUrls },
      timeoutMs: 2000,
      now: () => clock,
    }),
    metrics,
    logger,
    now: () => clock,
    options: { maxKeyAgeDays: 90, secretPrefix: prefix },
  });
  const arn = created.ARN ?? '';
  return { name, step: (step: RotationStep, token: string) => rotation.run({ secretId: arn, token, step }) };
}

/**
 * Starts a rotation as AWS does (rotation enabled, a value-less AWSPENDING version named by the
 * token), with a first invocation that dies at once, so the test plays Lambda's next invocations.
 */
async function beginRotation(name: string): Promise<string> {
  onRotate = async () => {
    throw new Error('invocation interrupted: the test runs the steps');
  };
  const token = randomUUID();
  await expect(
    client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, ClientRequestToken: token }),
    ),
  ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  return token;
}

async function stages(name: string): Promise<Record<string, string[]>> {
  return (await client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
}

async function versionCount(name: string): Promise<number> {
  const listed = await client.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  return listed.Versions?.length ?? 0;
}

async function poolAt(name: string, VersionStage: string, VersionId?: string): Promise<KeyPool> {
  const answer = await client.send(new GetSecretValueCommand({ SecretId: name, VersionStage, VersionId }));
  return JSON.parse(answer.SecretString ?? '') as KeyPool;
}

/** The rotation metrics emitted so far in this test. */
function rotationMetrics() {
  return emfMetrics(stdout.lines())
    .filter((m) => m.name.startsWith('provider_key_rotation'))
    .map((m) => ({ name: m.name, provider: m.dimensions.provider, reason: m.dimensions.reason }));
}

/** Neither the logs nor stdout (metrics, handler logs) may hold a key value of this run. */
function expectNoKeyValueLeaked(): void {
  const text = JSON.stringify(logged, (_k, v) => (v instanceof Error ? `${v.name}: ${v.message}` : v));
  expect(text).not.toContain(`sk_${run}`);
  expect([...stdout.lines(), ...stderr].filter((line) => line.includes(`sk_${run}`))).toEqual([]);
}

describe('the four steps, one invocation at a time', () => {
  it('promotes the spare, retires the expired key it replaces, and keeps the old pool as AWSPREVIOUS', async () => {
    const original: KeyPool = {
      keys: [key('old', daysAgo(120)), key('recent', daysAgo(10))],
      spare: [key('new', daysAgo(2))],
    };
    const { name, step } = await stagePool(original);
    const token = await beginRotation(name);
    const before = Object.keys(await stages(name)).find((id) => id !== token);

    for (const phase of ROTATION_STEPS) await step(phase, token);

    const rotated: KeyPool = {
      keys: [key('recent', daysAgo(10)), { ...key('new', ''), addedAt: clock.toISOString() }],
      spare: [],
    };
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(rotated);
    expect(await poolAt(name, 'AWSPREVIOUS')).toEqual(original);
    expect(await stages(name)).toEqual({
      [before ?? '']: ['AWSPREVIOUS'],
      [token]: ['AWSPENDING', 'AWSCURRENT'],
    });
    // One test call, with the new key only: keys already in service are not spent on tests.
    expect(sandbox.stats().callsByKey['alpha-vantage']).toEqual({ [key('new', '').value]: 1 });
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotations_total', provider: 'alpha-vantage', reason: undefined },
    ]);
    expectNoKeyValueLeaked();
  });

  it('finishes when the reply of its label move was lost: the repeat finds the move done, and it is no failure', async () => {
    // The emulator cannot lose a reply: this client's middleware lets the first label move reach it
    // and then fails the attempt as a reset connection would, so the SDK sends the move again.
    const lossy = new SecretsManagerClient({
      endpoint: emulator.endpoint,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    let lost = 0;
    lossy.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const answer = await next(args);
          if (context.commandName !== 'UpdateSecretVersionStageCommand' || lost > 0) return answer;
          lost++;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }) as never,
      { step: 'deserialize', priority: 'low' },
    );
    const original: KeyPool = { keys: [key('old', daysAgo(120))], spare: [key('new', daysAgo(2))] };
    const { name, step } = await stagePool(original, 'alpha-vantage', lossy);
    const token = await beginRotation(name);

    for (const phase of ROTATION_STEPS) await step(phase, token);

    expect(lost).toBe(1);
    expect((await poolAt(name, 'AWSCURRENT')).keys.map((k) => k.id)).toEqual(['new']);
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotations_total', provider: 'alpha-vantage', reason: undefined },
    ]);
    lossy.destroy();
  });

  it('repeats every step with the same token without a new version, a changed value or a moved label', async () => {
    const { name, step } = await stagePool({ keys: [key('a', daysAgo(100))], spare: [key('b', daysAgo(1))] });
    const token = await beginRotation(name);

    await step('createSecret', token);
    const pending = await poolAt(name, 'AWSPENDING', token);
    const afterCreate = { stages: await stages(name), versions: await versionCount(name) };
    // A retry a minute later would stamp another addedAt: it must find the stored value and keep it.
    clock = new Date(clock.getTime() + 60_000);
    await step('createSecret', token);
    expect(await poolAt(name, 'AWSPENDING', token)).toEqual(pending);
    expect({ stages: await stages(name), versions: await versionCount(name) }).toEqual(afterCreate);

    for (const repeated of ['setSecret', 'testSecret'] as const) {
      await step(repeated, token);
      await step(repeated, token);
      expect({ stages: await stages(name), versions: await versionCount(name) }).toEqual(afterCreate);
    }

    await step('finishSecret', token);
    const afterFinish = { stages: await stages(name), versions: await versionCount(name) };
    for (const repeated of ['finishSecret', 'createSecret', 'testSecret'] as const)
      await step(repeated, token);
    expect({ stages: await stages(name), versions: await versionCount(name) }).toEqual(afterFinish);
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(pending);
    expect(rotationMetrics().filter((m) => m.name === 'provider_key_rotations_total')).toHaveLength(1);
  });

  it('fails loudly when no spare key is staged, keeping the expired key current and counting the failure', async () => {
    const original: KeyPool = { keys: [key('expired', daysAgo(200))], spare: [] };
    const { name, step } = await stagePool(original);
    const token = await beginRotation(name);

    await expect(step('createSecret', token)).rejects.toMatchObject({
      name: 'RotationError',
      reason: 'no_spare_keys',
      message: expect.stringMatching(/no spare key is staged for alpha-vantage.*expired/),
    });
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(original);
    // The placeholder still has no value, so the next attempt starts over.
    await expect(poolAt(name, 'AWSPENDING', token)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotation_failures_total', provider: 'alpha-vantage', reason: 'no_spare_keys' },
    ]);
  });

  it('keeps keys within their maximum age and retires none when nothing is past it', async () => {
    const { name, step } = await stagePool({ keys: [key('a', daysAgo(89))], spare: [key('b', daysAgo(1))] });
    const token = await beginRotation(name);
    await step('createSecret', token);
    expect((await poolAt(name, 'AWSPENDING', token)).keys.map((k) => k.id)).toEqual(['a', 'b']);
  });

  it('leaves AWSCURRENT unchanged and counts the failure when the provider rejects a new key', async () => {
    const original: KeyPool = {
      keys: [key('in-service', daysAgo(100))],
      spare: [key('revoked', daysAgo(1))],
    };
    const { name, step } = await stagePool(original);
    sandbox.setKnobs({ 'alpha-vantage': { invalidKeys: [key('revoked', '').value] } });
    const token = await beginRotation(name);

    await step('createSecret', token);
    await step('setSecret', token);
    await expect(step('testSecret', token)).rejects.toMatchObject({
      name: 'RotationError',
      reason: 'key_test_failed',
      message: expect.stringContaining('revoked (rejected, invalid_key'),
    });
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(original);
    expect((await stages(name))[token]).toEqual(['AWSPENDING']);
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotation_failures_total', provider: 'alpha-vantage', reason: 'key_test_failed' },
    ]);
    expectNoKeyValueLeaked();
  });

  it('refuses to finish when AWSCURRENT changed after createSecret, so a freshly staged key is not lost', async () => {
    const { name, step } = await stagePool({ keys: [key('a', daysAgo(1))], spare: [key('b', daysAgo(1))] });
    const token = await beginRotation(name);
    await step('createSecret', token);
    // An operator stages one more spare while the rotation is under way.
    const changed: KeyPool = {
      keys: [key('a', daysAgo(1))],
      spare: [key('b', daysAgo(1)), key('c', daysAgo(0))],
    };
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(changed) }));

    await expect(step('testSecret', token)).rejects.toMatchObject({
      reason: 'pool_changed',
      message: expect.stringContaining(`lacks c): remove AWSPENDING from version ${token}`),
    });
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(changed);
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotation_failures_total', provider: 'alpha-vantage', reason: 'pool_changed' },
    ]);
  });

  it('never promotes a key whose test was inconclusive (the provider says its quota is spent)', async () => {
    const { name, step } = await stagePool(
      { keys: [key('a', daysAgo(1))], spare: [key('b', daysAgo(1))] },
      'fmp',
    );
    sandbox.setKnobs({ fmp: { mode: 'daily-limit' } });
    const token = await beginRotation(name);
    await step('createSecret', token);
    await expect(step('testSecret', token)).rejects.toMatchObject({
      reason: 'key_test_failed',
      message: expect.stringContaining('b (inconclusive, quota_exhausted'),
    });
    expect((await poolAt(name, 'AWSCURRENT')).keys.map((k) => k.id)).toEqual(['a']);
  });

  it('rotates an empty pool (a provider not in use) without a failure', async () => {
    const { name, step } = await stagePool({ keys: [], spare: [] }, 'polygon');
    const token = await beginRotation(name);
    for (const phase of ROTATION_STEPS) await step(phase, token);
    expect(await poolAt(name, 'AWSCURRENT')).toEqual({ keys: [], spare: [] });
    expect(rotationMetrics().map((m) => m.name)).toEqual(['provider_key_rotations_total']);
  });

  it('refuses a secret without rotation and a token that is not an AWSPENDING version', async () => {
    const { name, step } = await stagePool({ keys: [key('a', daysAgo(1))], spare: [key('b', daysAgo(1))] });
    await expect(step('createSecret', randomUUID())).rejects.toMatchObject({
      reason: 'not_rotatable',
      message: expect.stringContaining('rotation is not enabled'),
    });
    await beginRotation(name);
    await expect(step('createSecret', randomUUID())).rejects.toThrow(/is not a version/);
    expect(await poolAt(name, 'AWSCURRENT')).toMatchObject({ spare: [key('b', daysAgo(1))] });
  });
});

describe('RotateSecret through the emulator, invoking the Lambda handler', () => {
  const handlerPrefix = `rotation-handler-${run}/`;
  let invoke: RotationFunction;

  beforeAll(async () => {
    // This file is the Lambda container: the handler reads process.env at import, as on Lambda.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
      ALPHA_VANTAGE_BASE_URL: sandbox.baseUrls['alpha-vantage'],
      FMP_BASE_URL: sandbox.baseUrls.fmp,
      KEY_POOL_SECRET_PREFIX: handlerPrefix,
      POWERTOOLS_SERVICE_NAME: 'valor-ivx-data',
      POWERTOOLS_METRICS_NAMESPACE: 'ValorIvxTest',
    });
    const { handler } = await import('../../functions/rotate-provider-keys.js');
    invoke = async (event) => handler(event, lambdaContext('rotate-provider-keys', 120_000, 256));
  });

  beforeEach(() => {
    // The handler runs on the system clock; key ages are counted from it here.
    clock = new Date();
  });

  it('runs the four steps and leaves the promoted pool AWSCURRENT, the old one AWSPREVIOUS', async () => {
    onRotate = (event) => invoke(event);
    const original: KeyPool = { keys: [key('h-old', daysAgo(365))], spare: [key('h-new', daysAgo(1))] };
    const name = keyPoolSecretName('alpha-vantage', handlerPrefix);
    await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(original) }));

    const rotated = await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );

    expect((await poolAt(name, 'AWSCURRENT')).keys.map((k) => k.id)).toEqual(['h-new']);
    expect(await poolAt(name, 'AWSPREVIOUS')).toEqual(original);
    expect((await stages(name))[rotated.VersionId ?? '']).toContain('AWSCURRENT');
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotations_total', provider: 'alpha-vantage', reason: undefined },
    ]);
    expectNoKeyValueLeaked();
  });

  it('reports a failed testSecret as a failed rotation, AWSCURRENT unchanged, with the failure metric', async () => {
    onRotate = (event) => invoke(event);
    const original: KeyPool = { keys: [key('t-in', daysAgo(10))], spare: [key('t-bad', daysAgo(0))] };
    // A name outside the key-pool layout: the provider comes from the secret's tag.
    const name = `legacy-${run}/fmp-keys`;
    await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify(original),
        Tags: [{ Key: PROVIDER_TAG, Value: 'fmp' }],
      }),
    );
    sandbox.setKnobs({ fmp: { invalidKeys: [key('t-bad', '').value] } });

    await expect(
      client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('testSecret failed'),
    });
    expect(await poolAt(name, 'AWSCURRENT')).toEqual(original);
    expect(rotationMetrics()).toEqual([
      { name: 'provider_key_rotation_failures_total', provider: 'fmp', reason: 'key_test_failed' },
    ]);
    const errors = stderr.map(
      (line) => JSON.parse(line) as { message: string; step?: string; error?: unknown },
    );
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'rotation step failed',
        step: 'testSecret',
        error: expect.objectContaining({ name: 'RotationError', reason: 'key_test_failed' }),
      }),
    ]);
    expectNoKeyValueLeaked();
  });

  it('rotates again after the runbook (docs/operations.md): fix the spare, clear the stuck AWSPENDING, rotate', async () => {
    onRotate = (event) => invoke(event);
    const original: KeyPool = { keys: [key('r-in', daysAgo(10))], spare: [key('r-bad', daysAgo(0))] };
    const name = `legacy-${run}/fmp-runbook`;
    await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify(original),
        Tags: [{ Key: PROVIDER_TAG, Value: 'fmp' }],
      }),
    );
    sandbox.setKnobs({ fmp: { invalidKeys: [key('r-bad', '').value] } });
    await expect(
      client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN })),
    ).rejects.toMatchObject({ message: expect.stringContaining('testSecret failed') });
    await expect(client.send(new RotateSecretCommand({ SecretId: name }))).rejects.toMatchObject({
      message: expect.stringContaining("previous rotation isn't complete"),
    });

    const fixed: KeyPool = { ...original, spare: [key('r-good', daysAgo(0))] };
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify(fixed) }));
    const stuck = Object.entries(await stages(name)).find(
      ([, labels]) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
    )?.[0];
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: stuck,
      }),
    );
    await client.send(new RotateSecretCommand({ SecretId: name }));

    expect((await poolAt(name, 'AWSCURRENT')).keys.map((k) => k.id)).toEqual(['r-in', 'r-good']);
    expect(await poolAt(name, 'AWSPREVIOUS')).toEqual(fixed);
  });

  it('refuses an event that is not a rotation step', async () => {
    await expect(
      invoke({ SecretId: 'x', ClientRequestToken: 'short', Step: 'createSecret' }),
    ).rejects.toMatchObject({ name: 'RotationError', reason: 'not_rotatable' });
  });
});
