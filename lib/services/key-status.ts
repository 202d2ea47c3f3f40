import { createHash } from 'node:crypto';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { InvalidRequestError } from '../errors.js';
import type { KeyPoolStore } from '../keys/key-pool-store.js';
import { isParked, isQuarantined, type KeyStates } from '../keys/key-states.js';
import { effectiveLimits } from '../keys/provider-limits.js';
import type { RateLimiter } from '../keys/rate-limiter.js';
import { KeyIdSchema, keyPoolSecretName, type ProviderKey } from '../keys/secrets-layout.js';
import { PROVIDER_IDS, type ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';

const isoTime = z.iso.datetime();
const perWindow = z.nullable(z.int().check(z.nonnegative()));

/** One key as operators see it: never its value, nor any part of it. */
export const KeyStatusSchema = z.object({
  id: KeyIdSchema,
  /** `sha256:` and 16 hex digits of a hash over provider and value: tells keys apart, reveals nothing. */
  fingerprint: z.string().check(z.regex(/^sha256:[0-9a-f]{16}$/)),
  addedAt: z.string(),
  ageDays: z.int().check(z.nonnegative()),
  usage: z.object({ thisMinute: z.int(), today: z.int() }),
  limits: z.object({ perMinute: perWindow, perDay: perWindow }),
  budgetLeft: z.object({ thisMinute: perWindow, today: perWindow }),
  state: z.enum(['active', 'parked', 'quarantined']),
  parkedUntil: z.nullable(isoTime),
  reason: z.nullable(z.string()),
});

export type KeyStatus = z.infer<typeof KeyStatusSchema>;

/** One provider's key pool as operators see it; `error` names why it could not be read. */
export const ProviderKeysStatusSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  secretName: z.string(),
  keys: z.array(KeyStatusSchema),
  spareKeys: z.int().check(z.nonnegative()),
  rotation: z.object({
    enabled: z.boolean(),
    lastRotatedAt: z.nullable(isoTime),
    nextRotationAt: z.nullable(isoTime),
  }),
  error: z.optional(z.string()),
});

export type ProviderKeysStatus = z.infer<typeof ProviderKeysStatusSchema>;

export interface KeyStatusDeps {
  keyPools: KeyPoolStore;
  usage: RateLimiter;
  states: KeyStates;
  secretsManager: SecretsManagerClient;
  secretPrefix: string;
  now: () => number;
}

/** What one provider's key statuses are read from: its pool, the fleet's usage and the key states. */
type KeyReadDeps = Pick<KeyStatusDeps, 'keyPools' | 'usage' | 'states' | 'now'>;

/** What releasing a key needs: what its status is read from, and a logger for the audit trail. */
export interface ReleaseKeyDeps extends KeyReadDeps {
  logger: DomainLogger;
}

/** Every provider's key pool: per key its fingerprint, age, usage today, budget left and state; and rotation. */
export function keyStatuses(deps: KeyStatusDeps): Promise<ProviderKeysStatus[]> {
  return Promise.all(PROVIDER_IDS.map((provider) => providerKeys(provider, deps)));
}

/**
 * Lifts a key's parking and quarantine (an operator's decision, for instance once the provider
 * accepts a key it had refused), records who did it, and answers the key's status as the broker now
 * sees it: `null` when the pool holds no key of that id. Reads only that provider's pool. An id the
 * key pool layout could not hold is an `InvalidRequestError`.
 */
export async function releaseProviderKey(
  provider: ProviderId,
  keyId: string,
  actor: string,
  deps: ReleaseKeyDeps,
): Promise<KeyStatus | null> {
  if (!z.safeParse(KeyIdSchema, keyId).success) {
    throw new InvalidRequestError('invalid key id', ['keyId must be 1 to 64 characters, as in the key pool']);
  }
  await deps.states.release(provider, keyId);
  // Ids and the caller only: the log is the audit trail, and a key's value never enters it.
  deps.logger.info('provider key released', { provider, keyId, actor });
  const { keys } = await keysOf(provider, deps, (key) => key.id === keyId);
  return keys[0] ?? null;
}

