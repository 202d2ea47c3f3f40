import { randomUUID } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lib/errors.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { KeyStates } from '../../lib/keys/key-states.js';
import { RateLimiter } from '../../lib/keys/rate-limiter.js';
import { keyPoolSecretName, type ProviderKey } from '../../lib/keys/secrets-layout.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { type ReleaseKeyDeps, releaseProviderKey } from '../../lib/services/key-status.js';
import { countCommands } from '../support/call-counter.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';

const NOW = Date.UTC(2026, 10, 26, 15, 0, 10);
const secretPrefix = `test-key-status-${randomUUID().slice(0, 8)}/`;
const dynamodb = localDynamoDb();
const secrets = localSecretsManager();
const secretCalls = countCommands(secrets);
const key = (id: string): ProviderKey => ({
  id,
  value: `VALUE-${id}-${randomUUID()}`,
  addedAt: '2026-11-01T00:00:00Z',
});
const keys = [key('primary'), key('backup-1')];

let tableName: string;
beforeAll(async () => {
  tableName = await freshDataTable(dynamodb, 'key-status');
  // Every provider has a pool, so a release that read them all would show in the call counts.
  for (const provider of PROVIDER_IDS) {
    await secrets.send(
      new CreateSecretCommand({
        Name: keyPoolSecretName(provider, secretPrefix),
        SecretString: JSON.stringify({ keys }),
      }),
    );
  }
});

function deps() {
  const lines: unknown[][] = [];
  const record = (...line: unknown[]) => void lines.push(line);
  const logger: DomainLogger = { debug: record, info: record, warn: record, error: record };
  const now = () => NOW;
  const released: ReleaseKeyDeps = {
    keyPools: new KeyPoolStore(secrets, { secretPrefix, cacheSeconds: 300 }),
    usage: new RateLimiter(dynamodb, tableName),
    states: new KeyStates(dynamodb, tableName, { now }),
    logger,
    now,
  };
  return { deps: released, lines };
}

describe('releaseProviderKey on DynamoDB Local and the Secrets Manager emulator', () => {
  it('lifts a quarantine, logs who released the key, and answers that key from its provider pool alone', async () => {
    const { deps: released, lines } = deps();
    await released.states.quarantine('fmp', 'primary', 'invalid_key', keys[0]?.addedAt);
    const before = { ...secretCalls };

    const status = await releaseProviderKey('fmp', 'primary', 'arn:aws:iam::123:user/ops', released);

    expect(status).toMatchObject({ id: 'primary', state: 'active', reason: null });
    expect(lines).toEqual([
      ['provider key released', { provider: 'fmp', keyId: 'primary', actor: 'arn:aws:iam::123:user/ops' }],
    ]);
    expect((await released.states.read('fmp')).get('primary')).toBeUndefined();
    expect((secretCalls.GetSecretValueCommand ?? 0) - (before.GetSecretValueCommand ?? 0)).toBe(1);
    expect((secretCalls.DescribeSecretCommand ?? 0) - (before.DescribeSecretCommand ?? 0)).toBe(0);
    for (const { value } of keys) expect(JSON.stringify([status, lines])).not.toContain(value);
  });

  it('answers null for an id the pool does not hold', async () => {
    expect(await releaseProviderKey('fmp', 'retired-long-ago', 'ops', deps().deps)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['longer than the pool allows', 'k'.repeat(65)],
  ])('refuses a key id that is %s with an InvalidRequestError, releasing nothing', async (_, keyId) => {
    const { deps: released, lines } = deps();
    await released.states.quarantine('finnhub', 'primary', 'invalid_key', keys[0]?.addedAt);
    await expect(releaseProviderKey('finnhub', keyId, 'ops', released)).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(lines).toEqual([]);
    expect((await released.states.read('finnhub')).get('primary')?.quarantinedAt).toBe(NOW);
  });

  it('releases any id the key pool layout accepts', async () => {
    // 64 characters, and characters the old endpoint refused: the pool holds such ids, so they are releasable.
    for (const keyId of ['k'.repeat(64), 'key #2 (EU)']) {
      const { deps: released } = deps();
      await released.states.quarantine('polygon', keyId, 'invalid_key');
      await releaseProviderKey('polygon', keyId, 'ops', released);
      expect((await released.states.read('polygon')).get(keyId)).toBeUndefined();
    }
  });
});
