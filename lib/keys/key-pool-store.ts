import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import type { ProviderId } from '../providers/provider-ids.js';
import { type KeyPool, KeyPoolSchema, keyPoolSecretName } from './secrets-layout.js';

/** A key handed to a provider call: its id (safe to log) and its value (never logged). */
export interface KeyLease {
  id: string;
  value: string;
}

/**
 * Reads providers' key pools from Secrets Manager, cached in memory for `cacheSeconds` so the hot
 * path makes no Secrets Manager call (Powertools Parameters does the caching).
 */
export class KeyPoolStore {
  readonly #secrets: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly options: { secretPrefix: string; cacheSeconds: number },
  ) {
    this.#secrets = new SecretsProvider({ awsSdkV3Client: client });
  }

  /** The provider's pool; `forceFetch` skips the cache (after the provider rejected a key). */
  async pool(provider: ProviderId, forceFetch = false): Promise<KeyPool> {
    const name = keyPoolSecretName(provider, this.options.secretPrefix);
    const raw = await this.#secrets.get(name, { maxAge: this.options.cacheSeconds, forceFetch });
    const parsed = z.safeParse(KeyPoolSchema, parseJsonQuietly(raw));
    // The message names the secret, never its content.
    if (!parsed.success) throw new Error(`key pool ${name} does not match the key pool layout`);
    return parsed.data;
  }
}

/** JSON.parse's own errors quote the text they choke on, which here is a secret: swallow them. */
function parseJsonQuietly(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
