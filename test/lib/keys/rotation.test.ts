import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_BASE_URLS } from '../../../lib/config.js';
import { keyTestVerdict } from '../../../lib/keys/key-tester.js';
import {
  isExpired,
  keysLostSince,
  loadRotationConfig,
  newKeysIn,
  PROVIDER_TAG,
  parseKeyPool,
  planRotation,
  providerOfSecret,
  RotationError,
  versionState,
} from '../../../lib/keys/rotation.js';
import type { KeyPool, ProviderKey } from '../../../lib/keys/secrets-layout.js';
import { failure } from '../../../lib/providers/provider.js';

const NOW = new Date('2030-03-15T10:00:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();
const key = (id: string, addedAt: string, extra: Partial<ProviderKey> = {}): ProviderKey => ({
  id,
  value: `value-of-${id}`,
  addedAt,
  ...extra,
});

describe('planRotation', () => {
  it('promotes every staged spare, stamped with the promotion time, after the keys in service', () => {
    const pool: KeyPool = {
      keys: [key('a', daysAgo(10)), key('b', daysAgo(20))],
      spare: [key('s1', daysAgo(200), { limits: { perMinute: 5 } }), key('s2', daysAgo(1))],
    };
    expect(planRotation(pool, NOW, 90)).toEqual({
      kind: 'rotate',
      pool: {
        keys: [
          key('a', daysAgo(10)),
          key('b', daysAgo(20)),
          key('s1', NOW.toISOString(), { limits: { perMinute: 5 } }),
          key('s2', NOW.toISOString()),
        ],
        spare: [],
      },
      promoted: ['s1', 's2'],
      retired: [],
    });
  });

  it('retires every key past its maximum age once a spare replaces them', () => {
    const pool: KeyPool = {
      keys: [key('old', daysAgo(91)), key('fresh', daysAgo(89)), key('older', daysAgo(400))],
      spare: [key('new', daysAgo(3))],
    };
    const plan = planRotation(pool, NOW, 90);
    expect(plan).toMatchObject({ kind: 'rotate', promoted: ['new'], retired: ['old', 'older'] });
    expect(plan.kind === 'rotate' && plan.pool.keys.map((k) => k.id)).toEqual(['fresh', 'new']);
  });

  it('never leaves a pool empty: every key expired and one spare gives a pool of that spare', () => {
    const plan = planRotation({ keys: [key('old', daysAgo(365))], spare: [key('new', daysAgo(0))] }, NOW, 90);
    expect(plan.kind === 'rotate' && plan.pool.keys.map((k) => k.id)).toEqual(['new']);
  });

  it('has nothing to promote without spare keys, and names the expired keys it may not retire', () => {
    const pool: KeyPool = { keys: [key('old', daysAgo(120)), key('fresh', daysAgo(5))] };
    expect(planRotation(pool, NOW, 90)).toEqual({ kind: 'no_spare_keys', expired: ['old'] });
    expect(planRotation({ ...pool, spare: [] }, NOW, 90)).toEqual({
      kind: 'no_spare_keys',
      expired: ['old'],
    });
  });

  it('leaves an empty pool (a provider not in use) as it is', () => {
    expect(planRotation({ keys: [] }, NOW, 90)).toEqual({ kind: 'unused', pool: { keys: [], spare: [] } });
  });

  it('refuses a spare that repeats a key in service or another spare, by id or by value', () => {
    const inService = key('a', daysAgo(1));
    const cases: KeyPool[] = [
      { keys: [inService], spare: [key('a', daysAgo(1), { value: 'other' })] },
      { keys: [inService], spare: [key('b', daysAgo(1), { value: inService.value })] },
      { keys: [inService], spare: [key('b', daysAgo(1)), key('b', daysAgo(1), { value: 'other' })] },
    ];
    for (const pool of cases) {
      expect(() => planRotation(pool, NOW, 90)).toThrow(
        expect.objectContaining({ name: 'RotationError', reason: 'invalid_pool' }),
      );
    }
  });
});

describe('isExpired', () => {
  it('counts a key as expired only past the maximum age, and when its age cannot be read', () => {
    expect(isExpired(key('k', daysAgo(90)), NOW, 90)).toBe(false);
    expect(isExpired(key('k', new Date(NOW.getTime() - 90 * DAY_MS - 1).toISOString()), NOW, 90)).toBe(true);
    expect(isExpired(key('k', 'last spring'), NOW, 90)).toBe(true);
  });
});

describe('newKeysIn', () => {
  it('lists the pending keys whose value is not in service now, spares included', () => {
    const current: KeyPool = { keys: [key('a', daysAgo(1))], spare: [key('s', daysAgo(1))] };
    const pending: KeyPool = { keys: [key('a', daysAgo(1)), key('s', NOW.toISOString())], spare: [] };
    expect(newKeysIn(pending, current).map((k) => k.id)).toEqual(['s']);
    expect(newKeysIn(current, current)).toEqual([]);
  });
});

describe('keysLostSince', () => {
  const current: KeyPool = {
    keys: [key('old', daysAgo(200)), key('fresh', daysAgo(5))],
    spare: [key('new', daysAgo(1))],
  };

  it('finds nothing lost in the pool createSecret planned from the same AWSCURRENT', () => {
    const plan = planRotation(current, NOW, 90);
    expect(plan.kind === 'rotate' && keysLostSince(plan.pool, current, NOW, 90)).toEqual([]);
  });

  it('names spares staged and keys added after createSecret, which finishing would throw away', () => {
    const plan = planRotation(current, NOW, 90);
    const changed: KeyPool = {
      keys: [...current.keys, key('added-later', daysAgo(0))],
      spare: [...(current.spare ?? []), key('staged-later', daysAgo(0))],
    };
    expect(plan.kind === 'rotate' && keysLostSince(plan.pool, changed, NOW, 90)).toEqual([
      'added-later',
      'staged-later',
    ]);
  });

  it('does not excuse an expired key dropped when nothing replaces it', () => {
    const noSpare: KeyPool = { keys: [key('old', daysAgo(200))], spare: [] };
    expect(keysLostSince({ keys: [] }, noSpare, NOW, 90)).toEqual(['old']);
  });
});

describe('providerOfSecret', () => {
  const prefix = 'valor-ivx/provider-keys/';

  it('reads the provider from the key-pool name, else from the provider tag', () => {
    expect(providerOfSecret({ Name: `${prefix}alpha-vantage` }, prefix)).toBe('alpha-vantage');
    expect(
      providerOfSecret({ Name: 'legacy/fmp-keys', Tags: [{ Key: PROVIDER_TAG, Value: 'fmp' }] }, prefix),
    ).toBe('fmp');
  });

  it('knows no provider for other secrets', () => {
    expect(providerOfSecret({ Name: `${prefix}acme` }, prefix)).toBeUndefined();
    expect(providerOfSecret({ Name: 'db/password' }, prefix)).toBeUndefined();
    expect(
      providerOfSecret({ Name: 'x', Tags: [{ Key: PROVIDER_TAG, Value: 'acme' }] }, prefix),
    ).toBeUndefined();
  });
});

describe('parseKeyPool', () => {
  it('reads a pool in the key pool layout', () => {
    const pool: KeyPool = { keys: [key('a', daysAgo(1))], spare: [] };
    expect(parseKeyPool(JSON.stringify(pool), 'AWSCURRENT')).toEqual(pool);
  });

  it('names the version and the fields at fault, never the content', () => {
    const secretish = 'SUPERSECRET123';
    const attempts = [`{"keys": "${secretish}"`, JSON.stringify({ keys: [{ id: 'a', value: secretish }] })];
    for (const text of attempts) {
      let thrown: unknown;
      try {
        parseKeyPool(text, 'AWSPENDING');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RotationError);
      expect(thrown).toMatchObject({
        reason: 'invalid_pool',
        message: expect.stringContaining('AWSPENDING'),
      });
      expect(String((thrown as Error).message)).not.toContain(secretish);
    }
    expect(() =>
      parseKeyPool(JSON.stringify({ keys: [{ id: 'a', value: secretish }] }), 'AWSCURRENT'),
    ).toThrow(/keys\.0\.addedAt/);
  });
});

describe('versionState', () => {
  const secret = {
    Name: 'pool',
    RotationEnabled: true,
    VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'], v0: ['AWSPREVIOUS'] },
  };

  it('says pending for the AWSPENDING version and current once it is AWSCURRENT', () => {
    expect(versionState(secret, 'v2')).toBe('pending');
    expect(versionState(secret, 'v1')).toBe('current');
  });

  it('refuses a secret without rotation, an unknown version and a version that is not AWSPENDING', () => {
    const refusals: [typeof secret | Omit<typeof secret, 'RotationEnabled'>, string, RegExp][] = [
      [{ ...secret, RotationEnabled: false }, 'v2', /rotation is not enabled/],
      [secret, 'v9', /not a version/],
      [secret, 'v0', /is not AWSPENDING/],
    ];
    for (const [described, token, message] of refusals) {
      expect(() => versionState(described, token)).toThrow(message);
    }
  });
});

describe('keyTestVerdict', () => {
  it('counts an answer, even "unknown symbol", as a working key', () => {
    expect(keyTestVerdict({ ok: true, value: {} })).toEqual({ verdict: 'works' });
    expect(keyTestVerdict(failure('unknown_symbol', 'empty quote'))).toEqual({ verdict: 'works' });
  });

  it('rejects a key the provider refused, and calls throttling, quotas and outages inconclusive', () => {
    expect(keyTestVerdict(failure('invalid_key', 'HTTP 401'))).toEqual({
      verdict: 'rejected',
      detail: 'invalid_key: HTTP 401',
    });
    expect(keyTestVerdict(failure('plan_restricted', 'HTTP 402')).verdict).toBe('rejected');
    for (const kind of [
      'throttled',
      'quota_exhausted',
      'network',
      'timeout',
      'upstream_error',
      'bad_data',
    ] as const) {
      expect(keyTestVerdict(failure(kind, 'detail')).verdict).toBe('inconclusive');
    }
  });
});

describe('loadRotationConfig', () => {
  it('defaults to 90 days, the standard secret prefix and the real provider hosts', () => {
    expect(loadRotationConfig({})).toEqual({
      maxKeyAgeDays: 90,
      secretPrefix: 'valor-ivx/provider-keys/',
      providerBaseUrls: DEFAULT_PROVIDER_BASE_URLS,
      providerTimeoutMs: 5000,
    });
  });

  it('reads KEY_MAX_AGE_DAYS and base URLs, and names every bad variable', () => {
    expect(
      loadRotationConfig({ KEY_MAX_AGE_DAYS: '30', FMP_BASE_URL: 'http://127.0.0.1:9/fmp/' }),
    ).toMatchObject({ maxKeyAgeDays: 30, providerBaseUrls: { fmp: 'http://127.0.0.1:9/fmp' } });
    expect(() => loadRotationConfig({ KEY_MAX_AGE_DAYS: '0', FMP_BASE_URL: 'nowhere' })).toThrow(
      /KEY_MAX_AGE_DAYS.*FMP_BASE_URL/,
    );
  });
});
