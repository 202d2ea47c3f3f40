import {
  type CachePolicy,
  DEFAULT_CACHE_POLICY,
  DEFAULT_STALE_WHILE_REVALIDATE_SECONDS,
} from './cache/cache-policy.js';
import { DEFAULT_FILL_LEASE_OPTIONS } from './cache/fill-lease-state.js';
import { DEFAULT_MEMORY_CACHE_OPTIONS, type MemoryCacheOptions } from './cache/memory-cache.js';
import { EnvReader } from './env-reader.js';
import { DEFAULT_KEY_POOL_CACHE } from './keys/key-pool-store.js';
import { DEFAULT_KEY_QUARANTINE, type KeyQuarantineOptions } from './keys/key-quarantine.js';
import { DEFAULT_MAX_KEY_AGE_DAYS, type RotationOptions } from './keys/rotation.js';
import { KEY_POOL_SECRET_PREFIX } from './keys/secrets-layout.js';
import { DATA_TYPES, type DataType } from './model/data-types.js';
import { PROVIDER_ENV_PREFIX, PROVIDER_IDS, type ProviderId } from './model/provider-ids.js';
import {
  ALPHA_VANTAGE_ENTITLEMENTS,
  type AlphaVantageEntitlement,
} from './providers/alpha-vantage/entitlement.js';
import type { ProviderPlan } from './providers/provider.js';
import { type AgreementTolerance, DEFAULT_AGREEMENT_TOLERANCE } from './quality/agreement.js';
import { QUALITY_FLOOR } from './quality/report.js';
import { type CircuitBreakerOptions, DEFAULT_BREAKER_OPTIONS } from './resilience/breaker-state.js';
import {
  DEFAULT_DEPENDENCY_GUARD_OPTIONS,
  type DependencyGuardOptions,
} from './resilience/dependency-guard-state.js';
import { DEFAULT_RETRY } from './resilience/retry.js';
import { type AuditOptions, DEFAULT_AUDIT_OPTIONS } from './services/accuracy-audit.js';
import { DATA_TABLE_ENV } from './storage/table-definition.js';

/** The providers' real hosts; `<PROVIDER>_BASE_URL` points one elsewhere (the local sandbox, a proxy). */
export const DEFAULT_PROVIDER_BASE_URLS: Record<ProviderId, string> = {
  'alpha-vantage': 'https://www.alphavantage.co',
  fmp: 'https://financialmodelingprep.com',
  finnhub: 'https://finnhub.io',
  'twelve-data': 'https://api.twelvedata.com',
  polygon: 'https://api.massive.com',
};

/** Which providers serve each data type, in the default priority order. */
export const DEFAULT_PROVIDER_ORDER: Record<DataType, readonly ProviderId[]> = {
  quote: ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'],
  daily_history: ['alpha-vantage', 'fmp', 'twelve-data', 'polygon', 'finnhub'],
  financials: ['alpha-vantage', 'fmp', 'twelve-data'],
  company: ['alpha-vantage', 'fmp', 'finnhub', 'polygon', 'twelve-data'],
  search: ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'],
  /**
   * Of the free plans that list a symbol's whole history, the one with the most calls to spare first:
   * each symbol costs two calls (splits, dividends) a day, which must not eat Alpha Vantage's 25 a day
   * that quotes and bars need. FMP (250 a day), then Alpha Vantage (25 a day); Polygon/Massive's free
   * plan has calls to spare (5 a minute, no daily cap) but lists only the last 2 years, and a list cut
   * short adjusts every older price wrongly, so it is the last free resort. Then the paid-only ones:
   * Twelve Data (whole history, and it tells an unknown symbol from one without actions), Finnhub.
   * @default ['fmp', 'alpha-vantage', 'polygon', 'twelve-data', 'finnhub']
   */
  corporate_actions: ['fmp', 'alpha-vantage', 'polygon', 'twelve-data', 'finnhub'],
};

/**
 * The layer's configuration, read once per container from the environment. Each field's `@default`
 * is its value when no variable is set (`test/docs/configuration.test.ts` holds them to `loadConfig`
 * and to docs/configuration.md).
 */
