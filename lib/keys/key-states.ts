import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { ProviderId } from '../model/provider-ids.js';
import { fromAttributes, toAttributes } from '../storage/item-attributes.js';
import { type ItemUpdate, updateExpressions } from '../storage/item-update.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';

/** Why a key is parked: the provider throttled it (a minute or so) or its quota is spent (till reset). */
export type ParkReason = 'throttled' | 'quota_exhausted';

/**
 * What the fleet knows about one key beyond its budget. A parked key is skipped until `parkedUntil`
 * (epoch ms). `invalidAnswers` counts the provider's invalid-key answers since `invalidSince` with
 * no success between them; enough of them quarantine the key. A quarantined key is skipped until a
 * re-test finds it accepted again (one request at a time, claimed through `retestAt`), an operator
 * releases it (`POST /api/data/api-keys/{provider}/{keyId}/release`) or a new value is placed under
 * its id. `quarantinedKeyAddedAt` is the pool's `addedAt` of the rejected key, so a new value placed
 * under the same id (with a new `addedAt`) is not held for the old one's fault.
 */
export interface KeyState {
  keyId: string;
  parkedUntil?: number;
  parkReason?: ParkReason;
  invalidAnswers?: number;
  invalidSince?: number;
  quarantinedAt?: number;
  quarantineReason?: string;
  quarantinedKeyAddedAt?: string;
  /** The next re-test is due then; the request that claimed the current one set it. */
  retestAt?: number;
}

/** A conditional write's result: `won` is false when another writer got there first (or further). */
export interface StateWrite {
  won: boolean;
  state: KeyState;
}

/** Whether a state keeps the key out of service at `now`. */
export function isParked(state: KeyState | undefined, now: number): boolean {
  return state?.parkedUntil !== undefined && state.parkedUntil > now;
}

/** Whether a state holds this value of the key out of service: a quarantine names the `addedAt` it hit. */
export function isQuarantined(state: KeyState | undefined, key: { addedAt: string }): boolean {
  if (state?.quarantinedAt === undefined) return false;
  return state.quarantinedKeyAddedAt === undefined || state.quarantinedKeyAddedAt === key.addedAt;
}

/** The last states read (kept through failed reads) and, when the latest read failed, its error. */
type Snapshot = { readAt: number; states: Map<string, KeyState>; error?: unknown };

/**
 * Parked and quarantined keys in the data table: `pk = keystate#<provider>`, `sk = <keyId>`, one
 * item per key that ever had trouble (no TTL: a handful of items, and a quarantine must outlive any
 * TTL). Every write is conditional so concurrent containers reporting the same trouble produce one
 * winner, and only the winner emits a metric. Reads are one strongly consistent Query per provider,
 * kept in memory for `cacheMs` and shared by concurrent callers, like the breaker's snapshot; a
 * failed read is remembered for as long, so an outage costs one DynamoDB call a second, not one a
 * request. DynamoDB faults are thrown; the broker decides what to do without the table.
 */