async function providerKeys(provider: ProviderId, deps: KeyStatusDeps): Promise<ProviderKeysStatus> {
  const secretName = keyPoolSecretName(provider, deps.secretPrefix);
  try {
    const [pool, rotation] = await Promise.all([
      keysOf(provider, deps),
      rotationOf(deps.secretsManager, secretName),
    ]);
    return { provider, secretName, keys: pool.keys, spareKeys: pool.spareKeys, rotation };
  } catch (error) {
    // Named by type only: a message could quote the secret's content.
    const reason = error instanceof Error ? error.name : 'unreadable';
    return { provider, secretName, keys: [], spareKeys: 0, rotation: noRotation, error: reason };
  }
}

/** The status of the provider's keys in service (those `include` picks), from its pool, states and usage. */
async function keysOf(
  provider: ProviderId,
  deps: KeyReadDeps,
  include: (key: ProviderKey) => boolean = () => true,
): Promise<{ keys: KeyStatus[]; spareKeys: number }> {
  const now = deps.now();
  const [pool, states] = await Promise.all([deps.keyPools.pool(provider, true), deps.states.read(provider)]);
  const inService = pool.keys.filter(include);
  const usage = await deps.usage.usage(
    provider,
    inService.map((key) => key.id),
    now,
  );
  const keys = inService.map((key): KeyStatus => {
    const limits = effectiveLimits(provider, key.limits);
    const used = usage.get(key.id) ?? { minute: 0, day: 0 };
    const state = states.get(key.id);
    // The broker's own predicates: the status shows exactly what the broker will do with the key.
    const quarantined = isQuarantined(state, key);
    const parked = !quarantined && isParked(state, now);
    const left = (limit: number | undefined, spent: number) =>
      limit === undefined ? null : Math.max(0, limit - spent);
    return {
      id: key.id,
      fingerprint: fingerprint(provider, key.value),
      addedAt: key.addedAt,
      ageDays: Math.max(0, Math.floor((now - Date.parse(key.addedAt)) / 86_400_000)),
      usage: { thisMinute: used.minute, today: used.day },
      limits: { perMinute: limits.perMinute ?? null, perDay: limits.perDay ?? null },
      budgetLeft: { thisMinute: left(limits.perMinute, used.minute), today: left(limits.perDay, used.day) },
      state: quarantined ? 'quarantined' : parked ? 'parked' : 'active',
      parkedUntil: parked && state?.parkedUntil ? new Date(state.parkedUntil).toISOString() : null,
      reason: quarantined ? (state?.quarantineReason ?? null) : parked ? (state?.parkReason ?? null) : null,
    };
  });
  return { keys, spareKeys: pool.spare?.length ?? 0 };
}

const noRotation = { enabled: false, lastRotatedAt: null, nextRotationAt: null };

async function rotationOf(
  client: SecretsManagerClient,
  secretName: string,
): Promise<ProviderKeysStatus['rotation']> {
  const secret = await client.send(new DescribeSecretCommand({ SecretId: secretName }));
  const last = secret.LastRotatedDate ?? secret.CreatedDate;
  const days = secret.RotationRules?.AutomaticallyAfterDays;
  const next =
    secret.NextRotationDate ??
    (secret.RotationEnabled && last && days ? new Date(last.getTime() + days * 86_400_000) : undefined);
  return {
    enabled: secret.RotationEnabled ?? false,
    lastRotatedAt: secret.LastRotatedDate?.toISOString() ?? null,
    nextRotationAt: next?.toISOString() ?? null,
  };
}

function fingerprint(provider: ProviderId, value: string): string {
  return `sha256:${createHash('sha256').update(`valor-ivx:${provider}:${value}`).digest('hex').slice(0, 16)}`;
}
