import {
  CreateSecretCommand,
  ResourceExistsException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type KeyPool, keyPoolSecretName, type ProviderKey } from '../../lib/keys/secrets-layout.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS, type ProviderId } from '../../lib/model/provider-ids.js';

/** The key the sandbox accepts when no real key is configured: it opens nothing anywhere else. */
export const SANDBOX_KEY_PREFIX = 'sandbox-key-';
const SANDBOX_KEY_PER_MINUTE = 6_000;
const SANDBOX_KEY_PER_DAY = 10_000_000;

/**
 * A provider's local key pool from the platform's variables: `<PROVIDER>_API_KEY` (primary),
 * `ALPHA_VANTAGE_BACKUP_KEYS` (comma list) and `ALPHA_VANTAGE_RATE_LIMIT` (calls a minute, default 5).
 * Without a key, a provider served by the sandbox gets a sandbox key; a real one gets an empty pool.
 */
export function keyPoolFromEnv(
  provider: ProviderId,
  env: NodeJS.ProcessEnv,
  servedBySandbox: boolean,
): KeyPool {
  const prefix = PROVIDER_ENV_PREFIX[provider];
  const addedAt = new Date().toISOString();
  const values = [env[`${prefix}_API_KEY`], ...(env[`${prefix}_BACKUP_KEYS`] ?? '').split(',')]
    .map((value) => value?.trim() ?? '')
    .filter((value) => value.length > 0);
  const sandboxKey = values.length === 0 && servedBySandbox;
  if (sandboxKey) values.push(`${SANDBOX_KEY_PREFIX}${provider}`);
  // A real key gets the provider's limits (Alpha Vantage: ALPHA_VANTAGE_RATE_LIMIT, default 5 a
  // minute). The sandbox's own key is held to what the sandbox holds it to: on the free plan (the
  // default, as the sandbox's) the provider's free-plan limits (no override: the layer's defaults), so
  // the layer never spends a call the sandbox refuses; on `<PROVIDER>_PLAN=paid`, room for local load.
  const roomy = sandboxKey && env[`${prefix}_PLAN`] === 'paid';
  const configured = env[`${prefix}_RATE_LIMIT`];
  const perMinute = Number(
    configured ?? (roomy ? SANDBOX_KEY_PER_MINUTE : provider === 'alpha-vantage' ? 5 : Number.NaN),
  );
  const perMinuteLimit = Number.isInteger(perMinute) && perMinute > 0 ? { perMinute } : {};
  const limits = roomy ? { ...perMinuteLimit, perDay: SANDBOX_KEY_PER_DAY } : perMinuteLimit;
  const keys: ProviderKey[] = values.map((value, i) => ({
    id: i === 0 ? 'primary' : `backup-${i}`,
    value,
    addedAt,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  }));
  return { keys, spare: [] };
}

/** Creates each provider's key-pool secret unless it exists (another local stack may share this service). */
export async function seedKeyPools(
  client: SecretsManagerClient,
  env: NodeJS.ProcessEnv,
  sandboxProviders: ReadonlySet<ProviderId>,
  secretPrefix?: string,
): Promise<Record<ProviderId, 'created' | 'existing'>> {
  const outcomes = await Promise.all(
    PROVIDER_IDS.map(async (provider) => {
      const pool = keyPoolFromEnv(provider, env, sandboxProviders.has(provider));
      try {
        await client.send(
          new CreateSecretCommand({
            Name: keyPoolSecretName(provider, secretPrefix),
            SecretString: JSON.stringify(pool),
          }),
        );
        return [provider, 'created'] as const;
      } catch (error) {
        if (error instanceof ResourceExistsException) return [provider, 'existing'] as const;
        throw error;
      }
    }),
  );
  return Object.fromEntries(outcomes) as Record<ProviderId, 'created' | 'existing'>;
}