export class KeyStates {
  readonly #snapshots = new Map<ProviderId, Snapshot>();
  readonly #reading = new Map<ProviderId, Promise<Map<string, KeyState>>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: { now: () => number; cacheMs?: number },
  ) {}

  /** Every key state of the provider, by key id: from memory while fresh, else one Query. */
  async read(provider: ProviderId): Promise<Map<string, KeyState>> {
    const cached = this.#snapshots.get(provider);
    if (cached && this.options.now() - cached.readAt < (this.options.cacheMs ?? 1_000)) {
      if (cached.error !== undefined) throw cached.error;
      return cached.states;
    }
    const pending =
      this.#reading.get(provider) ??
      this.#query(provider).finally(() => {
        this.#reading.delete(provider);
      });
    this.#reading.set(provider, pending);
    return pending;
  }

  /** The last states read successfully (with this container's own writes folded in), or none. */
  lastKnown(provider: ProviderId): Map<string, KeyState> {
    return this.#snapshots.get(provider)?.states ?? new Map();
  }

  /**
   * Parks the key until `until`, unless it is already parked as long or longer: containers that
   * saw the same throttling park it once, and a short park never cuts a long one short.
   */
  async park(provider: ProviderId, keyId: string, until: number, reason: ParkReason): Promise<StateWrite> {
    return this.#update(provider, keyId, {
      set: ['#parkedUntil = :until', '#parkReason = :reason', '#parkedAt = :now'],
      condition: 'attribute_not_exists(#parkedUntil) OR #parkedUntil < :until',
      names: ['parkedUntil', 'parkReason', 'parkedAt'],
      values: { ':until': until, ':reason': reason, ':now': this.options.now() },
    });
  }

  /**
   * Counts one invalid-key answer for the key, fleet-wide: added to the run when its first answer is
   * within `windowMs`, else a new run starting now. DynamoDB has no if/else inside one update, so the
   * two cases are two updates whose conditions exclude each other (the breaker's failure count does
   * the same); when one fails because another container just moved the run, the item it returns says
   * which applies. Every answer is counted exactly once, also when a reply is lost and the SDK sends
   * the write again: the run keeps the tokens of the answers it counted, and the `ADD` is conditioned
   * on its own token not being among them (a repeat then fails, and its token says it was ours).
   * The state returned holds the new count.
   */
  async countInvalid(provider: ProviderId, keyId: string, windowMs: number): Promise<StateWrite> {
    const since = this.options.now() - windowMs;
    const cutoff = { ':cutoff': since };
    const runs = (state: KeyState | undefined) => (state?.invalidSince ?? since) > since;
    let inRun = runs(this.lastKnown(provider).get(keyId));
    for (let round = 0; round < 5; round++) {
      const write = inRun
        ? await this.#update(provider, keyId, {
            set: ['#lastInvalidAt = :now'],
            add: ['#invalidAnswers :one', '#invalidTokens :writeTokens'],
            condition: '#invalidSince > :cutoff AND NOT contains(#invalidTokens, :writeToken)',
            names: ['invalidAnswers', 'invalidSince', 'lastInvalidAt', 'invalidTokens'],
            values: { ...cutoff, ':one': 1, ':now': this.options.now() },
            countsToken: true,
          })
        : await this.#update(provider, keyId, {
            set: [
              '#invalidAnswers = :one',
              '#invalidSince = :now',
              '#lastInvalidAt = :now',
              '#invalidTokens = :writeTokens',
            ],
            condition: 'attribute_not_exists(#invalidSince) OR #invalidSince <= :cutoff',
            names: ['invalidAnswers', 'invalidSince', 'lastInvalidAt', 'invalidTokens'],
            values: { ...cutoff, ':one': 1, ':now': this.options.now() },
            countsToken: true,
          });
      if (write.won) return write;
      inRun = runs(write.state);
    }
    throw new Error(`key state ${provider}/${keyId}: the invalid-answer run kept moving`);
  }

  /** Ends a run of invalid-key answers: the provider accepted the key since. Only when one is on record. */
  async clearInvalid(provider: ProviderId, keyId: string): Promise<StateWrite> {
    return this.#update(provider, keyId, {
      remove: INVALID_RUN_ATTRIBUTES.map((name) => `#${name}`),
      condition: 'attribute_exists(#invalidAnswers)',
      names: [...INVALID_RUN_ATTRIBUTES],
      values: {},
    });
  }

  /**
   * Claims the re-test of a quarantined key, like the breaker's probe lease: a compare-and-swap on
   * the quarantine and the `retestAt` that were read, setting the next one to `nextRetestAt`. Of
   * containers that find the re-test due at once exactly one wins; a re-test that never reports
   * (its container died) simply leaves the next one due at `nextRetestAt`.
   */
  async claimRetest(provider: ProviderId, seen: KeyState, nextRetestAt: number): Promise<StateWrite> {
    const values: ItemUpdate['values'] = {
      ':quarantinedAt': seen.quarantinedAt ?? -1,
      ':next': nextRetestAt,
      ...(seen.retestAt === undefined ? {} : { ':seen': seen.retestAt }),
    };
    return this.#update(provider, seen.keyId, {
      set: ['#retestAt = :next'],
      condition: `#quarantinedAt = :quarantinedAt AND ${
        seen.retestAt === undefined ? 'attribute_not_exists(#retestAt)' : '#retestAt = :seen'
      }`,
      names: ['quarantinedAt', 'retestAt'],
      values,
    });
  }

  /**
   * Lifts the quarantine that a re-test found lifted by the provider: only that quarantine (named by
   * its `quarantinedAt`), so a newer one is never lifted by an older test. Parking stays.
   */
  async releaseAfterRetest(provider: ProviderId, keyId: string, quarantinedAt: number): Promise<StateWrite> {
    return this.#update(provider, keyId, {
      remove: QUARANTINE_ATTRIBUTES.map((name) => `#${name}`),
      condition: '#quarantinedAt = :quarantinedAt',
      names: [...QUARANTINE_ATTRIBUTES],
      values: { ':quarantinedAt': quarantinedAt },
    });
  }

  /**
   * Takes the key's value (named by its `addedAt`) out of service until released. Of concurrent
   * writers for the same value only the first wins; a value placed under the same id since an
   * earlier quarantine (another `addedAt`) is quarantined anew, so a replacement the provider
   * rejects too leaves rotation as well. The run of invalid answers that led here ends with it.
   */
  async quarantine(
    provider: ProviderId,
    keyId: string,
    reason: string,
    keyAddedAt?: string,
  ): Promise<StateWrite> {
    return this.#update(provider, keyId, {
      set: [
        '#quarantinedAt = :now',
        '#quarantineReason = :reason',
        ...(keyAddedAt ? ['#quarantinedKeyAddedAt = :addedAt'] : []),
      ],
      remove: [...INVALID_RUN_ATTRIBUTES, 'retestAt'].map((name) => `#${name}`),
      condition: keyAddedAt
        ? 'attribute_not_exists(#quarantinedAt) OR #quarantinedKeyAddedAt <> :addedAt'
        : 'attribute_not_exists(#quarantinedAt)',
      names: [
        'quarantinedAt',
        'quarantineReason',
        ...(keyAddedAt ? ['quarantinedKeyAddedAt'] : []),
        ...INVALID_RUN_ATTRIBUTES,
        'retestAt',
      ],
      values: {
        ':reason': reason,
        ':now': this.options.now(),
        ...(keyAddedAt ? { ':addedAt': keyAddedAt } : {}),
      },
    });
  }

  /** Returns the key to service: the operator's release endpoint lifts its parking and quarantine. */
  async release(provider: ProviderId, keyId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(provider, keyId) }));
    this.#snapshots.get(provider)?.states.delete(keyId);
  }

  async #query(provider: ProviderId): Promise<Map<string, KeyState>> {
    const readAt = this.options.now();
    try {
      const states = new Map<string, KeyState>();
      const items = queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey },
        ExpressionAttributeValues: toAttributes({ ':pk': partitionKey(provider) }),
        // A key parked or quarantined a moment ago by another container should be skipped now.
        ConsistentRead: true,
      });
      for await (const item of items) {
        const state = toState(item);
        if (state) states.set(state.keyId, state);
      }
      this.#snapshots.set(provider, { readAt, states });
      return states;
    } catch (error) {
      this.#snapshots.set(provider, { readAt, states: this.lastKnown(provider), error });
      throw error;
    }
  }

  /**
   * One conditional write, which recognizes its own earlier attempt: it stamps the item with a token
   * of its own (`writeToken`, and for a counted invalid answer `invalidTokens` too). When the SDK
   * sends it again after a lost reply, the repeat fails its condition (the write is done), and the
   * item DynamoDB returns with the failure (`ReturnValuesOnConditionCheckFailure`, as Powertools
   * Idempotency reads it) carries this write's token: a win, not a loss to another writer. (Should
   * another writer have written since, the win is reported as lost: its metric is not emitted twice.)
   */
  async #update(provider: ProviderId, keyId: string, write: StateUpdate): Promise<StateWrite> {
    const token = randomUUID();
    let outcome: StateWrite;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(provider, keyId),
          ...updateExpressions({
            ...write,
            set: [...(write.set ?? []), '#writeToken = :writeToken'],
            names: [...write.names, 'writeToken'],
            values: {
              ...write.values,
              ':writeToken': token,
              ...(write.countsToken ? { ':writeTokens': new Set([token]) } : {}),
            },
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      outcome = { won: true, state: toState(Attributes) ?? { keyId } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      outcome = { won: writtenBy(error.Item, token), state: toState(error.Item) ?? { keyId } };
    }
    // This container sees its own write (or the state that beat it) at once, not a second later.
    this.#snapshots.get(provider)?.states.set(keyId, outcome.state);
    return outcome;
  }
}

