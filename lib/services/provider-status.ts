import * as z from 'zod/mini';
import type { KeyPoolStore } from '../keys/key-pool-store.js';
import { DATA_TYPES } from '../model/data-types.js';
import { PROVIDER_IDS } from '../model/provider-ids.js';
import {
  type CircuitBreaker,
  type CircuitStatus,
  CircuitStatusSchema,
} from '../resilience/circuit-breaker.js';
import type { DataSources } from './market-data-service.js';

/** One provider as operators see it: what it serves, where it stands, its breaker and key pool size. */
export const ProviderStatusSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  /** Data types it serves on the operator's plan, with its 1-based place in each type's priority order. */
  serves: z.array(z.object({ dataType: z.enum(DATA_TYPES), priority: z.int().check(z.positive()) })),
  breaker: CircuitStatusSchema,
  keys: z.union([z.object({ inService: z.int(), spare: z.int() }), z.object({ error: z.string() })]),
});

export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;

/** Every known provider's status: one breaker read for all, one (cached) key-pool read each. */
export async function providerStatuses(deps: {
  breaker: CircuitBreaker;
  keyPools: KeyPoolStore;
  sources: DataSources;
}): Promise<ProviderStatus[]> {
  const breakers = new Map(
    (await deps.breaker.describeAll(PROVIDER_IDS)).map((status) => [status.name, status]),
  );
  return Promise.all(
    PROVIDER_IDS.map(async (provider) => ({
      provider,
      serves: DATA_TYPES.flatMap((dataType) => {
        const place = deps.sources[dataType].endpoints.findIndex(
          (endpoint) => endpoint.provider === provider,
        );
        return place < 0 ? [] : [{ dataType, priority: place + 1 }];
      }),
      breaker: breakers.get(provider) as CircuitStatus,
      keys: await deps.keyPools.pool(provider).then(
        (pool) => ({ inService: pool.keys.length, spare: pool.spare?.length ?? 0 }),
        // The error names the secret at most; a missing pool must not hide the other providers.
        (error: unknown) => ({ error: error instanceof Error ? error.name : 'unreadable' }),
      ),
    })),
  );
}