export interface DataLayerConfig {
  /**
   * `DATA_TABLE_NAME`: the data table (set by CDK). Required: no default, a missing one fails at start.
   */
  tableName: string;
  /**
   * `KEY_POOL_SECRET_PREFIX`: the Secrets Manager name prefix of the key pools (`<prefix><provider>`).
   * @default 'valor-ivx/provider-keys/'
   */
  keyPoolSecretPrefix: string;
  /**
   * `PROVIDER_TIMEOUT_SECONDS` (5), in ms: the timeout of one provider call (one attempt).
   * @default 5000
   */
  providerTimeoutMs: number;
  /**
   * `SECRETS_CACHE_SECONDS`: how long a key pool read is kept in memory.
   * @default 300
   */
  secretsCacheSeconds: number;
  /**
   * `SECRETS_STALE_SECONDS`: how long past `secretsCacheSeconds` the last key pool read is served while
   * Secrets Manager fails (`0`: never).
   * @default 3600
   */
  secretsStaleSeconds: number;
  /**
   * `KEY_QUARANTINE_THRESHOLD`, `KEY_QUARANTINE_WINDOW_SECONDS` and `KEY_RETEST_SECONDS` (3, 3600, 3600):
   * invalid-key answers that quarantine a key, within what window, and when a quarantined key is re-tested.
   * @default { threshold: 3, windowMs: 3600000, retestMs: 3600000 }
   */
  keyQuarantine: KeyQuarantineOptions;
  /**
   * `NEGATIVE_CACHE_SECONDS`: how long an unknown symbol is remembered.
   * @default 600
   */
  negativeCacheSeconds: number;
  /**
   * `CACHE_TTL_<TYPE>_SECONDS` (fresh) and `CACHE_MAX_STALE_<TYPE>_SECONDS` (how long past fresh a value
   * may be served, marked stale, when every provider fails), per data type.
   * @default {
   *   quote: { freshSeconds: 300, maxStaleSeconds: 86400 },
   *   daily_history: { freshSeconds: 86400, maxStaleSeconds: 604800 },
   *   financials: { freshSeconds: 3600, maxStaleSeconds: 2592000 },
   *   company: { freshSeconds: 86400, maxStaleSeconds: 2592000 },
   *   search: { freshSeconds: 3600, maxStaleSeconds: 604800 },
   *   corporate_actions: { freshSeconds: 86400, maxStaleSeconds: 2592000 },
   * }
   */
  cachePolicy: Record<DataType, CachePolicy>;
  /**
   * `CACHE_SWR_<TYPE>_SECONDS`: how far past fresh a value is answered at once while one request refreshes it.
   * @default { quote: 60, daily_history: 3600, financials: 86400, company: 86400, search: 3600, corporate_actions: 86400 }
   */
  staleWhileRevalidateSeconds: Record<DataType, number>;
  /**
   * `CACHE_FILL_LEASE_SECONDS` (15), in ms: how long a cache fill may run before a waiting request may
   * take it over.
   * @default 15000
   */
  fillLeaseMs: number;
  /**
   * `CACHE_MEMORY_MAX_ENTRIES` and `CACHE_MEMORY_MAX_MB` (10000, 64): the container's memory cache in
   * front of DynamoDB.
   * @default { maxEntries: 10000, maxBytes: 67108864 }
   */
  memoryCache: MemoryCacheOptions;
  /**
   * `<PROVIDER>_BASE_URL`: where each provider is called ({@link DEFAULT_PROVIDER_BASE_URLS}).
   * @default {
   *   'alpha-vantage': 'https://www.alphavantage.co',
   *   fmp: 'https://financialmodelingprep.com',
   *   finnhub: 'https://finnhub.io',
   *   'twelve-data': 'https://api.twelvedata.com',
   *   polygon: 'https://api.massive.com',
   * }
   */
  providerBaseUrls: Record<ProviderId, string>;
  /**
   * `PROVIDER_ORDER_<TYPE>`: the providers serving each data type, in priority order
   * ({@link DEFAULT_PROVIDER_ORDER}).
   * @default {
   *   quote: ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'],
   *   daily_history: ['alpha-vantage', 'fmp', 'twelve-data', 'polygon', 'finnhub'],
   *   financials: ['alpha-vantage', 'fmp', 'twelve-data'],
   *   company: ['alpha-vantage', 'fmp', 'finnhub', 'polygon', 'twelve-data'],
   *   search: ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'],
   *   corporate_actions: ['fmp', 'alpha-vantage', 'polygon', 'twelve-data', 'finnhub'],
   * }
   */
  providerOrder: Record<DataType, ProviderId[]>;
  /**
   * `<PROVIDER>_PLAN`: `paid` unlocks a provider's paid-only endpoints.
   * @default { 'alpha-vantage': 'free', fmp: 'free', finnhub: 'free', 'twelve-data': 'free', polygon: 'free' }
   */
  providerPlans: Record<ProviderId, ProviderPlan>;
  /**
   * `ALPHA_VANTAGE_ENTITLEMENT` (`none`): the US data a premium Alpha Vantage key asks `GLOBAL_QUOTE`
   * for; `null`: the default data.
   * @default null
   */
  alphaVantageEntitlement: AlphaVantageEntitlement | null;
  /**
   * `QUALITY_FLOOR`: answers scoring under this (0..1) are not served or cached; the next provider is tried.
   * @default 0.6
   */
  qualityFloor: number;
  /**
   * `BATCH_CONCURRENCY` (1–50): most quote misses a batch fetches at once.
   * @default 8
   */
  batchConcurrency: number;
  /**
   * `CIRCUIT_BREAKER_*` (seconds in the variables, ms here; `CIRCUIT_BREAKER_STATE_CACHE_MS` in ms):
   * the fleet-wide circuit breaker of each provider.
   * @default {
   *   enabled: true,
   *   failureThreshold: 5,
   *   failureRateThreshold: 0.5,
   *   slowCallMs: 3000,
   *   slowCallRateThreshold: 0.5,
   *   minimumCalls: 10,
   *   windowMs: 60000,
   *   recoveryTimeoutMs: 60000,
   *   maxRecoveryTimeoutMs: 600000,
   *   successThreshold: 2,
   *   probeLeaseMs: 15000,
   *   stateCacheMs: 1000,
   * }
   */
  breaker: CircuitBreakerOptions;
  /**
   * `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_DELAY` and `RETRY_MAX_DELAY` (3, 1, 60 s): retries of one provider
   * call, exponential backoff with full jitter.
   * @default { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60000 }
   */
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /**
   * `DEPENDENCY_CALL_TIMEOUT_SECONDS`, `DEPENDENCY_BACKOFF_SECONDS` and `DEPENDENCY_MAX_BACKOFF_SECONDS`
   * (1, 1, 4): bounds on every DynamoDB and Secrets Manager call, and the back-off after one hangs.
   * @default { callTimeoutMs: 1000, backoffMs: 1000, maxBackoffMs: 4000 }
   */
  dependencyGuard: DependencyGuardOptions;
  /**
   * Cross-provider comparisons: `ACCURACY_TOLERANCE` (a share of the price; one cent at least),
   * `ACCURACY_AUDIT_SHARE` (the share of fills that also ask a second provider),
   * `ACCURACY_AUDIT_SPARE` (the share of each key window an audit leaves untouched) and
   * `ACCURACY_AUDIT_TIMEOUT_SECONDS` (the most an audit adds to a request).
   * @default { tolerance: { relative: 0.005, absolute: 0.01 }, audit: { share: 0.02, spare: 0.2, timeoutMs: 1500 } }
   */
  accuracy: { tolerance: AgreementTolerance; audit: AuditOptions };
}