/**
 * A conditional write of a key state: its clauses, condition, names and values. `countsToken`: the
 * write adds its token to the run's `invalidTokens` (as `:writeTokens`, a string set).
 */
interface StateUpdate extends ItemUpdate {
  condition: string;
  countsToken?: boolean;
}

/** A run of invalid-key answers: its count, its start, its last answer, the tokens of those counted. */
const INVALID_RUN_ATTRIBUTES = ['invalidAnswers', 'invalidSince', 'lastInvalidAt', 'invalidTokens'] as const;

/** What a quarantine writes: lifting one removes them all (the run of invalid answers included). */
const QUARANTINE_ATTRIBUTES = [
  'quarantinedAt',
  'quarantineReason',
  'quarantinedKeyAddedAt',
  'retestAt',
  ...INVALID_RUN_ATTRIBUTES,
] as const;

/** Whether the item a failed condition returned holds this write's token: the write was done before. */
function writtenBy(item: StoredItem, token: string): boolean {
  const stored = fromAttributes(StoredKeyStateSchema, item);
  return stored?.writeToken === token || (stored?.invalidTokens?.has(token) ?? false);
}

function partitionKey(provider: ProviderId): string {
  return `keystate#${provider}`;
}

function keyOf(provider: ProviderId, keyId: string) {
  return toAttributes({ [DATA_TABLE.partitionKey]: partitionKey(provider), [DATA_TABLE.sortKey]: keyId });
}

