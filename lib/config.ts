import * as z from 'zod/mini';
import { type CachePolicy, DATA_TYPES, type DataType, DEFAULT_CACHE_POLICY } from './cache/cache-policy.js';
import { KEY_POOL_SECRET_PREFIX } from './keys/secrets-layout.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS, type ProviderId } from './providers/provider-ids.js';
import { DATA_TABLE_ENV } from './storage/table-definition.js';

/** The providers' real hosts; `<PROVIDER>_BASE_URL` points one elsewhere (the local sandbox, a proxy). */
export const DEFAULT_PROVIDER_BASE_URLS: Record<ProviderId, string> = {
  'alpha-vantage': 'https://www.alphavantage.co',
  fmp: 'https://financialmodelingprep.com',
  finnhub: 'https://finnhub.io',
  'twelve-data': 'https://api.twelvedata.com',
  polygon: 'https://api.massive.com',
};

const positiveSeconds = z.pipe(
  z.string(),
  z.transform((raw, ctx) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      ctx.issues.push({ code: 'custom', message: 'must be a positive number of seconds', input: raw });
      return z.NEVER;
    }
    return value;
  }),
);

const EnvSchema = z.object({
  [DATA_TABLE_ENV]: z.string().check(z.minLength(1)),
  KEY_POOL_SECRET_PREFIX: z._default(z.string(), KEY_POOL_SECRET_PREFIX),
  PROVIDER_TIMEOUT_SECONDS: z.optional(positiveSeconds),
  SECRETS_CACHE_SECONDS: z.optional(positiveSeconds),
  ...Object.fromEntries(DATA_TYPES.map((type) => [cacheTtlEnv(type), z.optional(positiveSeconds)])),
  ...Object.fromEntries(
    PROVIDER_IDS.map((id) => [`${PROVIDER_ENV_PREFIX[id]}_BASE_URL`, z.optional(z.url())]),
  ),
});

/** The layer's configuration, read once per container from the environment. */
export interface DataLayerConfig {
  tableName: string;
  keyPoolSecretPrefix: string;
  providerTimeoutMs: number;
  secretsCacheSeconds: number;
  cachePolicy: Record<DataType, CachePolicy>;
  providerBaseUrls: Record<ProviderId, string>;
}

/** `CACHE_TTL_QUOTE_SECONDS`, `CACHE_TTL_FINANCIALS_SECONDS`, ... */
export function cacheTtlEnv(type: DataType): string {
  return `CACHE_TTL_${type.toUpperCase()}_SECONDS`;
}

/** Thrown at start when the environment cannot make a valid configuration. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * Reads and validates the configuration; a missing or malformed value fails at start, naming the
 * variable (never its value, which could be a secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DataLayerConfig {
  const parsed = z.safeParse(EnvSchema, env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new ConfigurationError(`invalid configuration: ${names}`);
  }
  const vars = parsed.data as Record<string, unknown>;
  const seconds = (name: string): number | undefined => vars[name] as number | undefined;
  return {
    tableName: vars[DATA_TABLE_ENV] as string,
    keyPoolSecretPrefix: vars.KEY_POOL_SECRET_PREFIX as string,
    providerTimeoutMs: (seconds('PROVIDER_TIMEOUT_SECONDS') ?? 5) * 1000,
    secretsCacheSeconds: seconds('SECRETS_CACHE_SECONDS') ?? 300,
    cachePolicy: Object.fromEntries(
      DATA_TYPES.map((type) => {
        const policy = DEFAULT_CACHE_POLICY[type];
        return [type, { ...policy, freshSeconds: seconds(cacheTtlEnv(type)) ?? policy.freshSeconds }];
      }),
    ) as Record<DataType, CachePolicy>,
    providerBaseUrls: Object.fromEntries(
      PROVIDER_IDS.map((id) => [
        id,
        (
          (vars[`${PROVIDER_ENV_PREFIX[id]}_BASE_URL`] as string | undefined) ??
          DEFAULT_PROVIDER_BASE_URLS[id]
        ).replace(/\/+$/, ''),
      ]),
    ) as Record<ProviderId, string>,
  };
}
