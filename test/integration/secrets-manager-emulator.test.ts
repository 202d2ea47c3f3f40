import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type RotationFunction,
  type RotationStep,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../infra/local/secrets-manager-emulator.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate';

/** The emulator's clock: fixed, so dates can be asserted exactly, and moved forward by tests that need it. */
let clock = new Date('2030-03-15T10:20:30.000Z');
/** What the emulator's rotation hook does; each rotation test sets it. */
let onRotate: RotationFunction = async () => {
  throw new Error('no rotation expected in this test');
};

let emulator: SecretsManagerEmulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator({
    port: 0,
    now: () => clock,
    rotate: (step) => onRotate(step),
  });
  client = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

let counter = 0;
/** Secrets outlive tests on the shared emulator, so each test takes names of its own. */
const uniqueName = (label: string) => `test/${label}-${++counter}`;

async function createSecret(value = 'v1'): Promise<{ name: string; arn: string; versionId: string }> {
  const name = uniqueName('secret');
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return { name, arn: created.ARN ?? '', versionId: created.VersionId ?? '' };
}

async function put(SecretId: string, SecretString: string, VersionStages?: string[]): Promise<string> {
  const result = await client.send(new PutSecretValueCommand({ SecretId, SecretString, VersionStages }));
  return result.VersionId ?? '';
}

async function stagesOf(SecretId: string): Promise<Record<string, string[]>> {
  const described = await client.send(new DescribeSecretCommand({ SecretId }));
  return described.VersionIdsToStages ?? {};
}

async function readValue(input: GetSecretValueCommandInput): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand(input))).SecretString;
}

