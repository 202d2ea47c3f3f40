import { describe, expect, it } from 'vitest';
import { isExpired, keysLostSince, newKeysIn, planRotation } from '../../../lib/keys/rotation-plan.js';
import type { KeyPool, ProviderKey } from '../../../lib/keys/secrets-layout.js';

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

  it('does not excuse an expired key dropped when nothing replaces it, whether the spare list is empty or absent', () => {
    const noSpare: KeyPool = { keys: [key('old', daysAgo(200))], spare: [] };
    expect(keysLostSince({ keys: [] }, noSpare, NOW, 90)).toEqual(['old']);
    expect(keysLostSince({ keys: [] }, { keys: [key('old', daysAgo(200))] }, NOW, 90)).toEqual(['old']);
  });
});
