import * as z from 'zod/mini';
import type { ProviderId } from '../model/provider-ids.js';

/**
 * The one definition of how provider keys are laid out in Secrets Manager: one secret per provider,
 * holding that provider's key pool as JSON. CDK creates the secrets from this, the local stack seeds
 * them from this, and the key store reads them through this schema.
 */
export const KEY_POOL_SECRET_PREFIX = 'valor-ivx/provider-keys/';

/** The Secrets Manager name of a provider's key pool. */
export function keyPoolSecretName(provider: ProviderId, prefix: string = KEY_POOL_SECRET_PREFIX): string {
  return `${prefix}${provider}`;
}

/** Limits an operator sets per key; absent means the provider's default. */
export const KeyLimitsSchema = z.object({
  perMinute: z.optional(z.number().check(z.int(), z.positive())),
  perDay: z.optional(z.number().check(z.int(), z.positive())),
});

/** A key's id: safe to log and to show, and what operators name a key by in the API. */
export const KeyIdSchema = z.string().check(z.minLength(1), z.maxLength(64));

/** One provider key. `value` is the secret itself and never leaves the key store. */
export const ProviderKeySchema = z.object({
  id: KeyIdSchema,
  value: z.string().check(z.minLength(1)),
  addedAt: z.string(),
  limits: z.optional(KeyLimitsSchema),
});

/**
 * A provider's key pool: `keys` are in service; `spare` are keys an operator has staged for the
 * rotation Lambda to promote.
 */
export const KeyPoolSchema = z.object({
  keys: z.array(ProviderKeySchema),
  spare: z.optional(z.array(ProviderKeySchema)),
});

export type ProviderKey = z.infer<typeof ProviderKeySchema>;
export type KeyPool = z.infer<typeof KeyPoolSchema>;

/** An empty pool: what CDK deploys before an operator seeds the real keys (no key in any template). */
export const EMPTY_KEY_POOL: KeyPool = { keys: [], spare: [] };
