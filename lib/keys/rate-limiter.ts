import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { ProviderId } from '../model/provider-ids.js';
import { fromAttributes, toAttributes } from '../storage/item-attributes.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import { type CountingWindow, dayWindow, type KeyLimits, minuteWindow } from './provider-limits.js';

/** Which window refused a call; `contention` means the item kept changing under the writer. */
export type RefusedBy = 'minute' | 'day' | 'contention';

/** One call's budget: granted, or refused with the time the refusing window ends (epoch ms). */
export type TakeResult = { granted: true } | { granted: false; refusedBy: RefusedBy; resetsAt: number };

/** A key's calls in the current minute and the provider's current quota day. */
export interface KeyUsage {
  minute: number;
  day: number;
}

/** How long a day's item outlives its quota day before DynamoDB's TTL may delete it. */
const DAY_GRACE_SECONDS = 3_600;

/**
 * Writes of one call before it is refused as `contention`. A write is refused by its condition only
 * when it guessed the minute wrong (the item's minute turned, or another writer turned it first), so
 * two suffice unless the item changes between every read of it.
 */
const MAX_ROUNDS = 4;

/**
 * A key's usage item for one quota day, as stored: `calls` in the day; `minute` (epoch minute) and
 * `minuteCalls`, the current minute's window; `tokens`, the tokens of that minute's writes;
 * `keyId` and `window` (`d#<day>`) for the usage Query's filter, which may not name key attributes.
 */
const UsageItemSchema = z.object({
  calls: z.int().check(z.nonnegative()),
  minute: z.int(),
  minuteCalls: z.int().check(z.nonnegative()),
  tokens: z._default(z.set(z.string()), () => new Set<string>()),
  keyId: z.string(),
  window: z.string(),
});
type UsageItem = z.infer<typeof UsageItemSchema>;

/** A stored usage item, or `undefined` for none or one this version cannot read (counted as empty). */
function decodeUsage(item: Record<string, AttributeValue> | undefined): UsageItem | undefined {
  return fromAttributes(UsageItemSchema, item);
}

/**
 * How a write treats the minute window: `same` counts in the minute the item holds (the current
 * one), `turn` starts the current minute over a past one (or none).
 */
type MinuteForm = 'same' | 'turn';

interface Call {
  provider: ProviderId;
  keyId: string;
  limits: KeyLimits;
  minute: number;
  day: CountingWindow;
  token: string;
}

/**
 * Per-key call budgets shared by every Lambda container, counted in the data table: one item per
 * key and quota day (`pk = keyusage#<provider>`, `sk = <keyId>#d#<YYYY-MM-DD>`, TTL `expiresAt` an
 * hour past the day's end) holding the day's count and, inside it, the current minute's window.
 *
 * Taking one call's budget is one conditional `UpdateItem` (1 WRU: the item stays under 1 KB) whose
 * condition admits the call only if the day and the minute both have room, and which counts it in
 * both at once, so a call counts in both windows or in neither, and N concurrent takers against a
 * limit of L get exactly min(N, L) grants, whatever the number of containers. The minute window
 * turns inside the same write: an update cannot choose between incrementing and resetting, so the
 * writer states which it means (`same`: the item's minute is the current one; `turn`: it is past),
 * conditioned on it; a wrong guess is refused, DynamoDB returns the item
 * (`ReturnValuesOnConditionCheckFailure`, no read of its own), and the other form is written. The
 * guess is this container's last minute for the key, so a turn costs a second write only when
 * another container's call was the minute's first.
 *
 * A write whose reply was lost (applied, then the connection reset) is retried by the SDK; an `ADD`
 * applied twice would spend two calls for one, and at the limit the retry would be refused by its own
 * first count. So each call carries a random token, stored in the minute's `tokens` set and
 * conditioned absent: a retry of an applied write is refused, and the item returned with the refusal
 * holds the token, so the call is known granted, counted once. (DynamoDB's own idempotency token is a
 * transaction's `ClientRequestToken`, which costs twice the units.) The set is cleared when the
 * minute turns; a retry arriving after another call turned the minute would count again, which takes
 * a reply lost for the rest of a minute, beyond the SDK's retries of a few hundred milliseconds.
 *
 * Why not rate-limiter-flexible's `RateLimiterDynamo`: as first merged it consumed points with a
 * `GetItem` followed by an unconditional `SET points = :points` (read-modify-write: concurrent
 * consumers read the same count and overwrite each other, so more calls pass than the limit). Its
 * later versions use two conditional `UpdateItem`s (reset the window if lapsed, else
 * `SET points = points + :n`): atomic, so one window does hold under concurrency (the limit is
 * compared after the increment, and refused calls still add points). It still does not fit: its
 * window starts at each key's first call, by the caller's clock, not at the provider's reset
 * (midnight UTC for a day quota); minute and day limits would be two limiters spending points
 * separately, so a call one refuses is still counted by the other; a retried write counts twice; and
 * it creates and provisions a table of its own rather than using the CDK-owned data table.
 *
 * DynamoDB faults are thrown (the SDK has retried throttling): what to do without the table is the
 * broker's decision.
 */
