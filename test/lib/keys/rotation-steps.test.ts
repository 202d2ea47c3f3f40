import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyTester } from '../../../lib/keys/key-tester.js';
import { KeyPoolRotation, parseKeyPool, type RotationStep } from '../../../lib/keys/rotation.js';
import type { KeyPool } from '../../../lib/keys/secrets-layout.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';

// The four rotation steps' decisions, with Secrets Manager's answers played by aws-sdk-client-mock
// (the emulator cannot answer a repeated stage move as refused after applying it, nor race two
// invocations' PutSecretValue). The steps against the emulator are in test/integration/key-rotation.test.ts.
const client = new SecretsManagerClient({ region: 'us-east-1' });
const mock = mockClient(client);

const SECRET = 'valor-ivx/provider-keys/alpha-vantage';
const NOW = new Date('2026-12-01T12:00:00Z');
const TOKEN = 'v-new';
const key = (id: string, addedAt = '2026-11-20T00:00:00Z') => ({ id, value: `${id}-secret-value`, addedAt });
const CURRENT: KeyPool = { keys: [key('old')], spare: [key('next')] };
const describeAnswer = (stages: Record<string, string[]>, fields: Record<string, unknown> = {}) => ({
  Name: SECRET,
  RotationEnabled: true,
  VersionIdsToStages: { 'v-current': ['AWSCURRENT'], ...stages },
  ...fields,
});
const notFound = () => Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' });

let failed: [string, string][];
let completed: string[];
let tested: string[];
let verdict: Awaited<ReturnType<KeyTester['test']>>;
const logger: DomainLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const rotation = () =>
  new KeyPoolRotation({
    secrets: client,
    tester: {
      test: async (_provider, testedKey) => {
        tested.push(testedKey.id);
        return verdict;
      },
    },
    metrics: {
      rotationFailed: (provider, reason) => void failed.push([provider, reason]),
      rotationCompleted: (provider) => void completed.push(provider),
    },
    logger,
    now: () => NOW,
    options: { maxKeyAgeDays: 90, secretPrefix: 'valor-ivx/provider-keys/' },
  });
const run = (step: RotationStep) => rotation().run({ secretId: SECRET, token: TOKEN, step });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as Error & { reason?: string },
  );
/** Secrets Manager holding `current` as AWSCURRENT and, when given, `pending` under the token. */
function secretHolds(current: KeyPool, pending?: KeyPool) {
  mock.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSPENDING'] }));
  mock
    .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
    .resolves({ SecretString: JSON.stringify(current) });
  const pendingRead = mock.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' });
  if (pending) pendingRead.resolves({ SecretString: JSON.stringify(pending) });
  else pendingRead.rejects(notFound());
}

beforeEach(() => {
  mock.reset();
  failed = [];
  completed = [];
  tested = [];
  verdict = { verdict: 'works' };
});
afterEach(() => mock.reset());

