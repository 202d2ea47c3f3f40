import * as z from 'zod/mini';
import type { KeyPoolStore } from '../keys/key-pool-store.js';
import { DATA_TYPES } from '../model/data-types.js';
import { PROVIDER_IDS, type ProviderId } from '../model/provider-ids.js';
import type { BreakerOperator } from '../resilience/breaker-operator.js';
import { type CircuitStatus, CircuitStatusSchema } from '../resilience/breaker-status.js';
import { type Agreement, type AgreementTally, DisagreementSchema } from './agreement-tally.js';
import type { DataSources } from './market-data-service.js';

/** One provider as operators see it: what it serves, where it stands, its breaker and key pool size. */
export const ProviderStatusSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  /** Data types it serves on the operator's plan, with its 1-based place in each type's priority order. */
  serves: z.array(z.object({ dataType: z.enum(DATA_TYPES), priority: z.int().check(z.positive()) })),
  breaker: CircuitStatusSchema,
  keys: z.union([z.object({ inService: z.int(), spare: z.int() }), z.object({ error: z.string() })]),
  /**
   * Measured agreement with the other providers, per data type compared (quotes, daily history),
   * fleet-wide since the tally began: values compared with another provider's for the same symbol and
   * day, how many agreed within the tolerance, their share (`null` before the first comparison), and
   * the latest disagreement. The seed's "confidence", measured instead of claimed. `{ error }` when
   * the tally cannot be read.
   */
  agreement: z.union([
    z.array(
      z.object({
        dataType: z.enum(DATA_TYPES),
        compared: z
          .int()
          .check(
            z.nonnegative(),
            z.describe("Comparisons of this provider's values with another provider's (a count)."),
          ),
        agreed: z
          .int()
          .check(z.nonnegative(), z.describe('Comparisons within ACCURACY_TOLERANCE (a count).')),
        share: z
          .nullable(z.number().check(z.gte(0), z.lte(1)))
          .check(
            z.describe('agreed / compared as a fraction (0.97 is 97 %); null before the first comparison.'),
          ),
        lastDisagreement: z
          .nullable(DisagreementSchema)
          .check(z.describe('The latest comparison beyond the tolerance; null when none.')),
      }),
    ),
    z.object({ error: z.string() }),
  ]),
});

export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;

/** What the status reads. */
export interface ProviderStatusDeps {
  breakers: Pick<BreakerOperator, 'describeAll'>;
  keyPools: KeyPoolStore;
  sources: DataSources;
  agreement: Pick<AgreementTally, 'readAll'>;
}

/**
 * Every known provider's status: one breaker read for all, one (cached) key-pool read each, one
 * Query of the agreement tally for all.
 */
export async function providerStatuses(deps: ProviderStatusDeps): Promise<ProviderStatus[]> {
  const [described, tallies] = await Promise.all([
    deps.breakers.describeAll(PROVIDER_IDS),
    deps.agreement.readAll().then(
      (all) => all,
      // A tally that cannot be read must not hide the providers' breakers and keys.
      (error: unknown) => ({ error: error instanceof Error ? error.name : 'unreadable' }),
    ),
  ]);
  const breakers = new Map(described.map((status) => [status.name, status]));
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
      agreement: Array.isArray(tallies) ? agreementOf(provider, tallies) : tallies,
    })),
  );
}

/** A provider's tallies, in the data types' order, with the share that agreed. */
function agreementOf(provider: ProviderId, tallies: readonly Agreement[]) {
  return tallies
    .filter((tally) => tally.provider === provider)
    .sort((a, b) => DATA_TYPES.indexOf(a.dataType) - DATA_TYPES.indexOf(b.dataType))
    .map(({ dataType, compared, agreed, lastDisagreement }) => ({
      dataType,
      compared,
      agreed,
      share: compared === 0 ? null : agreed / compared,
      lastDisagreement,
    }));
}
