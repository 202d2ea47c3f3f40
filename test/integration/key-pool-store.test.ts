import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { keyPoolSecretName } from '../../lib/keys/secrets-layout.js';
import { countCommands } from '../support/call-counter.js';
import { localSecretsManager } from '../support/local-services.js';

const prefix = `test-${Date.now()}/`;
const client = localSecretsManager();
const calls = countCommands(client);
const pool = (value: string) =>
  JSON.stringify({
    keys: [{ id: 'primary', value, addedAt: '2026-11-01T00:00:00Z', limits: { perMinute: 5 } }],
  });

beforeAll(async () => {
  await client.send(
    new CreateSecretCommand({
      Name: keyPoolSecretName('alpha-vantage', prefix),
      SecretString: pool('AV-ONE'),
    }),
  );
  await client.send(
    new CreateSecretCommand({ Name: keyPoolSecretName('fmp', prefix), SecretString: '{"keys":"oops"}' }),
  );
  await client.send(
    new CreateSecretCommand({
      Name: keyPoolSecretName('finnhub', prefix),
      SecretString: 'not json SECRET-VALUE',
    }),
  );
});

describe('KeyPoolStore on the Secrets Manager emulator', () => {
  it('reads the pool: every key with its id, value and limits', async () => {
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300 });
    expect((await store.pool('alpha-vantage')).keys).toEqual([
      { id: 'primary', value: 'AV-ONE', addedAt: '2026-11-01T00:00:00Z', limits: { perMinute: 5 } },
    ]);
  });

  it('serves repeated reads from memory with one Secrets Manager call', async () => {
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300 });
    const before = calls.GetSecretValueCommand ?? 0;
    for (let i = 0; i < 10; i++) await store.pool('alpha-vantage');
    expect((calls.GetSecretValueCommand ?? 0) - before).toBe(1);
  });

  it('reads the new value when forced after a rotation', async () => {
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300 });
    await store.pool('alpha-vantage');
    await client.send(
      new PutSecretValueCommand({
        SecretId: keyPoolSecretName('alpha-vantage', prefix),
        SecretString: pool('AV-TWO'),
      }),
    );
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-ONE');
    expect((await store.pool('alpha-vantage', true)).keys[0]?.value).toBe('AV-TWO');
  });

  it('rejects a pool that does not match the layout without quoting its content', async () => {
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300 });
    await expect(store.pool('fmp')).rejects.toThrow(/does not match the key pool layout/);
    const error = await store.pool('finnhub').catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain('SECRET-VALUE');
  });
});
