import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDER_BASE_URLS, loadConfig, loadRotationConfig } from '../../lib/config.js';

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

  it('reaches the providers and their keys exactly as the data path does', () => {
    for (const env of [
      {},
      {
        KEY_POOL_SECRET_PREFIX: 'staging/keys/',
        FINNHUB_BASE_URL: 'http://127.0.0.1:9/finnhub',
        PROVIDER_TIMEOUT_SECONDS: '2.5',
      },
    ]) {
      const data = loadConfig({ ...env, DATA_TABLE_NAME: 'data' });
      expect(loadRotationConfig(env)).toMatchObject({
        secretPrefix: data.keyPoolSecretPrefix,
        providerBaseUrls: data.providerBaseUrls,
        providerTimeoutMs: data.providerTimeoutMs,
      });
    }
    expect(() => loadRotationConfig({ PROVIDER_TIMEOUT_SECONDS: '0' })).toThrow(/PROVIDER_TIMEOUT_SECONDS/);
  });
});

describe('loadConfig: the memory cache per container', () => {
  it('defaults to 10 000 entries and 64 MiB, reads both, and turns it off with 0 entries', () => {
    expect(loadConfig({ DATA_TABLE_NAME: 'data' }).memoryCache).toEqual({
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(
      loadConfig({ DATA_TABLE_NAME: 'data', CACHE_MEMORY_MAX_ENTRIES: '0', CACHE_MEMORY_MAX_MB: '16' })
        .memoryCache,
    ).toEqual({ maxEntries: 0, maxBytes: 16 * 1024 * 1024 });
    expect(() =>
      loadConfig({ DATA_TABLE_NAME: 'data', CACHE_MEMORY_MAX_ENTRIES: '1.5', CACHE_MEMORY_MAX_MB: '0' }),
    ).toThrow(/CACHE_MEMORY_MAX_ENTRIES.*CACHE_MEMORY_MAX_MB/);
  });
});

describe('loadConfig: the circuit breakers', () => {
  it('are on unless CIRCUIT_BREAKER_ENABLED turns them off', () => {
    expect(loadConfig({ DATA_TABLE_NAME: 'data' }).breaker.enabled).toBe(true);
    expect(loadConfig({ DATA_TABLE_NAME: 'data', CIRCUIT_BREAKER_ENABLED: 'false' }).breaker.enabled).toBe(
      false,
    );
    expect(loadConfig({ DATA_TABLE_NAME: 'data', CIRCUIT_BREAKER_ENABLED: 'TRUE' }).breaker.enabled).toBe(
      true,
    );
    expect(() => loadConfig({ DATA_TABLE_NAME: 'data', CIRCUIT_BREAKER_ENABLED: 'off' })).toThrow(
      /CIRCUIT_BREAKER_ENABLED/,
    );
  });
});