/** `CACHE_TTL_QUOTE_SECONDS`, `CACHE_TTL_FINANCIALS_SECONDS`, ... */
export function cacheTtlEnv(type: DataType): string {
  return `CACHE_TTL_${type.toUpperCase()}_SECONDS`;
}

/** Thrown at start when the environment cannot make a valid configuration. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

const positive = { min: Number.MIN_VALUE };
const count = { min: 1, integer: true };

/** How the layer reaches the providers and their keys: what the data path and the key rotation share. */
export interface ProviderAccess {
  /** As {@link DataLayerConfig.keyPoolSecretPrefix}. @default 'valor-ivx/provider-keys/' */
  keyPoolSecretPrefix: string;
  /** As {@link DataLayerConfig.providerBaseUrls}: {@link DEFAULT_PROVIDER_BASE_URLS} by default. */
  providerBaseUrls: Record<ProviderId, string>;
  /** As {@link DataLayerConfig.providerTimeoutMs}. @default 5000 */
  providerTimeoutMs: number;
}

/**
 * Reads `KEY_POOL_SECRET_PREFIX`, `<PROVIDER>_BASE_URL` and `PROVIDER_TIMEOUT_SECONDS` (5) into
 * `read`'s problems: `loadConfig` and the rotation function's configuration both read them here, so
 * a key is tested against the same host, with the same timeout, that the data path will call.
 */
