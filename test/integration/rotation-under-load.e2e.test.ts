import { randomUUID } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';
import { type KeyPool, keyPoolSecretName } from '../../lib/keys/secrets-layout.js';
import { captureStdout } from '../support/stdout-capture.js';

const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `rotation-client-${run}`;
const OLD_KEY = `AVOLD${run}`;
const NEW_KEY = `AVNEW${run}`;
const PREFIX = `e2e-rotation-${run}/`;
const SECRET = keyPoolSecretName('alpha-vantage', PREFIX);
let stack: LocalStack;
let secrets: SecretsManagerClient;
const stdout = captureStdout();

const readPool = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS') =>
  JSON.parse(
    (await secrets.send(new GetSecretValueCommand({ SecretId: SECRET, VersionStage: stage }))).SecretString ??
      '',
  ) as KeyPool;
const callsWith = (key: string) => stack.sandbox.stats().callsByKey['alpha-vantage']?.[key] ?? 0;

beforeAll(async () => {
  // One container, with its own Secrets Manager emulator whose RotateSecret runs the rotation Lambda.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
    DATA_TABLE_NAME: `e2e-rotation-${run}`,
    KEY_POOL_SECRET_PREFIX: PREFIX,
    PORT: '0',
    LOCAL_API_KEY: CLIENT_KEY,
    ALPHA_VANTAGE_API_KEY: OLD_KEY,
    // Readers keep a key pool in memory for a second: a rotation reaches them within it.
    SECRETS_CACHE_SECONDS: '1',
    // Every quote comes from Alpha Vantage, so every request exercises its keys.
    PROVIDER_ORDER_QUOTE: 'alpha-vantage',
    // The keys below have room for the load (hundreds of calls a minute): a paid plan's, so the
    // sandbox does not hold them to the free plan's 5 a minute either.
    ALPHA_VANTAGE_PLAN: 'paid',
  });
  stack = await startLocalStack(process.env);
  secrets = new SecretsManagerClient({ endpoint: stack.secretsManagerEndpoint });
  // The operator stages a new key; the old one is past its maximum age and is retired by the rotation.
  const pool = await readPool('AWSCURRENT');
  const roomy = { perMinute: 100_000, perDay: 1_000_000 };
  const staged: KeyPool = {
    keys: pool.keys.map((key) => ({ ...key, addedAt: '2020-01-01T00:00:00.000Z', limits: roomy })),
    spare: [{ id: 'av-new', value: NEW_KEY, addedAt: new Date().toISOString(), limits: roomy }],
  };
  await secrets.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString: JSON.stringify(staged) }));
});

afterAll(async () => {
  stdout.restore();
  secrets?.destroy();
  await stack?.close();
});

/**
 * Waits until `condition` holds, on what happened (requests answered, keys used), never on how long it
 * took; the bound only turns a condition that never comes into a failure that names it. It is wide: on
 * a 2-core machine running other suites, a request of the load (one at a time) can take a second.
 */
async function until(what: string, condition: () => boolean): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 90_000, interval: 20 },
  );
}

describe('a key rotation under steady load through the local gateway', () => {
  it('fails zero requests, promotes the staged key and retires the old one', async () => {
    const statuses: number[] = [];
    let loading = true;
    let n = 0;
    const load = (async () => {
      while (loading) {
        const response = await fetch(`${stack.baseUrl}/api/data/stock/ROT${n++}`, {
          headers: { 'x-api-key': CLIENT_KEY },
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    })();
    try {
      await until('20 requests answered before the rotation', () => statuses.length >= 20);
      await secrets.send(
        new RotateSecretCommand({
          SecretId: SECRET,
          RotationLambdaARN: 'arn:aws:lambda:us-east-1:000000000000:function:valor-ivx-rotate-provider-keys',
          RotationRules: { AutomaticallyAfterDays: 30 },
        }),
      );
      const rotatedAt = statuses.length;
      // RotateSecret returns once the rotation's four steps ran; its testSecret step called the
      // provider with the new key. The container re-reads its pool once it is a second old
      // (SECRETS_CACHE_SECONDS): the first request's call with the new key shows it did. The load
      // sends one request at a time, so from then on the old key is out of use.
      const testCalls = callsWith(NEW_KEY);
      await until('a request calling with the new key', () => callsWith(NEW_KEY) > testCalls);
      const oldCallsAfterSwitch = callsWith(OLD_KEY);
      const requestsAtSwitch = statuses.length;
      await until('30 requests answered after the switch', () => statuses.length >= requestsAtSwitch + 30);
      loading = false;
      await load;

      expect(statuses.length).toBeGreaterThan(rotatedAt + 30);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect((await readPool('AWSCURRENT')).keys.map((key) => key.value)).toEqual([NEW_KEY]);
      expect((await readPool('AWSPREVIOUS')).keys.map((key) => key.value)).toEqual([OLD_KEY]);
      expect(callsWith(NEW_KEY)).toBeGreaterThan(0);
      expect(callsWith(OLD_KEY)).toBe(oldCallsAfterSwitch);
    } finally {
      // A failed wait stops the load too, before the stack closes under it.
      loading = false;
      await load.catch(() => {});
    }
  }, 300_000);
});
