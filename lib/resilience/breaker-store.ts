import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { fromAttributes, toAttributes } from '../storage/item-attributes.js';
import { type ItemUpdate, updateExpressions } from '../storage/item-update.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import { withRun } from './breaker-run.js';
import {
  type BreakerOverride,
  type BreakerRecord,
  type BreakerState,
  closedRecord,
} from './breaker-state.js';
import type { CountPlan } from './breaker-tally.js';

/** Every breaker lives in this one partition (`sk` = circuit name), so one Query reads them all. */
export const BREAKER_PARTITION = 'breaker';
const PARTITION = BREAKER_PARTITION;

/**
 * A conditional write's result. The loser learns the item as it stood when its condition failed
 * (`ReturnValuesOnConditionCheckFailure`), so it can update its view without another read.
 */
export type WriteOutcome = { won: true; record: BreakerRecord } | { won: false; current: BreakerRecord };

/**
 * The guard of a transition into OPEN: from CLOSED on a version (and, when a run opens it, with the
 * failure that completed the run still at its place: the run was not refuted meanwhile), or from
 * HALF_OPEN by the probe's owner.
 */
export type OpenFrom =
  | { state: 'CLOSED'; version: number; run?: { index: number; failedAt: number } }
  | { state: 'HALF_OPEN'; version: number; probeOwner: string };

/** A probe's claim on HALF_OPEN. */
export interface ProbeLease {
  now: number;
  probeId: string;
  leaseUntil: number;
}

/** An update's values by placeholder, as plain values. */
type Values = Record<string, ItemUpdate['values'][string]>;

/**
 * How many of the latest writes' tokens the item keeps. A write the SDK retries after its reply was
 * lost finds its own token among them, as long as fewer other writes landed in between: the SDK
 * retries within seconds, and the breaker writes a few times per failure, not per request.
 */
const WRITE_TOKEN_SLOTS = 4;
const TOKEN_ATTRIBUTES = Array.from({ length: WRITE_TOKEN_SLOTS }, (_, i) => `writeToken${i + 1}`);
/** Each write's token goes into the first slot and shifts the others along (all read before the update). */
const TOKEN_SET = TOKEN_ATTRIBUTES.map((name, i) =>
  i === 0 ? `#${name} = :token` : `#${name} = if_not_exists(#${TOKEN_ATTRIBUTES[i - 1]}, :noToken)`,
);
/** True when the item shows this write's token: this write was applied already. */
const TOKEN_SEEN = TOKEN_ATTRIBUTES.map((name) => `#${name} = :token`).join(' OR ');

/** What closing sets and removes: every count back to zero, escalation forgotten, no probe, not forced. */
const CLOSE = {
  set: [
    '#state = :closed',
    '#version = :next',
    '#windowCalls = :zero',
    '#windowFailures = :zero',
    '#windowSlowCalls = :zero',
    '#openCount = :zero',
    '#halfOpenSuccesses = :zero',
    '#forcedOpen = :false',
    '#updatedAt = :now',
  ],
  remove: ['#windowStart', '#runFailures', '#openedAt', '#openUntil', '#probeOwner', '#probeLeaseUntil'],
  names: [
    'state',
    'version',
    'windowCalls',
    'windowFailures',
    'windowSlowCalls',
    'openCount',
    'halfOpenSuccesses',
    'forcedOpen',
    'updatedAt',
    'windowStart',
    'runFailures',
    'openedAt',
    'openUntil',
    'probeOwner',
    'probeLeaseUntil',
  ],
  values: { ':closed': 'CLOSED', ':zero': 0, ':false': false },
} satisfies Omit<ItemUpdate, 'condition'>;

