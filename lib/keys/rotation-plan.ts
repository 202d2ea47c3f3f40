import { RotationError } from './rotation-error.js';
import type { KeyPool, ProviderKey } from './secrets-layout.js';

/**
 * What a rotation does to a pool, decided without touching Secrets Manager: which keys go into
 * service, which retire, and which pending pool is still faithful to the current one.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** What createSecret will store: the next pool, or why there is none. */
export type RotationPlan =
  | { kind: 'rotate'; pool: KeyPool; promoted: string[]; retired: string[] }
  /** Keys in service, nothing staged: rotating would only keep (possibly expired) keys. */
  | { kind: 'no_spare_keys'; expired: string[] }
  /** No key in service and none staged: a provider the layer does not use; nothing to rotate. */
  | { kind: 'unused'; pool: KeyPool };

/**
 * The next pool. Every staged spare is promoted (stamped with `now` as its `addedAt`, since its age
 * counts from going into service) and appended, so the order operators gave the keys in service
 * stands. Keys past `maxKeyAgeDays` are retired, which is safe because at least one tested key
 * replaces them: the pool never ends up empty. A key whose `addedAt` cannot be read counts as expired.
 */
export function planRotation(current: KeyPool, now: Date, maxKeyAgeDays: number): RotationPlan {
  const spare = current.spare ?? [];
  const expired = current.keys.filter((key) => isExpired(key, now, maxKeyAgeDays)).map((key) => key.id);
  if (spare.length === 0) {
    return current.keys.length === 0
      ? { kind: 'unused', pool: { keys: [], spare: [] } }
      : { kind: 'no_spare_keys', expired };
  }
  checkSpareKeys(current.keys, spare);
  const promoted = spare.map((key) => ({ ...key, addedAt: now.toISOString() }));
  const kept = current.keys.filter((key) => !expired.includes(key.id));
  return {
    kind: 'rotate',
    pool: { keys: [...kept, ...promoted], spare: [] },
    promoted: promoted.map((key) => key.id),
    retired: expired,
  };
}

/** True when the key has been in service longer than `maxKeyAgeDays`, or its age is unknown. */
export function isExpired(key: ProviderKey, now: Date, maxKeyAgeDays: number): boolean {
  const addedAt = Date.parse(key.addedAt);
  return Number.isNaN(addedAt) || now.getTime() - addedAt > maxKeyAgeDays * DAY_MS;
}

/** A spare that repeats a key in service (by id or value) would make the pool ambiguous: refuse it. */
function checkSpareKeys(inService: readonly ProviderKey[], spare: readonly ProviderKey[]): void {
  const ids = new Set(inService.map((key) => key.id));
  const values = new Set(inService.map((key) => key.value));
  for (const key of spare) {
    if (ids.has(key.id) || values.has(key.value)) {
      throw new RotationError(
        `spare key ${key.id} repeats a key in service (same id or value)`,
        'invalid_pool',
      );
    }
    ids.add(key.id);
    values.add(key.value);
  }
}

/** The keys of `pending` that `current` does not have in service: the ones that need a test. */
export function newKeysIn(pending: KeyPool, current: KeyPool): ProviderKey[] {
  const inService = new Set(current.keys.map((key) => key.value));
  return pending.keys.filter((key) => !inService.has(key.value));
}

/**
 * Keys of `current` that `pending` drops without a reason: spares it did not promote, and keys in
 * service it retired before their time. Any means someone changed AWSCURRENT after createSecret built
 * the pending pool from it; finishing would silently throw their change away.
 */
export function keysLostSince(
  pending: KeyPool,
  current: KeyPool,
  now: Date,
  maxKeyAgeDays: number,
): string[] {
  const kept = new Set(pending.keys.map((key) => key.value));
  const retirable = (key: ProviderKey) =>
    isExpired(key, now, maxKeyAgeDays) && (current.spare ?? []).length > 0;
  return [
    ...current.keys.filter((key) => !kept.has(key.value) && !retirable(key)),
    ...(current.spare ?? []).filter((key) => !kept.has(key.value)),
  ].map((key) => key.id);
}
