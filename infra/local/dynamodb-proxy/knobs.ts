import { z } from 'zod';

/**
 * Knobs of the DynamoDB proxy: how far the stand-in departs from DynamoDB Local's kind, strongly
 * consistent, never-throttling behaviour towards what DynamoDB really does. The defaults are DynamoDB
 * Local as it is (no lag, no throttling, no lost replies).
 */

/** Operations on items (DynamoDB's data plane): the only ones throttled; table operations never are. */
export const DATA_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
] as const;

/** Operations that write; the only ones a lost reply (`dropAfterApplyShare`) applies to. */
export const WRITE_OPERATIONS = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
] as const;

export interface DynamoDbProxyKnobs {
  /**
   * How long a replica may lag, in ms of the proxy's clock: an eventually consistent GetItem, Query, Scan or
   * BatchGetItem (no `ConsistentRead: true`) answers the oldest answer the same read got within this
   * window (DynamoDB's worst case, made deterministic). 0 = always current. Default 0.
   */
  replicaLagMs: number;
  /** Share (0..1) of eligible calls (or batch keys) answered with DynamoDB's throttling error. Default 0. */
  throttleShare: number;
  /** Only calls on items of this partition key value (`pk`) are eligible for throttling; unset = every call. */
  throttlePartition?: string;
  /** Only these operations are eligible for throttling; empty = every item operation (`DATA_OPERATIONS`). Default []. */
  throttleOperations: (typeof DATA_OPERATIONS)[number][];
  /** Share (0..1) of eligible writes applied by DynamoDB Local whose reply is then lost (socket destroyed). Default 0. */
  dropAfterApplyShare: number;
  /** Only these write operations lose their reply; empty = every write operation. Default []. */
  dropAfterApplyOperations: (typeof WRITE_OPERATIONS)[number][];
  /** Real milliseconds waited before forwarding each data call. Default 0. */
  latencyMs: number;
  /** Seed of every share draw: the same seed and call sequence throttle and drop the same calls. Default 1. */
  seed: number;
}

/** A partial update; `throttlePartition: null` clears the partition filter. */
export type DynamoDbProxyKnobsPatch = Partial<Omit<DynamoDbProxyKnobs, 'throttlePartition'>> & {
  throttlePartition?: string | null;
};

const share = z.number().min(0).max(1);

// Strict: an unknown knob is a typo that must fail loudly, not be ignored.
const patchSchema = z
  .object({
    replicaLagMs: z.number().int().min(0).max(600_000),
    throttleShare: share,
    throttlePartition: z.string().min(1).nullable(),
    throttleOperations: z.array(z.enum(DATA_OPERATIONS)),
    dropAfterApplyShare: share,
    dropAfterApplyOperations: z.array(z.enum(WRITE_OPERATIONS)),
    latencyMs: z.number().int().min(0).max(600_000),
    seed: z.number().int(),
  })
  .partial()
  .strict();

export function defaultKnobs(): DynamoDbProxyKnobs {
  return {
    replicaLagMs: 0,
    throttleShare: 0,
    throttleOperations: [],
    dropAfterApplyShare: 0,
    dropAfterApplyOperations: [],
    latencyMs: 0,
    seed: 1,
  };
}

/** Validates an untrusted patch (an HTTP body, a test's options); the error lists every bad knob. */
export function parseKnobsPatch(
  input: unknown,
): { ok: true; patch: DynamoDbProxyKnobsPatch } | { ok: false; error: string } {
  const result = patchSchema.safeParse(input);
  if (result.success) return { ok: true, patch: result.data as DynamoDbProxyKnobsPatch };
  return { ok: false, error: z.prettifyError(result.error) };
}

/** New knobs with the patch applied (an undefined value leaves a knob as it was); the input is not modified. */
export function mergeKnobs(base: DynamoDbProxyKnobs, patch: DynamoDbProxyKnobsPatch): DynamoDbProxyKnobs {
  const { throttlePartition, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const merged: DynamoDbProxyKnobs = structuredClone({ ...base, ...defined });
  if (throttlePartition === null) delete merged.throttlePartition;
  else if (throttlePartition !== undefined) merged.throttlePartition = throttlePartition;
  return merged;
}

/**
 * The environment variables `npm start` reads for its proxy (unset or empty = default; a bad value
 * throws so that a typo stops the start):
 * - `DYNAMODB_REPLICA_LAG_MS` (default 1000, as the tests run);
 * - `DYNAMODB_THROTTLE_SHARE`, `DYNAMODB_THROTTLE_PARTITION`;
 * - `DYNAMODB_DROP_AFTER_APPLY_SHARE`;
 * - `DYNAMODB_LATENCY_MS`.
 * Everything else is set at run time through `POST /__proxy/knobs`.
 */
export function proxyKnobsFromEnv(env: NodeJS.ProcessEnv): DynamoDbProxyKnobsPatch {
  const number = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : Number(raw);
  };
  const candidate = {
    replicaLagMs: number('DYNAMODB_REPLICA_LAG_MS') ?? 1000,
    throttleShare: number('DYNAMODB_THROTTLE_SHARE'),
    throttlePartition: env.DYNAMODB_THROTTLE_PARTITION?.trim() || undefined,
    dropAfterApplyShare: number('DYNAMODB_DROP_AFTER_APPLY_SHARE'),
    latencyMs: number('DYNAMODB_LATENCY_MS'),
  };
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined));
  const parsed = parseKnobsPatch(defined);
  if (!parsed.ok) throw new Error(`Invalid DYNAMODB_* variables for the DynamoDB proxy:\n${parsed.error}`);
  return parsed.patch;
}