type StoredItem = Parameters<typeof fromAttributes>[1];

/** A stored number, absent (or unreadable) as `undefined`. */
const optionalNumber = z.catch(z.optional(z.number()), undefined);
const optionalText = z.catch(z.optional(z.string()), undefined);

/**
 * A key state as stored. An item without its key id is no key state; any other field that cannot be
 * read is left out, as if never written (an unknown park reason included).
 */
const StoredKeyStateSchema = z.object({
  [DATA_TABLE.sortKey]: z.string(),
  parkedUntil: optionalNumber,
  parkReason: z.catch(z.optional(z.enum(['throttled', 'quota_exhausted'])), undefined),
  invalidAnswers: optionalNumber,
  invalidSince: optionalNumber,
  quarantinedAt: optionalNumber,
  quarantineReason: optionalText,
  quarantinedKeyAddedAt: optionalText,
  retestAt: optionalNumber,
  writeToken: optionalText,
  invalidTokens: z.catch(z.optional(z.set(z.string())), undefined),
});

function toState(item: StoredItem): KeyState | undefined {
  const stored = fromAttributes(StoredKeyStateSchema, item);
  if (!stored) return undefined;
  const { [DATA_TABLE.sortKey]: keyId, writeToken: _, invalidTokens: __, ...fields } = stored;
  // Only the fields stored: a state read back equals the state written, field for field.
  const state: KeyState = { keyId };
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) Object.assign(state, { [name]: value });
  }
  return state;
}