export class RateLimiter {
  /** This container's last minute written per key: the form its next write guesses. */
  readonly #lastMinute = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: {
      /** The call's token, 8 characters of randomness by default; injected so tests can name it. */
      token?: () => string;
    } = {},
  ) {}

  /** Counts one call of `keyId` in its windows at `now`, if every limited window has room. */
  async take(provider: ProviderId, keyId: string, limits: KeyLimits, now: number): Promise<TakeResult> {
    const call: Call = {
      provider,
      keyId,
      limits,
      minute: Number(minuteWindow(now).id),
      day: dayWindow(provider, now),
      token: (this.options.token ?? newToken)(),
    };
    const remembered = `${provider}#${keyId}`;
    let form: MinuteForm = this.#lastMinute.get(remembered) === call.minute ? 'same' : 'turn';
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const stored = await this.#write(call, form);
      if (stored === 'written' || stored?.tokens.has(call.token)) {
        this.#lastMinute.set(remembered, call.minute);
        return { granted: true };
      }
      const refused = refusalBy(call, stored);
      if (refused) return refused;
      // The minute was not what this write took it for: the item says which it is.
      form = stored && stored.minute >= call.minute ? 'same' : 'turn';
    }
    return { granted: false, refusedBy: 'contention', resetsAt: now };
  }

  /**
   * Each key's calls in the current minute and quota day, for the status endpoint: one Query on the
   * provider's usage partition. A key with no item has made no call in that window.
   */
  async usage(provider: ProviderId, keyIds: readonly string[], now: number): Promise<Map<string, KeyUsage>> {
    const minute = Number(minuteWindow(now).id);
    const usage = new Map(keyIds.map((keyId) => [keyId, { minute: 0, day: 0 }]));
    const items = queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      // Strongly consistent: the same Query a moment later must show the calls since (a replica may
      // lag), and the status endpoint reads a few items at most.
      ConsistentRead: true,
      // The partition also holds past days awaiting TTL: only today's items cross the wire.
      FilterExpression: '#window = :day',
      ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey, '#window': 'window' },
      ExpressionAttributeValues: toAttributes({
        ':pk': partitionKey(provider),
        ':day': windowName('day', dayWindow(provider, now).id),
      }),
    });
    for await (const item of items) {
      const stored = decodeUsage(item);
      const entry = usage.get(stored?.keyId ?? '');
      if (!stored || !entry) continue;
      entry.day = stored.calls;
      entry.minute = stored.minute === minute ? stored.minuteCalls : 0;
    }
    return usage;
  }

  /** One conditional write of the call: `written`, or the item as it stood when the condition refused it. */
  async #write(call: Call, form: MinuteForm): Promise<'written' | UsageItem | undefined> {
    try {
      await this.client.send(new UpdateItemCommand(this.#update(call, form)));
      return 'written';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return decodeUsage(error.Item);
    }
  }

  #update(call: Call, form: MinuteForm): UpdateItemCommandInput {
    const { perMinute, perDay } = call.limits;
    const day = perDay === undefined ? [] : ['(attribute_not_exists(#calls) OR #calls < :perDay)'];
    const minute =
      form === 'same'
        ? [
            '#minute >= :minute',
            'NOT contains(#tokens, :token)',
            ...(perMinute === undefined ? [] : ['#minuteCalls < :perMinute']),
          ]
        : ['(attribute_not_exists(#minute) OR #minute < :minute)'];
    const set = ['#expiresAt = :expiresAt', '#keyId = :keyId', '#window = :window'];
    return {
      TableName: this.tableName,
      Key: toAttributes({
        [DATA_TABLE.partitionKey]: partitionKey(call.provider),
        [DATA_TABLE.sortKey]: sortKey(call.keyId, 'day', call.day.id),
      }),
      UpdateExpression:
        form === 'same'
          ? `SET ${set.join(', ')} ADD #calls :one, #minuteCalls :one, #tokens :tokens`
          : `SET ${[...set, '#minute = :minute', '#minuteCalls = :one', '#tokens = :tokens'].join(', ')} ADD #calls :one`,
      ConditionExpression: [...minute, ...day].join(' AND '),
      ExpressionAttributeNames: {
        '#calls': 'calls',
        '#minute': 'minute',
        '#minuteCalls': 'minuteCalls',
        '#tokens': 'tokens',
        '#expiresAt': DATA_TABLE.timeToLiveAttribute,
        '#keyId': 'keyId',
        '#window': 'window',
      },
      ExpressionAttributeValues: toAttributes({
        ':one': 1,
        ':minute': call.minute,
        ':tokens': new Set([call.token]),
        ':expiresAt': Math.ceil(call.day.endsAt / 1000) + DAY_GRACE_SECONDS,
        ':keyId': call.keyId,
        ':window': windowName('day', call.day.id),
        ...(form === 'same' ? { ':token': call.token } : {}),
        ...(form === 'same' && perMinute !== undefined ? { ':perMinute': perMinute } : {}),
        ...(perDay === undefined ? {} : { ':perDay': perDay }),
      }),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }
}

