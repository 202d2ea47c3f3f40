import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { KeyPoolStore } from '../keys/key-pool-store.js';
import { PROVIDER_IDS } from '../model/provider-ids.js';
import type { BreakerOperator } from '../resilience/breaker-operator.js';
import { BREAKER_STATES } from '../resilience/breaker-state.js';
import { type DependencyGuard, DependencyGuardStatusSchema } from '../resilience/dependency-guard.js';
import { toAttributes } from '../storage/item-attributes.js';
import { DATA_TABLE } from '../storage/table-definition.js';

/** One dependency's check: whether it answered, how long it took, and why not (an error's name only). */
const CheckSchema = z.object({
  ok: z.boolean(),
  ms: z.number().check(z.nonnegative()),
  detail: z.optional(z.string()),
});

type Check = z.infer<typeof CheckSchema>;

/** A dependency's check, with this container's guard: whether it is skipping the dependency, until when. */
const DependencyCheckSchema = z.extend(CheckSchema, { guard: DependencyGuardStatusSchema });
type DependencyCheck = z.infer<typeof DependencyCheckSchema>;

/**
 * The layer's deep health: the table answers, the key pools read, whether this container is backing
 * off from either, and which providers can be called.
 */
export const HealthReportSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  checks: z.object({
    dynamodb: DependencyCheckSchema,
    secrets: DependencyCheckSchema,
    providers: z.array(
      z.object({
        provider: z.enum(PROVIDER_IDS),
        /** The breaker's state, `UNKNOWN` when the breakers could not be read. */
        breaker: z.enum([...BREAKER_STATES, 'UNKNOWN']),
        keys: z.int().check(z.nonnegative()),
      }),
    ),
  }),
});

export type HealthReport = z.infer<typeof HealthReportSchema>;

export interface HealthDeps {
  dynamodb: DynamoDBClient;
  tableName: string;
  keyPools: KeyPoolStore;
  breakers: Pick<BreakerOperator, 'describeAll'>;
  guards: { dynamodb: DependencyGuard; secretsManager: DependencyGuard };
}

/**
 * `down` when nothing could be served from a provider (no usable provider: every breaker open or no
 * key anywhere); `degraded` when the table or a key pool cannot be read (requests still go to the
 * providers, uncached), this container is backing off from either, or some provider is unusable;
 * else `ok`. The checks' own calls go through the guards: bounded, and skipped during a back-off.
 */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const [table, pools, breakers] = await Promise.all([
    timed(() => deps.dynamodb.send(new GetItemCommand({ TableName: deps.tableName, Key: healthKey }))),
    Promise.all(
      PROVIDER_IDS.map((provider) =>
        deps.keyPools.pool(provider).then(
          (pool) => pool.keys.length,
          () => -1,
        ),
      ),
    ),
    deps.breakers.describeAll(PROVIDER_IDS).catch(() => null),
  ]);
  // A pool served from the last good read (Secrets Manager failing) is not a healthy read.
  const stale = PROVIDER_IDS.filter((provider) => deps.keyPools.refreshFailing(provider));
  const secrets: DependencyCheck = {
    ok: pools.every((size) => size >= 0) && stale.length === 0,
    ms: 0,
    guard: deps.guards.secretsManager.status(),
  };
  const unreadable = PROVIDER_IDS.filter((_, i) => (pools[i] ?? -1) < 0);
  const problems = [
    ...(unreadable.length > 0 ? [`key pool not readable: ${unreadable.join(', ')}`] : []),
    ...(stale.length > 0 ? [`serving the last key pool read: ${stale.join(', ')}`] : []),
  ];
  if (problems.length > 0) secrets.detail = problems.join('; ');
  const dynamodb = { ...table, guard: deps.guards.dynamodb.status() };
  const backingOff = [dynamodb, secrets].some((check) => check.guard.state !== 'healthy');
  const providers = PROVIDER_IDS.map((provider, i) => ({
    provider,
    breaker: breakers?.find((b) => b.name === provider)?.state ?? ('UNKNOWN' as const),
    keys: Math.max(0, pools[i] ?? 0),
  }));
  const usable = providers.filter((p) => p.keys > 0 && p.breaker !== 'OPEN');
  const status =
    usable.length === 0
      ? 'down'
      : dynamodb.ok &&
          secrets.ok &&
          !backingOff &&
          usable.length === providers.filter((p) => p.keys > 0).length
        ? 'ok'
        : 'degraded';
  return { status, checks: { dynamodb, secrets, providers } };
}

const healthKey = toAttributes({ [DATA_TABLE.partitionKey]: 'health', [DATA_TABLE.sortKey]: 'probe' });

async function timed(run: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  try {
    await run();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    // The error's name only: messages can carry endpoints or request ids, never useful to a caller.
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      detail: error instanceof Error ? error.name : 'unknown',
    };
  }
}
