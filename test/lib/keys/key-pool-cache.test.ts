import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyPoolLayoutError, KeyPoolStore } from '../../../lib/keys/key-pool-store.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';

// The key pool store's memory, stale serving and back-offs, with Secrets Manager's answers played by
// aws-sdk-client-mock: the emulator cannot fail one secret with a 5xx or throttle. Reads against the
// emulator are in test/integration/key-pool-store.test.ts.
const client = new SecretsManagerClient({ region: 'us-east-1' });
const mock = mockClient(client);

const SECRET_VALUE = 'av-secret-value-123';
const POOL = { keys: [{ id: 'k1', value: SECRET_VALUE, addedAt: '2026-11-01T00:00:00Z' }] };
const options = { secretPrefix: 'test/', cacheSeconds: 300, staleSeconds: 3_600, firstBackoffMs: 5_000 };

let now: number;
let staleServed: string[];
let warnings: unknown[];
const logger: DomainLogger = {
  debug: () => {},
  info: () => {},
  warn: (_message, ...context) => void warnings.push(context[0]),
  error: () => {},
};
const metrics = {
  keyPoolStaleServed: (provider: string) => void staleServed.push(provider),
} as unknown as DataLayerMetrics;
const store = () => new KeyPoolStore(client, { ...options, now: () => now, logger, metrics });
const reads = () => mock.commandCalls(GetSecretValueCommand).length;
/** An error Secrets Manager answered with: its HTTP status in `$metadata`, as the SDK gives it. */
const answered = (name: string, status: number) =>
  Object.assign(new Error(`${name} for the secret`), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => {
  now = Date.UTC(2026, 11, 1, 12);
  staleServed = [];
  warnings = [];
  mock.reset();
});
afterEach(() => mock.reset());

describe('KeyPoolStore memory', () => {
  it('reads a pool once per cache period, from the secret the layout names', async () => {
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(POOL) });
    const pools = store();
    expect(await pools.pool('alpha-vantage')).toEqual(POOL);
    now += 299_000;
    expect(await pools.pool('alpha-vantage')).toEqual(POOL);
    expect(reads()).toBe(1);
    expect(mock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'test/alpha-vantage',
    });
    now += 1_000;
    await pools.pool('alpha-vantage');
    expect(reads()).toBe(2);
  });

  it('reads again when forced, and shares one read among concurrent callers', async () => {
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(POOL) });
    const pools = store();
    await Promise.all([pools.pool('fmp'), pools.pool('fmp'), pools.pool('fmp')]);
    expect(reads()).toBe(1);
    await pools.pool('fmp', true);
    expect(reads()).toBe(2);
  });
});