/** The window a refused write found full, if any; `undefined` when only the minute's form was wrong. */
function refusalBy(call: Call, stored: UsageItem | undefined): TakeResult | undefined {
  if (!stored) return undefined;
  const { perMinute, perDay } = call.limits;
  if (perDay !== undefined && stored.calls >= perDay)
    return { granted: false, refusedBy: 'day', resetsAt: call.day.endsAt };
  if (perMinute !== undefined && stored.minute >= call.minute && stored.minuteCalls >= perMinute)
    return { granted: false, refusedBy: 'minute', resetsAt: (stored.minute + 1) * 60_000 };
  return undefined;
}

/** 48 random bits in 8 characters: unique among a key's calls in a minute, and short, so a minute of 60 calls keeps the item under 1 KB (1 WRU a write). */
function newToken(): string {
  return randomBytes(6).toString('base64url');
}

type Kind = 'minute' | 'day';

/**
 * Budget counted in this container's memory, with the same windows and limits: what the broker
 * falls back on while DynamoDB cannot be reached. It bounds one container, not the fleet.
 */
export class InMemoryBudget {
  readonly #calls = new Map<string, { calls: number; endsAt: number }>();

  take(provider: ProviderId, keyId: string, limits: KeyLimits, now: number): TakeResult {
    for (const [name, entry] of this.#calls) if (entry.endsAt <= now) this.#calls.delete(name);
    const windows = [
      { kind: 'minute' as const, window: minuteWindow(now), limit: limits.perMinute },
      { kind: 'day' as const, window: dayWindow(provider, now), limit: limits.perDay },
    ].map((counted) => {
      const name = `${provider}#${sortKey(keyId, counted.kind, counted.window.id)}`;
      return { ...counted, name, calls: this.#calls.get(name)?.calls ?? 0 };
    });
    const full = windows.filter((counted) => counted.limit !== undefined && counted.calls >= counted.limit);
    // A refusal by the longest of the full windows: the key has no budget until that one ends.
    const refusing = full.find((counted) => counted.kind === 'day') ?? full[0];
    if (refusing) return { granted: false, refusedBy: refusing.kind, resetsAt: refusing.window.endsAt };
    for (const counted of windows)
      this.#calls.set(counted.name, { calls: counted.calls + 1, endsAt: counted.window.endsAt });
    return { granted: true };
  }
}

function partitionKey(provider: ProviderId): string {
  return `keyusage#${provider}`;
}

/** `m#<epochMinute>` or `d#<YYYY-MM-DD>`: the window, as the sort key ends and the `window` attribute holds it. */
function windowName(kind: Kind, windowId: string): string {
  return `${kind === 'minute' ? 'm' : 'd'}#${windowId}`;
}

function sortKey(keyId: string, kind: Kind, windowId: string): string {
  return `${keyId}#${windowName(kind, windowId)}`;
}