describe('CreateSecret and GetSecretValue', () => {
  it('returns the created value as AWSCURRENT under an ARN of the AWS form', async () => {
    const { name, arn, versionId } = await createSecret('s3cret');
    expect(arn).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    for (const SecretId of [name, arn]) {
      const value = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(value).toMatchObject({ ARN: arn, Name: name, VersionId: versionId, SecretString: 's3cret' });
      expect(value.VersionStages).toEqual(['AWSCURRENT']);
      expect(value.CreatedDate).toEqual(clock);
    }
  });

  it('uses ClientRequestToken as the VersionId of the first version', async () => {
    const token = randomUUID();
    const created = await client.send(
      new CreateSecretCommand({ Name: uniqueName('token'), SecretString: 'x', ClientRequestToken: token }),
    );
    expect(created.VersionId).toBe(token);
  });

  it('returns binary values as the bytes that were stored', async () => {
    const name = uniqueName('binary');
    await client.send(
      new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 254, 255]) }),
    );
    const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(value.SecretBinary).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(value.SecretString).toBeUndefined();
  });

  it('refuses a second secret with the same name', async () => {
    const { name } = await createSecret();
    await expect(
      client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
  });

  it('rejects a name with characters AWS does not allow', async () => {
    await expect(
      client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('raises ResourceNotFoundException, as the SDK class, for a secret that does not exist', async () => {
    const attempt = client.send(new GetSecretValueCommand({ SecretId: 'test/does-not-exist' }));
    await expect(attempt).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(attempt).rejects.toMatchObject({
      message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('raises ResourceNotFoundException for a secret created without a value', async () => {
    const name = uniqueName('empty');
    await client.send(new CreateSecretCommand({ Name: name }));
    await expect(readValue({ SecretId: name })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    });
  });
});

describe('PutSecretValue', () => {
  it('moves AWSPREVIOUS to the old version when AWSCURRENT moves', async () => {
    const { name, versionId: first } = await createSecret('v1');
    const second = await put(name, 'v2');
    const third = await put(name, 'v3');
    expect(await stagesOf(name)).toEqual({ [third]: ['AWSCURRENT'], [second]: ['AWSPREVIOUS'] });
    expect(await readValue({ SecretId: name })).toBe('v3');
    expect(await readValue({ SecretId: name, VersionStage: 'AWSPREVIOUS' })).toBe('v2');
    expect(await readValue({ SecretId: name, VersionId: first })).toBe('v1');
  });

  it('ignores a repeated ClientRequestToken with the same value', async () => {
    const { name } = await createSecret();
    const token = randomUUID();
    const request = { SecretId: name, SecretString: 'v2', ClientRequestToken: token };
    const first = await client.send(new PutSecretValueCommand(request));
    const again = await client.send(new PutSecretValueCommand(request));
    expect(again.VersionId).toBe(first.VersionId);
    expect(again.VersionStages).toEqual(['AWSCURRENT']);
    const listed = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );
    expect(listed.Versions).toHaveLength(2);
  });

  it('refuses a repeated ClientRequestToken with a different value', async () => {
    const { name } = await createSecret();
    const token = randomUUID();
    await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token }),
    );
    await expect(
      client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: token }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceExistsException' });
  });

  it('requires SecretString or SecretBinary', async () => {
    const { name } = await createSecret();
    await expect(client.send(new PutSecretValueCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
  });
});

describe('AWSPENDING and UpdateSecretVersionStage', () => {
  it('keeps AWSCURRENT in place when a value is put as AWSPENDING', async () => {
    const { name, versionId } = await createSecret('current');
    const pending = await put(name, 'pending', ['AWSPENDING']);
    expect(await readValue({ SecretId: name })).toBe('current');
    expect(await readValue({ SecretId: name, VersionStage: 'AWSPENDING' })).toBe('pending');
    expect(await stagesOf(name)).toEqual({ [versionId]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('promotes AWSPENDING, moves AWSPREVIOUS after AWSCURRENT, then drops AWSPENDING', async () => {
    const { name, versionId: old } = await createSecret('old');
    const pending = await put(name, 'new', ['AWSPENDING']);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending,
        RemoveFromVersionId: old,
      }),
    );
    expect(await stagesOf(name)).toEqual({ [pending]: ['AWSPENDING', 'AWSCURRENT'], [old]: ['AWSPREVIOUS'] });
    expect(await readValue({ SecretId: name })).toBe('new');

    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: pending,
      }),
    );
    expect(await stagesOf(name)).toEqual({ [pending]: ['AWSCURRENT'], [old]: ['AWSPREVIOUS'] });
    await expect(readValue({ SecretId: name, VersionStage: 'AWSPENDING' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    });
  });

  it('refuses a RemoveFromVersionId that is not the version holding the label', async () => {
    const { name, versionId: current } = await createSecret();
    const other = await put(name, 'other', ['AWSPENDING']);
    await expect(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: other,
          RemoveFromVersionId: other,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect(await stagesOf(name)).toEqual({ [current]: ['AWSCURRENT'], [other]: ['AWSPENDING'] });
  });

  it('refuses to move a label held by another version without RemoveFromVersionId', async () => {
    const { name, versionId: current } = await createSecret();
    const other = await put(name, 'other', ['AWSPENDING']);
    await expect(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: other,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining(
        `Staging label AWSCURRENT is currently attached to version ${current}`,
      ),
    });
  });

  it('attaches a custom label and takes it from the version that had it', async () => {
    const { name, versionId: first } = await createSecret();
    const second = await put(name, 'v2', ['AWSPENDING']);
    const move = (MoveToVersionId: string, RemoveFromVersionId?: string) =>
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'BLUE',
          MoveToVersionId,
          RemoveFromVersionId,
        }),
      );
    await move(first);
    await move(second, first);
    expect(await stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [second]: ['AWSPENDING', 'BLUE'] });
  });

  it('refuses a VersionId and VersionStage that name different versions', async () => {
    const { name, versionId } = await createSecret();
    await put(name, 'pending', ['AWSPENDING']);
    await expect(
      readValue({ SecretId: name, VersionId: versionId, VersionStage: 'AWSPENDING' }),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
  });
});

describe('ListSecretVersionIds', () => {
  it('lists labelled versions, and deprecated ones only with IncludeDeprecated', async () => {
    const { name, versionId: first } = await createSecret('v1');
    const second = await put(name, 'v2');
    const third = await put(name, 'v3');
    const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(labelled.Name).toBe(name);
    expect(labelled.Versions?.map((version) => version.VersionId)).toEqual([second, third]);
    expect(labelled.Versions?.[0]?.CreatedDate).toEqual(clock);

    const all = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    );
    expect(all.Versions?.map((version) => [version.VersionId, version.VersionStages])).toEqual([
      [first, []],
      [second, ['AWSPREVIOUS']],
      [third, ['AWSCURRENT']],
    ]);
  });

  it('pages with MaxResults and NextToken', async () => {
    const { name } = await createSecret('v1');
    await put(name, 'v2');
    await put(name, 'v3');
    const first = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 2 }),
    );
    expect(first.Versions).toHaveLength(2);
    const rest = await client.send(
      new ListSecretVersionIdsCommand({
        SecretId: name,
        IncludeDeprecated: true,
        NextToken: first.NextToken,
      }),
    );
    expect(rest.Versions).toHaveLength(1);
    expect(rest.NextToken).toBeUndefined();
  });
});

