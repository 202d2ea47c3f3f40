import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
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

type Values = Record<string, AttributeValue>;

const num = (value: number): AttributeValue => ({ N: String(value) });
const mapValues = (numbers: Record<string, number>): Values =>
  Object.fromEntries(Object.entries(numbers).map(([name, value]) => [name, num(value)]));
const str = (value: string): AttributeValue => ({ S: value });
const numList = (values: readonly number[]): AttributeValue => ({ L: values.map(num) });

/**
 * How many of the latest writes' tokens the item keeps. A write the SDK retries after its reply was
 * lost finds its own token among them, as long as fewer other writes landed in between: the SDK
 * retries within seconds, and the breaker writes a few times per failure, not per request.
 */
const WRITE_TOKEN_SLOTS = 4;
const TOKEN_NAMES = Array.from({ length: WRITE_TOKEN_SLOTS }, (_, i) => `#writeToken${i + 1}`);
/** Each write's token goes into the first slot and shifts the others along (all read before the update). */
const TOKEN_SET = TOKEN_NAMES.map((name, i) =>
  i === 0 ? `${name} = :token` : `${name} = if_not_exists(${TOKEN_NAMES[i - 1]}, :noToken)`,
).join(', ');
/** True when the item shows this write's token: this write was applied already. */
const TOKEN_SEEN = TOKEN_NAMES.map((name) => `${name} = :token`).join(' OR ');

/** Values shared by many expressions; each write sends only those its expressions use. */
const SHARED_VALUES: Values = {
  ':closed': str('CLOSED'),
  ':open': str('OPEN'),
  ':halfOpen': str('HALF_OPEN'),
  ':zero': num(0),
  ':one': num(1),
  ':false': { BOOL: false },
  ':true': { BOOL: true },
  ':emptyList': { L: [] },
  ':noToken': str(''),
};

/** What closing sets and removes: every count back to zero, escalation forgotten, no probe, not forced. */
const CLOSE_SET =
  '#state = :closed, #version = :next, #windowCalls = :zero, ' +
  '#windowFailures = :zero, #windowSlowCalls = :zero, #openCount = :zero, #halfOpenSuccesses = :zero, ' +
  '#forcedOpen = :false, #updatedAt = :now';