describe('KeyPoolRotation checks before any step', () => {
  it('refuses a secret that is no provider key pool, counting nothing (no provider to count it for)', async () => {
    mock.on(DescribeSecretCommand).resolves(describeAnswer({}, { Name: 'other/secret', Tags: [] }));
    expect(await failure(run('createSecret'))).toMatchObject({ reason: 'not_rotatable' });
    expect(failed).toEqual([]);
  });

  it('takes the provider from its tag when the name is outside the prefix', async () => {
    mock.on(DescribeSecretCommand).resolves(
      describeAnswer(
        {},
        {
          Name: 'other/secret',
          RotationEnabled: false,
          Tags: [{ Key: 'valor-ivx:provider', Value: 'fmp' }],
        },
      ),
    );
    expect(await failure(run('createSecret'))).toMatchObject({ reason: 'not_rotatable' });
    expect(failed).toEqual([['fmp', 'not_rotatable']]);
  });

  it('refuses a version that is not one of the secret, or not AWSPENDING', async () => {
    mock.on(DescribeSecretCommand).resolves(describeAnswer({}));
    expect((await failure(run('createSecret')))?.message).toBe(
      `version ${TOKEN} is not a version of secret ${SECRET}`,
    );
    mock.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSPREVIOUS'] }));
    expect((await failure(run('createSecret')))?.message).toBe(
      `version ${TOKEN} of secret ${SECRET} is not AWSPENDING`,
    );
    expect(failed).toEqual([
      ['alpha-vantage', 'not_rotatable'],
      ['alpha-vantage', 'not_rotatable'],
    ]);
  });

  it('does nothing for a version already AWSCURRENT (a step AWS retried after the rotation finished)', async () => {
    mock.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSCURRENT'] }));
    await run('finishSecret');
    expect(mock.calls()).toHaveLength(1);
    expect(completed).toEqual([]);
  });

  it('sets nothing at the provider in setSecret: providers have no API for keys', async () => {
    secretHolds(CURRENT);
    await run('setSecret');
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('createSecret', () => {
  it('stores the next pool as AWSPENDING under the token: spares promoted, stamped now', async () => {
    secretHolds(CURRENT);
    mock.on(PutSecretValueCommand).resolves({});
    await run('createSecret');
    const input = mock.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      SecretId: SECRET,
      ClientRequestToken: TOKEN,
      VersionStages: ['AWSPENDING'],
    });
    expect(JSON.parse(input?.SecretString ?? '')).toEqual({
      keys: [key('old'), { ...key('next'), addedAt: NOW.toISOString() }],
      spare: [],
    });
  });

  it('does nothing when the pending pool is already stored', async () => {
    secretHolds(CURRENT, { keys: [key('old'), key('next')], spare: [] });
    await run('createSecret');
    expect(mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('stands by the value a concurrent invocation with the same token stored first', async () => {
    secretHolds(CURRENT);
    mock
      .on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' })
      .rejectsOnce(notFound())
      .resolves({ SecretString: JSON.stringify({ keys: [key('old')], spare: [] }) });
    mock
      .on(PutSecretValueCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ResourceExistsException' }));
    await run('createSecret');
    expect(failed).toEqual([]);
  });

  it('throws any other write fault, counted as internal', async () => {
    secretHolds(CURRENT);
    const fault = Object.assign(new Error('boom'), { name: 'InternalServiceError' });
    mock.on(PutSecretValueCommand).rejects(fault);
    expect(await failure(run('createSecret'))).toBe(fault);
    expect(failed).toEqual([['alpha-vantage', 'internal_error']]);
  });

  it('fails loudly when no spare is staged, naming the expired keys by id', async () => {
    secretHolds({ keys: [key('ancient', '2026-01-01T00:00:00Z'), key('young')] });
    const error = await failure(run('createSecret'));
    expect(error).toMatchObject({ reason: 'no_spare_keys' });
    expect(error?.message).toContain('(1 of 2 keys in service are past 90 days: ancient)');
    expect(error?.message).not.toContain('secret-value');
    expect(failed).toEqual([['alpha-vantage', 'no_spare_keys']]);
  });

  it('fails loudly when no spare is staged even though no key has expired yet', async () => {
    secretHolds({ keys: [key('young')] });
    const error = await failure(run('createSecret'));
    expect(error).toMatchObject({ reason: 'no_spare_keys' });
    expect(error?.message).toContain('(0 of 1 keys in service are past 90 days: none)');
  });

  it('throws, counted as internal, when it cannot tell whether the pending pool is stored', async () => {
    secretHolds(CURRENT);
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    mock.on(GetSecretValueCommand, { VersionId: TOKEN, VersionStage: 'AWSPENDING' }).rejects(denied);
    expect(await failure(run('createSecret'))).toBe(denied);
    expect(mock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(failed).toEqual([['alpha-vantage', 'internal_error']]);
  });

  it('stores an empty pool for a provider with no key and no spare (not in use)', async () => {
    secretHolds({ keys: [] });
    mock.on(PutSecretValueCommand).resolves({});
    await run('createSecret');
    expect(JSON.parse(mock.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString ?? '')).toEqual(
      {
        keys: [],
        spare: [],
      },
    );
  });
});

describe('testSecret', () => {
  const pending: KeyPool = { keys: [key('old'), key('next')], spare: [] };

  it('tests only the keys the pending pool adds to service', async () => {
    secretHolds(CURRENT, pending);
    await run('testSecret');
    expect(tested).toEqual(['next']);
  });

  it('stops the rotation when a new key fails its test, naming the key and never its value', async () => {
    secretHolds(CURRENT, pending);
    verdict = { verdict: 'rejected', detail: 'invalid key' };
    const error = await failure(run('testSecret'));
    expect(error).toMatchObject({ reason: 'key_test_failed' });
    expect(error?.message).toContain('next (rejected, invalid key)');
    expect(error?.message).not.toContain('next-secret-value');
  });

  it('refuses a pending pool with no key in service while the current one has some', async () => {
    secretHolds(CURRENT, { keys: [], spare: [] });
    expect(await failure(run('testSecret'))).toMatchObject({ reason: 'invalid_pool' });
  });

  it('refuses a pending pool that lost a key the current one still has in service', async () => {
    secretHolds({ keys: [key('old'), key('added-since')], spare: [key('next')] }, pending);
    const error = await failure(run('testSecret'));
    expect(error).toMatchObject({ reason: 'pool_changed' });
    expect(error?.message).toContain('lacks added-since');
  });
});

describe('finishSecret', () => {
  it('moves AWSCURRENT from the current version to the token, and counts the rotation', async () => {
    mock.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSPENDING'] }));
    mock.on(UpdateSecretVersionStageCommand).resolves({});
    await run('finishSecret');
    expect(mock.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: 'v-current',
    });
    expect(completed).toEqual(['alpha-vantage']);
  });

  it('takes a refused repeat of a move that was done as success', async () => {
    mock
      .on(DescribeSecretCommand)
      .resolvesOnce(describeAnswer({ [TOKEN]: ['AWSPENDING'] }))
      .resolves(describeAnswer({ [TOKEN]: ['AWSCURRENT'] }));
    mock.on(UpdateSecretVersionStageCommand).rejects(new Error('AWSCURRENT is not on v-current'));
    await run('finishSecret');
    expect(completed).toEqual(['alpha-vantage']);
  });

  it('throws a refused move when the version it was moving to is gone', async () => {
    mock
      .on(DescribeSecretCommand)
      .resolvesOnce(describeAnswer({ [TOKEN]: ['AWSPENDING'] }))
      .resolves(describeAnswer({}));
    const fault = new Error('no such version');
    mock.on(UpdateSecretVersionStageCommand).rejects(fault);
    expect(await failure(run('finishSecret'))).toBe(fault);
    expect(completed).toEqual([]);
  });

  it('throws a refused move that was not done', async () => {
    mock.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSPENDING'] }));
    const fault = new Error('denied');
    mock.on(UpdateSecretVersionStageCommand).rejects(fault);
    expect(await failure(run('finishSecret'))).toBe(fault);
    expect(completed).toEqual([]);
  });
});

describe('parseKeyPool', () => {
  it('says a pool is not JSON without quoting it', () => {
    expect(() => parseKeyPool('{"keys": [secret-value', 'AWSCURRENT')).toThrow(
      /^the AWSCURRENT key pool is not JSON$/,
    );
    expect(() => parseKeyPool(undefined, 'AWSPENDING')).toThrow('the AWSPENDING key pool is not JSON');
  });

  it('names the fields that do not match the layout, never their values', () => {
    expect(() => parseKeyPool(JSON.stringify({ keys: [{ id: 'a', value: '' }] }), 'AWSCURRENT')).toThrow(
      'the AWSCURRENT key pool does not match the key pool layout (keys.0.value, keys.0.addedAt)',
    );
    expect(() => parseKeyPool('[]', 'AWSCURRENT')).toThrow('layout ((root))');
  });
});