export function readProviderAccess(read: EnvReader): ProviderAccess {
  return {
    keyPoolSecretPrefix: read.string('KEY_POOL_SECRET_PREFIX', KEY_POOL_SECRET_PREFIX),
    providerBaseUrls: Object.fromEntries(
      PROVIDER_IDS.map((id) => [
        id,
        read.url(`${PROVIDER_ENV_PREFIX[id]}_BASE_URL`, DEFAULT_PROVIDER_BASE_URLS[id]),
      ]),
    ) as Record<ProviderId, string>,
    providerTimeoutMs: read.number('PROVIDER_TIMEOUT_SECONDS', 5, positive) * 1000,
  };
}

/**
 * Reads and validates the configuration; anything missing or malformed fails at start, naming every
 * bad variable (never its value, which could be a secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DataLayerConfig {
  const read = new EnvReader(env);
  const config = readConfig(read);
  if (read.problems.length > 0)
    throw new ConfigurationError(`invalid configuration: ${read.problems.join('; ')}`);
  return config;
}

/**
 * What is wrong with configuration an operator sets at deploy time for every function: unknown
 * names, bad values, and any provider key (keys live in Secrets Manager, never in an environment).
 * Empty when all is well; CDK refuses to synthesize otherwise.
 */
export function configOverrideProblems(overrides: Readonly<Record<string, string>>): string[] {
  const read = new EnvReader({ [DATA_TABLE_ENV]: 'deploy-check', ...overrides });
  readConfig(read);
  const problems = [...read.problems];
  for (const name of Object.keys(overrides)) {
    if (/_API_KEY$|_BACKUP_KEYS$/.test(name)) {
      problems.push(
        `${name} is a provider key: seed it in the key pool secret, never a function's environment`,
      );
    } else if (!read.names.has(name) || name === DATA_TABLE_ENV) {
      problems.push(`${name} is not a configuration variable of the data functions`);
    }
  }
  return problems;
}