const CLOSE_REMOVE = '#windowStart, #runFailures, #openedAt, #openUntil, #probeOwner, #probeLeaseUntil';

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
      ExpressionAttributeValues: { ':pk': str(PARTITION) },
      // Decisions right after a transition should see it; a strong read costs one RCU per 4 KB.
      ConsistentRead: true,
    });
    for await (const item of items) {
      const circuit = item[DATA_TABLE.sortKey]?.S;
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
    const values: Values = { ':now': num(plan.now) };
    const windowCounts = { ':calls': plan.calls, ':failures': plan.failures, ':slowCalls': plan.slowCalls };
    if (plan.window.kind !== 'none') Object.assign(values, mapValues(windowCounts));
    if (plan.window.kind === 'add') {
      add.push('#windowCalls :calls', '#windowFailures :failures', '#windowSlowCalls :slowCalls');
      conditions.push('#windowStart = :windowStart');
      values[':windowStart'] = num(plan.window.start);
    } else if (plan.window.kind === 'restart') {
      set.push(
        '#windowStart = :now',
        '#windowCalls = :calls',
        '#windowFailures = :failures',
        '#windowSlowCalls = :slowCalls',
      );
      conditions.push('(attribute_not_exists(#windowStart) OR #windowStart <= :lapsedAt)');
      values[':lapsedAt'] = num(plan.window.lapsedAt);
    }
    if (plan.run.kind === 'replace') {
      if (plan.run.next.length > 0) set.push('#runFailures = :run');
      else remove.push('#runFailures');
      conditions.push('#runFailures = :seenRun');
      values[':run'] = numList(plan.run.next);
      values[':seenRun'] = numList(plan.run.seen);
    } else if (plan.run.failures.length > 0) {
      set.push('#runFailures = list_append(if_not_exists(#runFailures, :emptyList), :run)');
      values[':run'] = numList(plan.run.failures);
    }
    const update = [
      `SET ${set.join(', ')}`,
      add.length > 0 ? `ADD ${add.join(', ')}` : '',
      remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
    ];
    return this.#update(circuit, {
      update: update.filter((part) => part !== '').join(' '),
      condition: conditions.join(' AND '),
      values,
    });
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
      update:
        'SET #state = :open, #version = :next, #openedAt = :now, #openUntil = :openUntil, ' +
        '#openCount = :openCount, #halfOpenSuccesses = :zero, #forcedOpen = :false, #updatedAt = :now ' +
        'REMOVE #probeOwner, #probeLeaseUntil',
      condition: guard,
      values: {
        ':version': num(from.version),
        ':next': num(from.version + 1),
        ':now': num(to.now),
        ':openUntil': num(to.openUntil),
        ':openCount': num(to.openCount),
        ...(from.state === 'HALF_OPEN' ? { ':probeOwner': str(from.probeOwner) } : {}),
        ...(run ? { ':runFailedAt': num(run.failedAt) } : {}),
      },
    });
  }

  /** OPEN→HALF_OPEN once `openUntil` has passed; the winner holds the probe lease. Never when forced open. */
  async beginHalfOpen(from: BreakerRecord, lease: ProbeLease): Promise<WriteOutcome> {
    return this.#update(from.circuit, {
      update:
        'SET #state = :halfOpen, #version = :next, #probeOwner = :probeId, ' +
        '#probeLeaseUntil = :leaseUntil, #halfOpenSuccesses = :zero, #updatedAt = :now',
      condition:
        `${versionIs(from.version)} AND #state = :open ` +
        'AND (attribute_not_exists(#openUntil) OR #openUntil <= :now) ' +
        'AND (attribute_not_exists(#forcedOpen) OR #forcedOpen = :false)',
      values: { ...versionValues(from.version), ...leaseValues(lease) },
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
      update: 'SET #probeOwner = :probeId, #probeLeaseUntil = :leaseUntil, #updatedAt = :now',
      condition:
        `${versionIs(from.version)} AND #state = :halfOpen AND ${owner} ` +
        'AND (attribute_not_exists(#probeLeaseUntil) OR #probeLeaseUntil <= :now)',
      values: {
        ':version': num(from.version),
        ...leaseValues(lease),
        ...(from.probeOwner === undefined ? {} : { ':previousOwner': str(from.probeOwner) }),
      },
    });
  }

  /** A probe succeeded: one more success, and the lease is released for the next probe. Only its owner may. */
  async countProbeSuccess(circuit: string, probeId: string, now: number): Promise<WriteOutcome> {
    return this.#update(circuit, {
      update: 'ADD #halfOpenSuccesses :one SET #updatedAt = :now REMOVE #probeOwner, #probeLeaseUntil',
      condition: '#state = :halfOpen AND #probeOwner = :probeId',
      values: { ':probeId': str(probeId), ':now': num(now) },
    });
  }

  /** HALF_OPEN→CLOSED after enough probe successes. */
  async close(from: BreakerRecord, now: number): Promise<WriteOutcome> {
    return this.#update(from.circuit, {
      update: `SET ${CLOSE_SET} REMOVE ${CLOSE_REMOVE}`,
      condition: `${versionIs(from.version)} AND #state = :halfOpen`,
      values: { ...versionValues(from.version), ':now': num(now) },
    });
  }

  /**
   * An operator's reset (to CLOSED, counts cleared) or force-open (OPEN with no probe time, so no
   * automatic probe), on the version read, recorded in `lastOverride`.
   */
  async override(from: BreakerRecord, override: BreakerOverride): Promise<WriteOutcome> {
    const update =
      override.action === 'reset'
        ? `SET ${CLOSE_SET}, #lastOverride = :override REMOVE ${CLOSE_REMOVE}`
        : 'SET #state = :open, #version = :next, #forcedOpen = :true, #openedAt = :now, ' +
          '#halfOpenSuccesses = :zero, #lastOverride = :override, #updatedAt = :now ' +
          'REMOVE #openUntil, #probeOwner, #probeLeaseUntil';
    return this.#update(from.circuit, {
      update,
      condition: versionIs(from.version),
      values: {
        ...versionValues(from.version),
        ':now': num(override.at),
        ':override': {
          M: { action: str(override.action), actor: str(override.actor), at: num(override.at) },
        },
      },
    });
  }

  /**
   * One conditional `UpdateItem`. Expressions write every attribute as `#name` and every value as
   * `:name`; the names and values sent are exactly those used, which DynamoDB insists on.
   */
  async #update(circuit: string, write: { update: string; condition: string; values: Values }) {
    // Every update has one SET clause (at least `#updatedAt`): the token goes in with it.
    const update = write.update.replace('SET ', `SET ${TOKEN_SET}, `);
    // No write's condition has a top-level OR (each is parenthesized), so AND binds as meant here.
    const condition = `${write.condition} AND NOT (${TOKEN_SEEN})`;
    const expressions = `${update} ${condition}`;
    const values: Values = { ...SHARED_VALUES, ...write.values, ':token': str(randomUUID()) };
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(circuit),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(
            placeholders(expressions, '#').map((name) => [name, name.slice(1)]),
          ),
          ExpressionAttributeValues: Object.fromEntries(
            placeholders(expressions, ':').map((name) => [name, expressionValue(values, name)]),
          ),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true, record: toRecord(circuit, Attributes) } satisfies WriteOutcome;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = toRecord(circuit, error.Item);
        // Our own token: an earlier attempt of this very write was applied and its reply lost.
        const ours = TOKEN_NAMES.some((name) => error.Item?.[name.slice(1)]?.S === values[':token']?.S);
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
  return { ':version': num(version), ':next': num(version + 1) };
}