describe('DescribeSecret, UpdateSecret and tags', () => {
  it('describes metadata and the labelled versions without exposing values', async () => {
    const name = uniqueName('described');
    const created = await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: 'v1',
        Description: 'database password',
        KmsKeyId: 'alias/custom',
        Tags: [{ Key: 'team', Value: 'data' }],
      }),
    );
    await put(name, 'v2');
    await put(name, 'v3');
    await readValue({ SecretId: name });
    const described = await client.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: name,
      Description: 'database password',
      KmsKeyId: 'alias/custom',
      Tags: [{ Key: 'team', Value: 'data' }],
      CreatedDate: clock,
      LastChangedDate: clock,
    });
    // AWS records access by day, not by the moment.
    expect(described.LastAccessedDate?.toISOString()).toBe(
      `${clock.toISOString().slice(0, 10)}T00:00:00.000Z`,
    );
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSPREVIOUS'], ['AWSCURRENT']]);
    expect(described.RotationEnabled).toBeUndefined();
    expect(described.DeletedDate).toBeUndefined();
    expect(described).not.toHaveProperty('SecretString');
  });

  it('makes a value given to UpdateSecret the new AWSCURRENT and updates the description', async () => {
    const { name, versionId: old } = await createSecret('v1');
    const updated = await client.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: 'v2', Description: 'rotated by hand' }),
    );
    expect(updated.VersionId).toBeDefined();
    expect(await readValue({ SecretId: name })).toBe('v2');
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Description).toBe('rotated by hand');
    expect(described.VersionIdsToStages).toEqual({
      [old]: ['AWSPREVIOUS'],
      [updated.VersionId ?? '']: ['AWSCURRENT'],
    });
  });

  it('adds, replaces and removes tags', async () => {
    const { name } = await createSecret();
    await client.send(
      new TagResourceCommand({
        SecretId: name,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'a', Value: '3' }] }));
    await client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['b'] }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Tags).toEqual([{ Key: 'a', Value: '3' }]);
  });

  it('lists secrets filtered by name prefix, with their version labels', async () => {
    const prefix = uniqueName('listed');
    const names = [`${prefix}/one`, `${prefix}/two`];
    for (const Name of names) await client.send(new CreateSecretCommand({ Name, SecretString: 'x' }));
    const listed = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }),
    );
    expect(listed.SecretList?.map((secret) => secret.Name)).toEqual(names);
    expect(Object.values(listed.SecretList?.[0]?.SecretVersionsToStages ?? {})).toEqual([['AWSCURRENT']]);
    const negated = await client.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'name', Values: [prefix] },
          { Key: 'name', Values: [`!${names[0]}`] },
        ],
      }),
    );
    expect(negated.SecretList?.map((secret) => secret.Name)).toEqual([names[1]]);
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('refuses reads of a secret scheduled for deletion until it is restored', async () => {
    const { name } = await createSecret('kept');
    const deleted = await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate).toEqual(new Date(clock.getTime() + 7 * DAY_MS));
    await expect(readValue({ SecretId: name })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect((await client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toEqual(clock);

    const filter = { Filters: [{ Key: 'name' as const, Values: [name] }] };
    expect((await client.send(new ListSecretsCommand(filter))).SecretList).toEqual([]);
    const planned = await client.send(new ListSecretsCommand({ ...filter, IncludePlannedDeletion: true }));
    expect(planned.SecretList?.map((secret) => secret.Name)).toEqual([name]);

    await client.send(new RestoreSecretCommand({ SecretId: name }));
    expect(await readValue({ SecretId: name })).toBe('kept');
  });

  it('removes a secret at once with ForceDeleteWithoutRecovery, freeing its name', async () => {
    const { name } = await createSecret();
    await client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await expect(client.send(new DescribeSecretCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'again' }));
    expect(await readValue({ SecretId: name })).toBe('again');
  });

  it('deletes a scheduled secret for good when its recovery window ends', async () => {
    const { name } = await createSecret();
    await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    clock = new Date(clock.getTime() + 7 * DAY_MS);
    await expect(client.send(new RestoreSecretCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses a recovery window outside 7 to 30 days', async () => {
    const { name } = await createSecret();
    await expect(
      client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 3 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('RotateSecret', () => {
  let steps: RotationStep[];

  beforeEach(() => {
    steps = [];
  });

  /** A rotation function written like AWS's template: it stores AWSPENDING, then promotes it. */
  const templateRotation: RotationFunction = async (event) => {
    steps.push(event);
    const { SecretId, ClientRequestToken, Step } = event;
    if (Step === 'createSecret') {
      const stages = await stagesOf(SecretId);
      if (!stages[ClientRequestToken]?.includes('AWSPENDING')) throw new Error('version is not AWSPENDING');
      await expect(
        readValue({ SecretId, VersionId: ClientRequestToken, VersionStage: 'AWSPENDING' }),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      const current = await readValue({ SecretId, VersionStage: 'AWSCURRENT' });
      await client.send(
        new PutSecretValueCommand({
          SecretId,
          ClientRequestToken,
          SecretString: `${current}-rotated`,
          VersionStages: ['AWSPENDING'],
        }),
      );
    }
    if (Step === 'finishSecret') {
      const stages = await stagesOf(SecretId);
      const current = Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'));
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: ClientRequestToken,
          RemoveFromVersionId: current,
        }),
      );
    }
  };

  it('calls the four rotation steps in order and leaves the new version AWSCURRENT', async () => {
    onRotate = templateRotation;
    const { name, arn, versionId: old } = await createSecret('pw');
    const rotated = await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    expect(rotated).toMatchObject({ ARN: arn, Name: name });
    expect(steps).toEqual(
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => ({
        SecretId: arn,
        ClientRequestToken: rotated.VersionId,
        Step,
      })),
    );
    expect(await readValue({ SecretId: name })).toBe('pw-rotated');
    expect(await stagesOf(name)).toEqual({
      [old]: ['AWSPREVIOUS'],
      [rotated.VersionId ?? '']: ['AWSPENDING', 'AWSCURRENT'],
    });
    expect(await client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
      LastRotatedDate: clock,
    });

    // AWSPENDING left on the current version does not block the next rotation.
    await client.send(new RotateSecretCommand({ SecretId: name }));
    expect(await readValue({ SecretId: name })).toBe('pw-rotated-rotated');
  });

  it('reports a failed step and blocks the next rotation while AWSPENDING is unfinished', async () => {
    onRotate = async (event) => {
      await templateRotation(event);
      if (event.Step === 'setSecret') throw new Error('database unreachable');
    };
    const { name, versionId: current } = await createSecret('pw');
    const token = randomUUID();
    const rotate = () =>
      client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, ClientRequestToken: token }),
      );
    await expect(rotate()).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('setSecret failed'),
    });
    expect(steps.map((step) => step.Step)).toEqual(['createSecret', 'setSecret']);
    expect(await stagesOf(name)).toEqual({ [current]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    await expect(rotate()).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: "A previous rotation isn't complete. That rotation will be reattempted.",
    });
  });

  it('stores the schedule without rotating when RotateImmediately is false', async () => {
    onRotate = templateRotation;
    const { name } = await createSecret('pw');
    await client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { ScheduleExpression: 'rate(10 days)' },
        RotateImmediately: false,
      }),
    );
    expect(steps).toEqual([]);
    expect(await readValue({ SecretId: name })).toBe('pw');
    expect(await client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({
      RotationEnabled: true,
      RotationRules: { ScheduleExpression: 'rate(10 days)' },
    });
  });
});

