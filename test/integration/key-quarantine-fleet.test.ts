import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEY_PREFIX } from '../../infra/local/key-pool-seed.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { DEFAULT_KEY_QUARANTINE } from '../../lib/keys/key-quarantine.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const secretsManager = localSecretsManager();
const clock = new FakeClock();
/** Alpha Vantage's key in every layer's pool (id `primary`): the one the sandbox is told to reject. */
const AV_KEY = `${SANDBOX_KEY_PREFIX}alpha-vantage`;
let sandbox: MarketSandbox;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: clock.date });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  stdout = captureStdout();
  return () => stdout.restore();
});

const callsWithKey = () => sandbox.stats().callsByKey['alpha-vantage']?.[AV_KEY] ?? 0;
const quarantines = () =>
  emfMetrics(stdout.lines()).filter((m) => m.name === 'provider_key_quarantined_total').length;
const rejectKey = (rejected: boolean) =>
  sandbox.setKnobs({ 'alpha-vantage': { invalidKeys: rejected ? [AV_KEY] : [] } });

describe('quarantine across two containers sharing one table (default configuration, the sandbox)', () => {
  it('ignores one transient invalid-key answer, quarantines on three fleet-wide, and releases the key when its re-test works', async () => {
    const tableName = await freshDataTable(dynamodb, 'key-quarantine-fleet');
    const layer = (env: Record<string, string> = {}) =>
      buildDataLayer({ dynamodb, secretsManager, tableName, sandbox, clock, env });
    // Two containers of one fleet: one table and one key pool (a quarantine names the key's addedAt).
    const a = await layer();
    const b = await layer({ KEY_POOL_SECRET_PREFIX: a.config.keyPoolSecretPrefix });
    let symbol = 0;
    // A new symbol each time: a cache miss, so every request asks Alpha Vantage first.
    const quote = async (container: typeof a) => {
      const answer = await workDueBy(clock.now() + 19_000, () =>
        container.service.getQuote(`KQF${symbol++}`),
      );
      clock.advance(1_000); // past each container's one-second view of the key states
      return answer;
    };
    const quarantined = async () =>
      (await a.keyStates.read('alpha-vantage')).get('primary')?.quarantinedAt !== undefined;

    // One transient 401 (a proxy's, say): that request falls through to FMP, the next is Alpha Vantage's.
    rejectKey(true);
    const rejected = await quote(a);
    expect(rejected.meta.provider).toBe('fmp');
    expect(rejected.meta.attempts[0]).toMatchObject({ provider: 'alpha-vantage', outcome: 'invalid_key' });
    rejectKey(false);
    expect((await quote(b)).meta.provider).toBe('alpha-vantage');
    expect(await quarantined()).toBe(false);

    // Three in a row, from two containers: quarantined once, fleet-wide.
    rejectKey(true);
    for (const container of [a, b, a]) expect((await quote(container)).meta.provider).toBe('fmp');
    expect(await quarantined()).toBe(true);
    expect(quarantines()).toBe(1);
    const callsAtQuarantine = callsWithKey();
    const skipped = [];
    for (const container of [a, b, a, b]) skipped.push((await quote(container)).meta);
    // Alpha Vantage's only key is out: skipped as keyless, no call, FMP answers.
    const keyless = { provider: 'alpha-vantage', outcome: 'no_key', calls: 0 };
    expect(skipped.map((meta) => [meta.provider, meta.attempts[0]])).toEqual(
      Array(4).fill(['fmp', expect.objectContaining(keyless)]),
    );
    expect(callsWithKey()).toBe(callsAtQuarantine);

    // The provider accepts the key again; nobody calls with it until its re-test is due...
    rejectKey(false);
    clock.advance(DEFAULT_KEY_QUARANTINE.retestMs - 60_000);
    for (const container of [a, b]) expect((await quote(container)).meta.provider).toBe('fmp');
    expect(callsWithKey()).toBe(callsAtQuarantine);

    // ...then one request re-tests it, the key is released, and both containers use it again.
    clock.advance(60_000);
    expect((await quote(b)).meta.provider).toBe('alpha-vantage');
    expect(callsWithKey()).toBe(callsAtQuarantine + 1);
    expect(await quarantined()).toBe(false);
    for (const container of [a, b]) expect((await quote(container)).meta.provider).toBe('alpha-vantage');
    expect(callsWithKey()).toBe(callsAtQuarantine + 3);
    expect(quarantines()).toBe(1);
  });
});