describe('KeyPoolStore when a refresh fails', () => {
  it("serves the last pool for the stale window, counted and logged without the secret's content", async () => {
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(POOL) })
      .rejects(answered('InternalServiceError', 500));
    const pools = store();
    await pools.pool('alpha-vantage');
    now += 300_000;
    expect(await pools.pool('alpha-vantage')).toEqual(POOL);
    expect(staleServed).toEqual(['alpha-vantage']);
    expect(pools.refreshFailing('alpha-vantage')).toBe(true);
    expect(warnings).toEqual([
      {
        provider: 'alpha-vantage',
        backoffSeconds: 5,
        scope: 'every key pool',
        servingLastPool: true,
        error: 'InternalServiceError: InternalServiceError for the secret',
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_VALUE);

    // Past fresh and stale, the error is thrown: no pool nobody can check.
    now += 3_600_000;
    await expect(pools.pool('alpha-vantage')).rejects.toMatchObject({ name: 'InternalServiceError' });
  });

  it('backs off every pool when Secrets Manager itself fails, doubling up to the cache period', async () => {
    const fault = Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
    mock.on(GetSecretValueCommand).rejects(fault);
    const pools = store();
    await expect(pools.pool('alpha-vantage')).rejects.toBe(fault);
    // Another pool is not asked for during the service's back-off: the same error, no call.
    await expect(pools.pool('fmp')).rejects.toBe(fault);
    expect(reads()).toBe(1);
    expect(pools.refreshFailing('fmp')).toBe(true);

    const waits: number[] = [];
    for (let failure = 0; failure < 7; failure++) {
      const { backoffSeconds } = warnings.at(-1) as { backoffSeconds: number };
      waits.push(backoffSeconds);
      now += backoffSeconds * 1000;
      await expect(pools.pool('fmp')).rejects.toBe(fault);
    }
    expect(waits).toEqual([5, 10, 20, 40, 80, 160, 300]);
    expect(reads()).toBe(8);
  });

  it('takes throttling (429 or by name) as a fault of the service', async () => {
    for (const error of [answered('TooManyRequests', 429), answered('ThrottlingException', 400)]) {
      mock.reset();
      mock.on(GetSecretValueCommand).rejects(error);
      const pools = store();
      await expect(pools.pool('alpha-vantage')).rejects.toBe(error);
      await expect(pools.pool('fmp')).rejects.toBe(error);
      expect(reads(), error.name).toBe(1);
    }
  });

  it('backs off only the pool whose secret failed (missing, denied): another pool is still read', async () => {
    const missing = answered('ResourceNotFoundException', 400);
    mock
      .on(GetSecretValueCommand, { SecretId: 'test/alpha-vantage' })
      .rejects(missing)
      .on(GetSecretValueCommand, { SecretId: 'test/fmp' })
      .resolves({ SecretString: JSON.stringify(POOL) });
    const pools = store();
    await expect(pools.pool('alpha-vantage')).rejects.toBe(missing);
    expect(await pools.pool('fmp')).toEqual(POOL);
    expect(warnings[0]).toMatchObject({ scope: 'this key pool', servingLastPool: false });
    // Within its back-off the failed pool throws the same error without a call.
    await expect(pools.pool('alpha-vantage')).rejects.toBe(missing);
    expect(reads()).toBe(2);
    expect(pools.refreshFailing('alpha-vantage')).toBe(true);
    expect(pools.refreshFailing('fmp')).toBe(false);
  });

  it('refuses a secret that does not match the layout, naming the secret and never its content', async () => {
    for (const SecretString of [
      `{"keys": "${SECRET_VALUE}"`,
      JSON.stringify({ keys: [{ id: 'k', value: '' }] }),
    ]) {
      mock.reset();
      mock.on(GetSecretValueCommand).resolves({ SecretString });
      const error = await store()
        .pool('polygon')
        .then(
          () => null,
          (fault: unknown) => fault,
        );
      expect(error).toBeInstanceOf(KeyPoolLayoutError);
      expect((error as Error).message).toBe('key pool test/polygon does not match the key pool layout');
      expect(JSON.stringify(warnings)).not.toContain(SECRET_VALUE);
    }
  });

  it("takes a pool's broken content as that pool's fault: another pool is still read", async () => {
    mock
      .on(GetSecretValueCommand, { SecretId: 'test/polygon' })
      .resolves({ SecretString: 'not json' })
      .on(GetSecretValueCommand, { SecretId: 'test/fmp' })
      .resolves({ SecretString: JSON.stringify(POOL) });
    const pools = store();
    await expect(pools.pool('polygon')).rejects.toBeInstanceOf(KeyPoolLayoutError);
    expect(await pools.pool('fmp')).toEqual(POOL);
  });

  it('works without a logger or metrics, on its own back-off and stale window', async () => {
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(POOL) })
      .rejects(answered('InternalServiceError', 500));
    const pools = new KeyPoolStore(client, {
      secretPrefix: 'test/',
      cacheSeconds: 60,
      staleSeconds: 30,
      firstBackoffMs: 2_000,
      now: () => now,
    });
    await pools.pool('fmp');
    now += 60_000;
    expect(await pools.pool('fmp')).toEqual(POOL);
    now += 1_999;
    expect(await pools.pool('fmp')).toEqual(POOL);
    expect(reads()).toBe(2);
    now += 1;
    await pools.pool('fmp');
    expect(reads()).toBe(3);
    // Past 60 s fresh and 30 s stale, the last pool is no longer served.
    now += 28_000;
    await expect(pools.pool('fmp')).rejects.toMatchObject({ name: 'InternalServiceError' });
  });

  it("serves the last pool an hour past fresh and backs off 5 s first by default, on the machine's clock", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now });
    try {
      mock
        .on(GetSecretValueCommand)
        .resolvesOnce({ SecretString: JSON.stringify(POOL) })
        .rejects(answered('InternalServiceError', 500));
      const pools = new KeyPoolStore(client, { secretPrefix: 'test/', cacheSeconds: 300 });
      await pools.pool('fmp');
      vi.setSystemTime(now + 300_000);
      expect(await pools.pool('fmp')).toEqual(POOL);
      vi.setSystemTime(now + 304_999);
      expect(await pools.pool('fmp')).toEqual(POOL);
      expect(reads()).toBe(2);
      vi.setSystemTime(now + 305_000);
      expect(await pools.pool('fmp')).toEqual(POOL);
      expect(reads()).toBe(3);
      // 300 s fresh and 3600 s stale: then the refresh's error.
      vi.setSystemTime(now + 3_899_999);
      expect(await pools.pool('fmp')).toEqual(POOL);
      vi.setSystemTime(now + 3_900_000);
      await expect(pools.pool('fmp')).rejects.toMatchObject({ name: 'InternalServiceError' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a thrown value that is no Error as an unknown error, never its text, and backs off every pool', async () => {
    mock.on(GetSecretValueCommand).callsFake(() => Promise.reject(SECRET_VALUE));
    const pools = store();
    await expect(pools.pool('fmp')).rejects.toBe(SECRET_VALUE);
    expect(warnings).toMatchObject([{ scope: 'every key pool', error: 'unknown error' }]);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_VALUE);
    await expect(pools.pool('polygon')).rejects.toBe(SECRET_VALUE);
    expect(reads()).toBe(1);
  });

  it('refuses a secret stored as binary, with no string to read a pool from', async () => {
    mock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([123, 125]) });
    await expect(store().pool('polygon')).rejects.toBeInstanceOf(KeyPoolLayoutError);
  });

  it('reads a pool again once its back-off is over, and serves it as healthy', async () => {
    mock
      .on(GetSecretValueCommand)
      .rejectsOnce(answered('AccessDeniedException', 400))
      .resolves({ SecretString: JSON.stringify(POOL) });
    const pools = store();
    await expect(pools.pool('finnhub')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    now += 5_000;
    expect(await pools.pool('finnhub')).toEqual(POOL);
    expect(pools.refreshFailing('finnhub')).toBe(false);
    expect(staleServed).toEqual([]);
  });
});