/**
 * The breakers' shared state in the data table: reads of the whole `breaker` partition and the
 * conditional writes that move one breaker. Every write is an `UpdateItem` with a condition, so of
 * concurrent writers racing one transition exactly one wins; a lost race is a `won: false` outcome,
 * never an error. DynamoDB faults are thrown: failing open is the policy's decision, not the store's.
 *
 * Every write is idempotent: DynamoDB may apply a write whose reply is then lost, and the SDK sends
 * it again. Each write carries a token into the item and is conditional on not finding it there, so
 * the second attempt neither adds its counts twice nor fails as a lost race: its condition fails
 * with the item (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`) showing its own token, which is
 * the success it is (Powertools Idempotency recognizes its own records the same way).
 */
export class BreakerStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Every stored breaker, by circuit name, in one strongly consistent Query. */
  async readAll(): Promise<Map<string, BreakerRecord>> {
    const records = new Map<string, BreakerRecord>();
    const items = queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey },
      ExpressionAttributeValues: toAttributes({ ':pk': PARTITION }),
      // Decisions right after a transition should see it; a strong read costs one RCU per 4 KB.
      ConsistentRead: true,
    });
    for await (const item of items) {
      const circuit = fromAttributes(BreakerKeySchema, item)?.[DATA_TABLE.sortKey];
      if (circuit !== undefined) records.set(circuit, toRecord(circuit, item));
    }
    return records;
  }

  /** One breaker, strongly consistent; a missing item is a closed breaker. */
  async read(circuit: string): Promise<BreakerRecord> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(circuit), ConsistentRead: true }),
    );
    return toRecord(circuit, Item);
  }

  /**
   * Adds a permit's calls to a closed breaker's counts, in one `UpdateItem`. DynamoDB has no if/else
   * inside one update, so the plan says which facts about the stored record it assumed (the window
   * it adds to, or that the stored window has lapsed; the run it replaces) and
   * the write is conditional on them: of containers racing to restart a lapsed window exactly one
   * does, and every count lands exactly once. A plan whose facts no longer hold loses with the item
   * as it stands, to replan from. `won: false` with a state other than CLOSED means the breaker has
   * moved on (nothing was counted).
   */
  async count(circuit: string, plan: CountPlan): Promise<WriteOutcome> {
    const set = [
      '#state = if_not_exists(#state, :closed)',
      '#version = if_not_exists(#version, :zero)',
      '#updatedAt = :now',
    ];
    const add: string[] = [];
    const remove: string[] = [];
    const conditions = ['(attribute_not_exists(#state) OR #state = :closed)'];
    const names = ['state', 'version', 'updatedAt'];
    const values: Values = { ':closed': 'CLOSED', ':zero': 0, ':now': plan.now };
    const windowNames = ['windowStart', 'windowCalls', 'windowFailures', 'windowSlowCalls'];
    const windowCounts = { ':calls': plan.calls, ':failures': plan.failures, ':slowCalls': plan.slowCalls };
    if (plan.window.kind === 'add') {
      add.push('#windowCalls :calls', '#windowFailures :failures', '#windowSlowCalls :slowCalls');
      conditions.push('#windowStart = :windowStart');
      names.push(...windowNames);
      Object.assign(values, windowCounts, { ':windowStart': plan.window.start });
    } else if (plan.window.kind === 'restart') {
      set.push(
        '#windowStart = :now',
        '#windowCalls = :calls',
        '#windowFailures = :failures',
        '#windowSlowCalls = :slowCalls',
      );
      conditions.push('(attribute_not_exists(#windowStart) OR #windowStart <= :lapsedAt)');
      names.push(...windowNames);
      Object.assign(values, windowCounts, { ':lapsedAt': plan.window.lapsedAt });
    }
    if (plan.run.kind === 'replace') {
      if (plan.run.next.length > 0) {
        set.push('#runFailures = :run');
        values[':run'] = plan.run.next;
      } else remove.push('#runFailures');
      conditions.push('#runFailures = :seenRun');
      names.push('runFailures');
      values[':seenRun'] = plan.run.seen;
    } else if (plan.run.failures.length > 0) {
      set.push('#runFailures = list_append(if_not_exists(#runFailures, :emptyList), :run)');
      names.push('runFailures');
      Object.assign(values, { ':emptyList': [], ':run': plan.run.failures });
    }
    return this.#update(circuit, { set, add, remove, condition: conditions.join(' AND '), names, values });
  }

  /** CLOSED→OPEN (thresholds crossed) or HALF_OPEN→OPEN (the probe failed), until `openUntil`. */
  async open(
    circuit: string,
    from: OpenFrom,
    to: { now: number; openUntil: number; openCount: number },
  ): Promise<WriteOutcome> {
    const run = from.state === 'CLOSED' ? from.run : undefined;
    const guard =
      from.state === 'CLOSED'
        ? `${versionIs(from.version)} AND #state = :closed` +
          (run ? ` AND #runFailures[${run.index}] = :runFailedAt` : '')
        : `${versionIs(from.version)} AND #state = :halfOpen AND #probeOwner = :probeOwner`;
    return this.#update(circuit, {
      set: [
        '#state = :open',
        '#version = :next',
        '#openedAt = :now',
        '#openUntil = :openUntil',
        '#openCount = :openCount',
        '#halfOpenSuccesses = :zero',
        '#forcedOpen = :false',
        '#updatedAt = :now',
      ],
      remove: ['#probeOwner', '#probeLeaseUntil'],
      condition: guard,
      names: [
        'state',
        'version',
        'openedAt',
        'openUntil',
        'openCount',
        'halfOpenSuccesses',
        'forcedOpen',
        'updatedAt',
        'probeOwner',
        'probeLeaseUntil',
        ...(run ? ['runFailures'] : []),
      ],
      values: {
        ...versionValues(from.version),
        ':open': 'OPEN',
        ':now': to.now,
        ':openUntil': to.openUntil,
        ':openCount': to.openCount,
        ':zero': 0,
        ':false': false,
        ...(from.state === 'HALF_OPEN'
          ? { ':halfOpen': 'HALF_OPEN', ':probeOwner': from.probeOwner }
          : { ':closed': 'CLOSED' }),
        ...(run ? { ':runFailedAt': run.failedAt } : {}),
      },
    });
  }

  /** OPEN→HALF_OPEN once `openUntil` has passed; the winner holds the probe lease. Never when forced open. */
  async beginHalfOpen(from: BreakerRecord, lease: ProbeLease): Promise<WriteOutcome> {
    return this.#update(from.circuit, {
      set: [
        '#state = :halfOpen',
        '#version = :next',
        '#probeOwner = :probeId',
        '#probeLeaseUntil = :leaseUntil',
        '#halfOpenSuccesses = :zero',
        '#updatedAt = :now',
      ],
      condition:
        `${versionIs(from.version)} AND #state = :open ` +
        'AND (attribute_not_exists(#openUntil) OR #openUntil <= :now) ' +
        'AND (attribute_not_exists(#forcedOpen) OR #forcedOpen = :false)',
      names: [
        'state',
        'version',
        'probeOwner',
        'probeLeaseUntil',
        'halfOpenSuccesses',
        'updatedAt',
        'openUntil',
        'forcedOpen',
      ],
      values: {
        ...versionValues(from.version),
        ...leaseValues(lease),
        ':halfOpen': 'HALF_OPEN',
        ':open': 'OPEN',
        ':zero': 0,
        ':false': false,
      },
    });
  }

  /**
   * Takes HALF_OPEN's probe lease when it is free (the last probe succeeded) or expired (its holder
   * crashed or hung). Not a transition: the version stays. The condition names the owner that was
   * read, a compare-and-swap, so even containers whose clocks disagree cannot both take it.
   */
  async takeProbeLease(from: BreakerRecord, lease: ProbeLease): Promise<WriteOutcome> {
    const owner =
      from.probeOwner === undefined ? 'attribute_not_exists(#probeOwner)' : '#probeOwner = :previousOwner';
    return this.#update(from.circuit, {
      set: ['#probeOwner = :probeId', '#probeLeaseUntil = :leaseUntil', '#updatedAt = :now'],
      condition:
        `${versionIs(from.version)} AND #state = :halfOpen AND ${owner} ` +
        'AND (attribute_not_exists(#probeLeaseUntil) OR #probeLeaseUntil <= :now)',
      names: ['probeOwner', 'probeLeaseUntil', 'updatedAt', 'version', 'state'],
      values: {
        ':version': from.version,
        ':halfOpen': 'HALF_OPEN',
        ...leaseValues(lease),
        ...(from.probeOwner === undefined ? {} : { ':previousOwner': from.probeOwner }),
      },
    });
  }

  /** A probe succeeded: one more success, and the lease is released for the next probe. Only its owner may. */
  async countProbeSuccess(circuit: string, probeId: string, now: number): Promise<WriteOutcome> {
    return this.#update(circuit, {
      set: ['#updatedAt = :now'],
      add: ['#halfOpenSuccesses :one'],
      remove: ['#probeOwner', '#probeLeaseUntil'],
      condition: '#state = :halfOpen AND #probeOwner = :probeId',
      names: ['updatedAt', 'halfOpenSuccesses', 'probeOwner', 'probeLeaseUntil', 'state'],
      values: { ':probeId': probeId, ':now': now, ':one': 1, ':halfOpen': 'HALF_OPEN' },
    });
  }

  /** HALF_OPEN→CLOSED after enough probe successes. */
  async close(from: BreakerRecord, now: number): Promise<WriteOutcome> {
    return this.#update(from.circuit, {
      ...CLOSE,
      condition: `${versionIs(from.version)} AND #state = :halfOpen`,
      values: { ...CLOSE.values, ...versionValues(from.version), ':now': now, ':halfOpen': 'HALF_OPEN' },
    });
  }

  /**
   * An operator's reset (to CLOSED, counts cleared) or force-open (OPEN with no probe time, so no
   * automatic probe), on the version read, recorded in `lastOverride`.
   */
  async override(from: BreakerRecord, override: BreakerOverride): Promise<WriteOutcome> {
    const recorded = {
      condition: versionIs(from.version),
      values: {
        ...versionValues(from.version),
        ':now': override.at,
        ':override': { action: override.action, actor: override.actor, at: override.at },
      },
    };
    if (override.action === 'reset') {
      return this.#update(from.circuit, {
        ...CLOSE,
        set: [...CLOSE.set, '#lastOverride = :override'],
        names: [...CLOSE.names, 'lastOverride'],
        condition: recorded.condition,
        values: { ...CLOSE.values, ...recorded.values },
      });
    }
    return this.#update(from.circuit, {
      set: [
        '#state = :open',
        '#version = :next',
        '#forcedOpen = :true',
        '#openedAt = :now',
        '#halfOpenSuccesses = :zero',
        '#lastOverride = :override',
        '#updatedAt = :now',
      ],
      remove: ['#openUntil', '#probeOwner', '#probeLeaseUntil'],
      condition: recorded.condition,
      names: [
        'state',
        'version',
        'forcedOpen',
        'openedAt',
        'halfOpenSuccesses',
        'lastOverride',
        'updatedAt',
        'openUntil',
        'probeOwner',
        'probeLeaseUntil',
      ],
      values: { ...recorded.values, ':open': 'OPEN', ':true': true, ':zero': 0 },
    });
  }

  /**
   * One conditional `UpdateItem`, stamped with a fresh token (every write has a SET clause, at least
   * `#updatedAt`, which the token joins) and conditional on not finding it already there.
   */
  async #update(
    circuit: string,
    write: ItemUpdate & { set: readonly string[]; condition: string },
  ): Promise<WriteOutcome> {
    const token = randomUUID();
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(circuit),
          ...updateExpressions({
            ...write,
            set: [...TOKEN_SET, ...write.set],
            // No write's condition has a top-level OR (each is parenthesized), so AND binds as meant here.
            condition: `${write.condition} AND NOT (${TOKEN_SEEN})`,
            names: [...write.names, ...TOKEN_ATTRIBUTES],
            values: { ...write.values, ':token': token, ':noToken': '' },
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true, record: toRecord(circuit, Attributes) } satisfies WriteOutcome;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = toRecord(circuit, error.Item);
        const tokens = fromAttributes(WriteTokensSchema, error.Item) ?? {};
        // Our own token: an earlier attempt of this very write was applied and its reply lost.
        const ours = Object.values(tokens).includes(token);
        return ours
          ? ({ won: true, record: current } satisfies WriteOutcome)
          : ({ won: false, current } satisfies WriteOutcome);
      }
      throw error;
    }
  }
}