function leaseValues(lease: ProbeLease): Values {
  return { ':now': num(lease.now), ':probeId': str(lease.probeId), ':leaseUntil': num(lease.leaseUntil) };
}

function placeholders(expressions: string, sigil: '#' | ':'): string[] {
  return [...new Set(expressions.match(sigil === '#' ? /#\w+/g : /:\w+/g) ?? [])];
}

function expressionValue(values: Values, name: string): AttributeValue {
  const value = values[name];
  if (value === undefined) throw new Error(`breaker store: no value for ${name}`);
  return value;
}

function keyOf(circuit: string): Record<string, AttributeValue> {
  return { [DATA_TABLE.partitionKey]: str(PARTITION), [DATA_TABLE.sortKey]: str(circuit) };
}

const STATES: ReadonlySet<string> = new Set<BreakerState>(['CLOSED', 'OPEN', 'HALF_OPEN']);

/** A stored item as a record; absent attributes take the closed breaker's values. */
function toRecord(circuit: string, item: Record<string, AttributeValue> | undefined): BreakerRecord {
  if (!item) return closedRecord(circuit);
  const n = (name: string) => (item[name]?.N === undefined ? undefined : Number(item[name]?.N));
  const state = item.state?.S;
  const override = item.lastOverride?.M;
  const runFailures = (item.runFailures?.L ?? []).map((value) => Number(value.N));
  return withRun(
    {
      circuit,
      state: state !== undefined && STATES.has(state) ? (state as BreakerState) : 'CLOSED',
      version: n('version') ?? 0,
      runFailures,
      consecutiveFailures: runFailures.length,
      windowStart: n('windowStart'),
      windowCalls: n('windowCalls') ?? 0,
      windowFailures: n('windowFailures') ?? 0,
      windowSlowCalls: n('windowSlowCalls') ?? 0,
      openedAt: n('openedAt'),
      openUntil: n('openUntil'),
      openCount: n('openCount') ?? 0,
      probeOwner: item.probeOwner?.S,
      probeLeaseUntil: n('probeLeaseUntil'),
      halfOpenSuccesses: n('halfOpenSuccesses') ?? 0,
      forcedOpen: item.forcedOpen?.BOOL ?? false,
      lastOverride: override
        ? {
            action: override.action?.S === 'force-open' ? 'force-open' : 'reset',
            actor: override.actor?.S ?? '',
            at: Number(override.at?.N ?? 0),
          }
        : undefined,
      updatedAt: n('updatedAt'),
    },
    runFailures,
  );
}