function readConfig(read: EnvReader): DataLayerConfig {
  // Defaults come from the modules that own them, so tests of those modules test what runs.
  const breaker = DEFAULT_BREAKER_OPTIONS;
  const guard = DEFAULT_DEPENDENCY_GUARD_OPTIONS;
  const seconds = (name: string, fallback: number) => read.number(name, fallback, positive) * 1000;
  const perType = <T>(make: (type: DataType) => T) =>
    Object.fromEntries(DATA_TYPES.map((type) => [type, make(type)])) as Record<DataType, T>;
  const access = readProviderAccess(read);
  const config: DataLayerConfig = {
    tableName: read.string(DATA_TABLE_ENV),
    keyPoolSecretPrefix: access.keyPoolSecretPrefix,
    providerTimeoutMs: access.providerTimeoutMs,
    secretsCacheSeconds: read.number('SECRETS_CACHE_SECONDS', DEFAULT_KEY_POOL_CACHE.cacheSeconds, positive),
    secretsStaleSeconds: read.number('SECRETS_STALE_SECONDS', DEFAULT_KEY_POOL_CACHE.staleSeconds, {
      min: 0,
    }),
    keyQuarantine: {
      threshold: read.number('KEY_QUARANTINE_THRESHOLD', DEFAULT_KEY_QUARANTINE.threshold, count),
      windowMs: seconds('KEY_QUARANTINE_WINDOW_SECONDS', DEFAULT_KEY_QUARANTINE.windowMs / 1000),
      retestMs: seconds('KEY_RETEST_SECONDS', DEFAULT_KEY_QUARANTINE.retestMs / 1000),
    },
    negativeCacheSeconds: read.number('NEGATIVE_CACHE_SECONDS', 600, positive),
    cachePolicy: perType((type) => ({
      freshSeconds: read.number(cacheTtlEnv(type), DEFAULT_CACHE_POLICY[type].freshSeconds, positive),
      maxStaleSeconds: read.number(
        `CACHE_MAX_STALE_${type.toUpperCase()}_SECONDS`,
        DEFAULT_CACHE_POLICY[type].maxStaleSeconds,
        { min: 0 },
      ),
    })),
    staleWhileRevalidateSeconds: perType((type) =>
      read.number(`CACHE_SWR_${type.toUpperCase()}_SECONDS`, DEFAULT_STALE_WHILE_REVALIDATE_SECONDS[type], {
        min: 0,
      }),
    ),
    fillLeaseMs: seconds('CACHE_FILL_LEASE_SECONDS', DEFAULT_FILL_LEASE_OPTIONS.leaseMs / 1000),
    memoryCache: {
      maxEntries: read.number('CACHE_MEMORY_MAX_ENTRIES', DEFAULT_MEMORY_CACHE_OPTIONS.maxEntries, {
        min: 0,
        integer: true,
      }),
      maxBytes:
        read.number('CACHE_MEMORY_MAX_MB', DEFAULT_MEMORY_CACHE_OPTIONS.maxBytes / 2 ** 20, positive) *
        2 ** 20,
    },
    providerBaseUrls: access.providerBaseUrls,
    providerOrder: perType((type) =>
      read.list(`PROVIDER_ORDER_${type.toUpperCase()}`, PROVIDER_IDS, DEFAULT_PROVIDER_ORDER[type]),
    ),
    providerPlans: Object.fromEntries(
      PROVIDER_IDS.map((id) => [
        id,
        read.list(`${PROVIDER_ENV_PREFIX[id]}_PLAN`, ['free', 'paid'] as const, ['free'])[0],
      ]),
    ) as Record<ProviderId, ProviderPlan>,
    alphaVantageEntitlement: alphaVantageEntitlement(read),
    qualityFloor: read.number('QUALITY_FLOOR', QUALITY_FLOOR, { min: 0, max: 1 }),
    batchConcurrency: read.number('BATCH_CONCURRENCY', 8, { min: 1, max: 50, integer: true }),
    breaker: {
      enabled: read.boolean('CIRCUIT_BREAKER_ENABLED', breaker.enabled),
      failureThreshold: read.number('CIRCUIT_BREAKER_FAILURE_THRESHOLD', breaker.failureThreshold, count),
      failureRateThreshold: read.number('CIRCUIT_BREAKER_FAILURE_RATE', breaker.failureRateThreshold, {
        min: 0.01,
        max: 1,
      }),
      slowCallMs: seconds('CIRCUIT_BREAKER_SLOW_CALL_SECONDS', breaker.slowCallMs / 1000),
      slowCallRateThreshold: read.number('CIRCUIT_BREAKER_SLOW_CALL_RATE', breaker.slowCallRateThreshold, {
        min: 0.01,
        max: 1,
      }),
      minimumCalls: read.number('CIRCUIT_BREAKER_MINIMUM_CALLS', breaker.minimumCalls, count),
      windowMs: seconds('CIRCUIT_BREAKER_WINDOW', breaker.windowMs / 1000),
      recoveryTimeoutMs: seconds('CIRCUIT_BREAKER_RECOVERY_TIMEOUT', breaker.recoveryTimeoutMs / 1000),
      maxRecoveryTimeoutMs: seconds(
        'CIRCUIT_BREAKER_MAX_RECOVERY_TIMEOUT',
        breaker.maxRecoveryTimeoutMs / 1000,
      ),
      successThreshold: read.number('CIRCUIT_BREAKER_SUCCESS_THRESHOLD', breaker.successThreshold, count),
      probeLeaseMs: seconds('CIRCUIT_BREAKER_PROBE_LEASE', breaker.probeLeaseMs / 1000),
      stateCacheMs: read.number('CIRCUIT_BREAKER_STATE_CACHE_MS', breaker.stateCacheMs, {
        min: 0,
        integer: true,
      }),
    },
    retry: {
      maxAttempts: read.number('RETRY_MAX_ATTEMPTS', DEFAULT_RETRY.maxAttempts, count),
      baseDelayMs: seconds('RETRY_BASE_DELAY', DEFAULT_RETRY.baseDelayMs / 1000),
      maxDelayMs: seconds('RETRY_MAX_DELAY', DEFAULT_RETRY.maxDelayMs / 1000),
    },
    dependencyGuard: {
      callTimeoutMs: seconds('DEPENDENCY_CALL_TIMEOUT_SECONDS', guard.callTimeoutMs / 1000),
      backoffMs: seconds('DEPENDENCY_BACKOFF_SECONDS', guard.backoffMs / 1000),
      maxBackoffMs: seconds('DEPENDENCY_MAX_BACKOFF_SECONDS', guard.maxBackoffMs / 1000),
    },
    accuracy: {
      tolerance: {
        relative: read.number('ACCURACY_TOLERANCE', DEFAULT_AGREEMENT_TOLERANCE.relative, { min: 0, max: 1 }),
        absolute: DEFAULT_AGREEMENT_TOLERANCE.absolute,
      },
      audit: {
        share: read.number('ACCURACY_AUDIT_SHARE', DEFAULT_AUDIT_OPTIONS.share, { min: 0, max: 1 }),
        spare: read.number('ACCURACY_AUDIT_SPARE', DEFAULT_AUDIT_OPTIONS.spare, { min: 0, max: 1 }),
        timeoutMs: seconds('ACCURACY_AUDIT_TIMEOUT_SECONDS', DEFAULT_AUDIT_OPTIONS.timeoutMs / 1000),
      },
    },
  };
  return config;
}