/** The condition that the item is still at `version`; an item not yet versioned counts as version 0. */
function versionIs(version: number): string {
  return version === 0 ? '(attribute_not_exists(#version) OR #version = :version)' : '#version = :version';
}

function versionValues(version: number): Values {
  return { ':version': version, ':next': version + 1 };
}

function leaseValues(lease: ProbeLease): Values {
  return { ':now': lease.now, ':probeId': lease.probeId, ':leaseUntil': lease.leaseUntil };
}

function keyOf(circuit: string) {
  return toAttributes({ [DATA_TABLE.partitionKey]: PARTITION, [DATA_TABLE.sortKey]: circuit });
}

const STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const satisfies readonly BreakerState[];

/** A stored number, absent (or unreadable) as `undefined`. */
const optionalNumber = z.catch(z.optional(z.number()), undefined);
/** A stored count, absent (or unreadable) as 0. */
const count = z.catch(z.number(), 0);

/**
 * A breaker as stored. Each field is read on its own: an unreadable one takes the closed breaker's
 * value (an unknown state is CLOSED), so a damaged field never hides the rest of the record.
 */
const StoredBreakerSchema = z.object({
  state: z.catch(z.enum(STATES), 'CLOSED'),
  version: count,
  runFailures: z.catch(z.array(z.number()), []),
  windowStart: optionalNumber,
  windowCalls: count,
  windowFailures: count,
  windowSlowCalls: count,
  openedAt: optionalNumber,
  openUntil: optionalNumber,
  openCount: count,
  probeOwner: z.catch(z.optional(z.string()), undefined),
  probeLeaseUntil: optionalNumber,
  halfOpenSuccesses: count,
  forcedOpen: z.catch(z.boolean(), false),
  lastOverride: z.catch(
    z.optional(
      z.object({
        action: z.catch(z.enum(['reset', 'force-open']), 'reset'),
        actor: z.catch(z.string(), ''),
        at: z.catch(z.number(), 0),
      }),
    ),
    undefined,
  ),
  updatedAt: optionalNumber,
});

