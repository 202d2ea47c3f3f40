import { describe, expect, it } from 'vitest';
import { keyTestVerdict } from '../../../lib/keys/key-tester.js';
import { PROVIDER_TAG, parseKeyPool, providerOfSecret, versionState } from '../../../lib/keys/rotation.js';
import { RotationError } from '../../../lib/keys/rotation-error.js';
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

describe('providerOfSecret', () => {
  const prefix = 'valor-ivx/provider-keys/';

  it('reads the provider from the key-pool name, else from the provider tag', () => {
    expect(providerOfSecret({ Name: `${prefix}alpha-vantage` }, prefix)).toBe('alpha-vantage');
    expect(
      providerOfSecret({ Name: 'legacy/fmp-keys', Tags: [{ Key: PROVIDER_TAG, Value: 'fmp' }] }, prefix),
    ).toBe('fmp');
  });

  it('reads the provider from the tag of a secret described without its name', () => {
    expect(providerOfSecret({ Tags: [{ Key: PROVIDER_TAG, Value: 'polygon' }] }, prefix)).toBe('polygon');
    expect(providerOfSecret({}, prefix)).toBeUndefined();
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
