import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { startSecretsManagerEmulator } from '../../infra/local/secrets-manager-emulator.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import { keyPoolSecretName } from '../../lib/keys/secrets-layout.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { countCommands } from '../support/call-counter.js';
import { FakeClock } from '../support/data-layer.js';
import { localSecretsManager } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

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

/** A Secrets Manager of this file's own, so stopping it never touches the run's shared emulator. */
async function ownSecretsManager() {
  const emulator = await startSecretsManagerEmulator();
  const client = new SecretsManagerClient({
    endpoint: emulator.endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  await client.send(
    new CreateSecretCommand({
      Name: keyPoolSecretName('alpha-vantage', prefix),
      SecretString: pool('AV-OWN'),
    }),
  );
  return { emulator, client, calls: countCommands(client) };
}

function recordingLogger() {
  const warnings: unknown[][] = [];
  const logger: DomainLogger = {
    debug: () => {},
    info: () => {},
    warn: (...a) => void warnings.push(a),
    error: () => {},
  };
  return { logger, warnings };
}

describe('KeyPoolStore when Secrets Manager fails', () => {
  let stdout: ReturnType<typeof captureStdout>;
  beforeEach(() => {
    stdout = captureStdout();
  });
  afterEach(() => stdout.restore());
  const staleServed = () =>
    emfMetrics(stdout.lines()).filter(
      (m) => m.name === 'key_pool_stale_served_total' && m.dimensions.provider === 'alpha-vantage',
    ).length;

  it('serves the pool read last for the stale window once the emulator stops, counted, warned once per failed refresh', async () => {
    const { emulator, client } = await ownSecretsManager();
    const clock = new FakeClock();
    const { logger, warnings } = recordingLogger();
    const metrics = new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'key-pools' }));
    const store = new KeyPoolStore(client, {
      secretPrefix: prefix,
      cacheSeconds: 300,
      staleSeconds: 3_600,
      now: clock.now,
      logger,
      metrics,
    });
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    await emulator.close();

    clock.advance(301_000);
    for (let i = 0; i < 5; i++) expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    expect(staleServed()).toBe(5);
    expect(warnings).toHaveLength(1);
    expect(store.refreshFailing('alpha-vantage')).toBe(true);

    // Up to the end of the window (300 s fresh + 3600 s stale after the read)...
    clock.advance(3_600_000 - 2_000);
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    // ...and not after it: the provider has no key.
    clock.advance(1_000);
    await expect(store.pool('alpha-vantage')).rejects.toThrow();
  });

  it('asks a failing Secrets Manager again only after a back-off that doubles, and shares one refresh among callers', async () => {
    const { emulator, client, calls } = await ownSecretsManager();
    const clock = new FakeClock();
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300, now: clock.now });
    await store.pool('alpha-vantage');
    await emulator.close();
    const sent = () => calls.GetSecretValueCommand ?? 0;

    clock.advance(301_000);
    await Promise.all(Array.from({ length: 10 }, () => store.pool('alpha-vantage')));
    expect(sent()).toBe(2); // the first read, then one refresh for ten concurrent callers

    // Back-offs of 5 s, 10 s, 20 s...: requests in between make no Secrets Manager call.
    const sentAfter = async (seconds: number) => {
      for (let step = 0; step < seconds; step++) {
        clock.advance(1_000);
        await store.pool('alpha-vantage');
      }
      return sent();
    };
    expect(await sentAfter(4)).toBe(2);
    expect(await sentAfter(1)).toBe(3);
    expect(await sentAfter(9)).toBe(3);
    expect(await sentAfter(1)).toBe(4);
    expect(await sentAfter(19)).toBe(4);
    expect(await sentAfter(1)).toBe(5);
  });

  it('reads the pool again once Secrets Manager is back after the back-off', async () => {
    const { client, calls } = await ownSecretsManager();
    const clock = new FakeClock();
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300, now: clock.now });
    await store.pool('alpha-vantage');
    // A pool broken by hand counts as a failed refresh: the last good one stays in service.
    await client.send(
      new PutSecretValueCommand({ SecretId: keyPoolSecretName('alpha-vantage', prefix), SecretString: '{' }),
    );
    clock.advance(301_000);
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    await client.send(
      new PutSecretValueCommand({
        SecretId: keyPoolSecretName('alpha-vantage', prefix),
        SecretString: pool('AV-NEW'),
      }),
    );
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    clock.advance(5_000);
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-NEW');
    expect(store.refreshFailing('alpha-vantage')).toBe(false);
    expect(calls.GetSecretValueCommand).toBe(3);
  });

  it("backs off every pool's refresh when Secrets Manager is down, only the broken pool's when one secret is broken", async () => {
    const { emulator, client, calls } = await ownSecretsManager();
    await client.send(
      new CreateSecretCommand({ Name: keyPoolSecretName('fmp', prefix), SecretString: pool('FMP-OWN') }),
    );
    const clock = new FakeClock();
    const store = new KeyPoolStore(client, { secretPrefix: prefix, cacheSeconds: 300, now: clock.now });
    await store.pool('alpha-vantage');
    await store.pool('fmp');
    const sent = () => calls.GetSecretValueCommand ?? 0;

    // One secret broken: only its pool backs off; the other refreshes as usual.
    await client.send(
      new PutSecretValueCommand({ SecretId: keyPoolSecretName('fmp', prefix), SecretString: '[]' }),
    );
    clock.advance(301_000);
    expect((await store.pool('fmp')).keys[0]?.value).toBe('FMP-OWN');
    expect(sent()).toBe(3);
    await store.pool('alpha-vantage');
    expect(sent()).toBe(4);

    // Secrets Manager down: the first failed refresh backs off every pool.
    await emulator.close();
    clock.advance(301_000);
    expect((await store.pool('alpha-vantage')).keys[0]?.value).toBe('AV-OWN');
    expect((await store.pool('fmp')).keys[0]?.value).toBe('FMP-OWN');
    expect(sent()).toBe(5);
  });
});