/** `ALPHA_VANTAGE_ENTITLEMENT`: `delayed`, `realtime`, or `none` (the default: no `entitlement=` sent). */
function alphaVantageEntitlement(read: EnvReader): AlphaVantageEntitlement | null {
  const allowed = ['none', ...ALPHA_VANTAGE_ENTITLEMENTS] as const;
  const values = read.list('ALPHA_VANTAGE_ENTITLEMENT', allowed, ['none']);
  if (values.length > 1)
    read.problems.push(`ALPHA_VANTAGE_ENTITLEMENT must be one of: ${allowed.join(', ')}`);
  const [value] = values;
  return value === undefined || value === 'none' ? null : value;
}

/**
 * The rotation function's configuration, read once per container: `maxKeyAgeDays` from
 * `KEY_MAX_AGE_DAYS` (default 90) and `secretPrefix` from `KEY_POOL_SECRET_PREFIX` (default
 * 'valor-ivx/provider-keys/'), beside the two below.
 */
export interface RotationConfig extends RotationOptions {
  /** As {@link DataLayerConfig.providerBaseUrls}: {@link DEFAULT_PROVIDER_BASE_URLS} by default. */
  providerBaseUrls: Record<ProviderId, string>;
  /** As {@link DataLayerConfig.providerTimeoutMs}. @default 5000 */
  providerTimeoutMs: number;
}

/**
 * Reads the rotation function's configuration: `KEY_MAX_AGE_DAYS` (90), and how to reach the
 * providers and their keys exactly as the data path does (`readProviderAccess`). It needs no table,
 * so it does not go through `loadConfig`, which requires one.
 */
export function loadRotationConfig(env: NodeJS.ProcessEnv = process.env): RotationConfig {
  const read = new EnvReader(env);
  const maxKeyAgeDays = read.number('KEY_MAX_AGE_DAYS', DEFAULT_MAX_KEY_AGE_DAYS, { min: 1, integer: true });
  const { keyPoolSecretPrefix, providerBaseUrls, providerTimeoutMs } = readProviderAccess(read);
  if (read.problems.length > 0) {
    throw new ConfigurationError(`invalid configuration: ${read.problems.join('; ')}`);
  }
  return { maxKeyAgeDays, secretPrefix: keyPoolSecretPrefix, providerBaseUrls, providerTimeoutMs };
}