/** A breaker's circuit name: its sort key. */
const BreakerKeySchema = z.object({ [DATA_TABLE.sortKey]: z.string() });

/** The tokens of the latest writes an item holds, by slot. */
const WriteTokensSchema = z.object(
  Object.fromEntries(TOKEN_ATTRIBUTES.map((name) => [name, z.catch(z.optional(z.string()), undefined)])),
);

/** A stored item as a record; no item (or one that cannot be read) is a closed breaker. */
function toRecord(circuit: string, item: Parameters<typeof fromAttributes>[1]): BreakerRecord {
  const stored = fromAttributes(StoredBreakerSchema, item);
  if (!stored) return closedRecord(circuit);
  const { runFailures } = stored;
  return withRun(
    {
      circuit,
      state: stored.state,
      version: stored.version,
      runFailures,
      consecutiveFailures: runFailures.length,
      windowStart: stored.windowStart,
      windowCalls: stored.windowCalls,
      windowFailures: stored.windowFailures,
      windowSlowCalls: stored.windowSlowCalls,
      openedAt: stored.openedAt,
      openUntil: stored.openUntil,
      openCount: stored.openCount,
      probeOwner: stored.probeOwner,
      probeLeaseUntil: stored.probeLeaseUntil,
      halfOpenSuccesses: stored.halfOpenSuccesses,
      forcedOpen: stored.forcedOpen,
      lastOverride: stored.lastOverride,
      updatedAt: stored.updatedAt,
    },
    runFailures,
  );
}