describe('wire protocol', () => {
  const post = (target: string, body: string) =>
    fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const response = await post('secretsmanager.NoSuchOperation', '{}');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers malformed JSON with SerializationException', async () => {
    const response = await post('secretsmanager.GetSecretValue', '{"SecretId": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('answers a missing required member with ValidationException', async () => {
    await expect(
      client.send(new GetSecretValueCommand({} as GetSecretValueCommandInput)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('keeps the secrets of each region apart', async () => {
    const { name } = await createSecret();
    const elsewhere = new SecretsManagerClient({
      endpoint: emulator.endpoint,
      region: 'eu-west-1',
      credentials,
    });
    try {
      await expect(elsewhere.send(new GetSecretValueCommand({ SecretId: name }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      elsewhere.destroy();
    }
  });

  it('is reached through AWS_ENDPOINT_URL_SECRETS_MANAGER without an explicit endpoint', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = emulator.endpoint;
    const fromEnvironment = new SecretsManagerClient({ region: 'us-east-1', credentials });
    try {
      const name = uniqueName('from-env');
      await fromEnvironment.send(new CreateSecretCommand({ Name: name, SecretString: 'via env' }));
      expect(await readValue({ SecretId: name })).toBe('via env');
    } finally {
      fromEnvironment.destroy();
      if (saved === undefined) Reflect.deleteProperty(process.env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER');
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });
});
