import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_KEY_PREFIX } from '../../infra/local/key-pool-seed.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { startSecretsManagerEmulator } from '../../infra/local/secrets-manager-emulator.js';
import { ProvidersUnavailableError } from '../../lib/errors.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { checkHealth } from '../../lib/services/health.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const clock = new FakeClock();
let sandbox: MarketSandbox;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: clock.date });
});
afterAll(async () => {
  await sandbox.close();
});

/** Upstream calls that carried the sandbox's key of the provider (the pool every layer is seeded with). */
const callsWithKey = (provider: 'alpha-vantage') =>
  sandbox.stats().callsByKey[provider]?.[`${SANDBOX_KEY_PREFIX}${provider}`] ?? 0;

describe('a Secrets Manager outage after the key pools were read (default configuration)', () => {
  it('keeps serving with the cached pool for SECRETS_STALE_SECONDS, then skips the keyless providers', async () => {
    // This test's own emulator: stopping it leaves the run's shared one alone.
    const emulator = await startSecretsManagerEmulator({ now: clock.date });
    const secretsManager = new SecretsManagerClient({
      endpoint: emulator.endpoint,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const tableName = await freshDataTable(dynamodb, 'key-pool-outage');
    const { service, config, healthDeps } = await buildDataLayer({
      dynamodb,
      secretsManager,
      tableName,
      sandbox,
      clock,
    });
    const stdout = captureStdout();
    try {
      let symbol = 0;
      // A new symbol each time: a cache miss, so every request leases a key and calls a provider.
      const quote = () => workDueBy(clock.now() + 19_000, () => service.getQuote(`KPO${symbol++}`));

      expect((await quote()).meta.provider).toBe('alpha-vantage');
      await emulator.close();

      clock.advance((config.secretsCacheSeconds + 1) * 1000);
      const before = callsWithKey('alpha-vantage');
      for (let i = 0; i < 5; i++) expect((await quote()).meta.provider).toBe('alpha-vantage');
      expect(callsWithKey('alpha-vantage')).toBe(before + 5);
      const staleServed = emfMetrics(stdout.lines()).filter((m) => m.name === 'key_pool_stale_served_total');
      expect(staleServed.length).toBeGreaterThanOrEqual(5);
      // Health says so: the secrets check fails while the last pool read is served.
      const health = await checkHealth(healthDeps);
      expect(health.checks.secrets).toMatchObject({ ok: false });
      expect(health.checks.secrets.detail).toContain('alpha-vantage');
      expect(health.status).toBe('degraded');

      // Still served up to the end of the stale window, counted from the pool's read...
      clock.advance(config.secretsStaleSeconds * 1000 - 2_000);
      expect((await quote()).meta.provider).toBe('alpha-vantage');
      expect(callsWithKey('alpha-vantage')).toBe(before + 6);

      // ...and past it every provider is keyless: each is skipped as `no_key`, no upstream call is
      // made, and with nothing cached for the symbol the answer is 503 (ProvidersUnavailableError).
      clock.advance(2_000);
      const calls = sandbox.stats().calls;
      const error = await quote().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProvidersUnavailableError);
      expect(sandbox.stats().calls).toEqual(calls);
    } finally {
      stdout.restore();
      await emulator.close().catch(() => {});
    }
  });
});
