import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type Update,
} from '@aws-sdk/client-dynamodb';
import type { ProviderId } from '../model/provider-ids.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import { type CountingWindow, dayWindow, type KeyLimits, minuteWindow } from './provider-limits.js';

/** Which window refused a call; `contention` means DynamoDB kept cancelling for concurrent writers. */
export type RefusedBy = 'minute' | 'day' | 'contention';

/** One call's budget: granted, or refused with the time the refusing window ends (epoch ms). */
export type TakeResult = { granted: true } | { granted: false; refusedBy: RefusedBy; resetsAt: number };

/** A key's calls in the current minute and the provider's current quota day. */
export interface KeyUsage {
  minute: number;
  day: number;
}

/** How long a window's item outlives its window before DynamoDB's TTL may delete it. */
const GRACE_SECONDS = { minute: 120, day: 3_600 } as const;

/**
 * Rounds of a transaction cancelled only for `TransactionConflict` (another transaction was on the
 * same item at that instant) before the call is refused as `contention`. Refusing errs on the side
 * of the scarce quota; the broker simply tries the key's neighbour. A transaction cancelled for
 * `ThrottlingError` (its partition throttled; the SDK does not retry a cancelled transaction) gets
 * the same rounds, as DynamoDB advises for throttling; throttled still after the last one, the
 * cancellation is thrown, and the broker counts the call in this container's memory.
 */
const MAX_CONFLICT_ROUNDS = 8;

type Kind = 'minute' | 'day';
interface CountedWindow {
  kind: Kind;
  window: CountingWindow;
  limit: number | undefined;
}

/**
 * Per-key call budgets shared by every Lambda container, counted in the data table: one item per
 * key and window (`pk = keyusage#<provider>`, `sk = <keyId>#m#<epochMinute>` or
 * `<keyId>#d#<YYYY-MM-DD>`; `calls`; `keyId` and `window` (`m#…`/`d#…`) for the usage Query's
 * filter, which may not name key attributes; TTL `expiresAt` a little past the window's end).
 *
 * Taking one call's budget is one atomic write: `ADD calls :1` on each window, each conditioned on
 * `calls < limit`, in one `TransactWriteItems`, so a call counts in both windows or in neither: a
 * call the day refuses does not spend a minute's budget, and the reverse. The check and the
 * increment are the same conditional write, so N concurrent takers against a limit of L get
 * exactly min(N, L) grants, whatever the number of containers. The day window is always counted
 * (without a condition when unlimited) so operators see each key's usage today.
 *
 * A write whose reply was lost (applied, then the connection reset) is retried by the SDK; an
 * `ADD` applied twice would spend two calls of the budget for one, and at the limit the retry
 * would be refused by its own first count. So every round carries a `ClientRequestToken`, which
 * the SDK's retries of the round resend: DynamoDB answers a repeat within 10 minutes as the
 * success it was, without applying it again. That is also why a single window is a transaction
 * too (twice the write units of an `UpdateItem`; the quotas these budgets guard allow a few
 * hundred calls a day at most).
 *
 * Why not rate-limiter-flexible's `RateLimiterDynamo`: as first merged it consumed points with a
 * `GetItem` followed by an unconditional `SET points = :points` (read-modify-write: concurrent
 * consumers read the same count and overwrite each other, so more calls pass than the limit). Its
 * later versions use two conditional `UpdateItem`s (reset the window if lapsed, else
 * `SET points = points + :n`): atomic, so one window does hold under concurrency (the limit is
 * compared after the increment, and refused calls still add points). It still does not fit: its
 * window starts at each key's first call, by the caller's clock, not at the provider's reset
 * (midnight UTC for a day quota); minute and day limits would be two limiters spending points
 * separately, so a call one refuses is still counted by the other; and it creates and provisions a
 * table of its own rather than using the CDK-owned data table.
 *
 * DynamoDB faults are thrown: what to do without the table is the broker's decision.
 */
export class RateLimiter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: {
      /** Waits between rounds of a conflicted transaction; injected so tests need not wait. */
      sleep?: (ms: number) => Promise<void>;
      random?: () => number;
    } = {},
  ) {}

  /** Counts one call of `keyId` in its windows at `now`, if every limited window has room. */
  async take(provider: ProviderId, keyId: string, limits: KeyLimits, now: number): Promise<TakeResult> {
    const windows: CountedWindow[] = [
      ...(limits.perMinute === undefined
        ? []
        : [{ kind: 'minute' as const, window: minuteWindow(now), limit: limits.perMinute }]),
      { kind: 'day', window: dayWindow(provider, now), limit: limits.perDay },
    ];
    const updates = windows.map((counted) => this.#countCall(provider, keyId, counted));
    for (let round = 1; ; round++) {
      // A new token per round: a cancelled round applied nothing, and its token is spent.
      const outcome = await this.#write(updates, randomUUID());
      if (outcome === 'written') return { granted: true };
      if (Array.isArray(outcome)) return refusal(windows, outcome);
      if (round === MAX_CONFLICT_ROUNDS) {
        if (outcome !== 'conflict') throw outcome.throttled;
        return { granted: false, refusedBy: 'contention', resetsAt: now };
      }
      // Full jitter, so the writers that collided do not collide again in step.
      await (this.options.sleep ?? delay)(Math.ceil((this.options.random ?? Math.random)() * 5 * 2 ** round));
    }
  }

  /**
   * Each key's calls in the current minute and quota day, for the status endpoint: one Query on the
   * provider's usage partition. A key with no item has made no call in that window.
   */
  async usage(provider: ProviderId, keyIds: readonly string[], now: number): Promise<Map<string, KeyUsage>> {
    const current = {
      minute: windowName('minute', minuteWindow(now).id),
      day: windowName('day', dayWindow(provider, now).id),
    };
    const usage = new Map(keyIds.map((keyId) => [keyId, { minute: 0, day: 0 }]));
    const items = queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      // The partition also holds past minutes awaiting TTL: only the current windows cross the wire.
      FilterExpression: '#window IN (:minute, :day)',
      ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey, '#window': 'window' },
      ExpressionAttributeValues: {
        ':pk': { S: partitionKey(provider) },
        ':minute': { S: current.minute },
        ':day': { S: current.day },
      },
    });
    for await (const item of items) {
      const entry = usage.get(item.keyId?.S ?? '');
      const calls = Number(item.calls?.N ?? 0);
      if (entry && item.window?.S === current.minute) entry.minute = calls;
      if (entry && item.window?.S === current.day) entry.day = calls;
    }
    return usage;
  }

  #countCall(provider: ProviderId, keyId: string, counted: CountedWindow): Update {
    const expiresAt = Math.ceil(counted.window.endsAt / 1000) + GRACE_SECONDS[counted.kind];
    return {
      TableName: this.tableName,
      Key: {
        [DATA_TABLE.partitionKey]: { S: partitionKey(provider) },
        [DATA_TABLE.sortKey]: { S: sortKey(keyId, counted.kind, counted.window.id) },
      },
      // `keyId` and `window` repeat the sort key as plain attributes: a Query may filter on them.
      UpdateExpression: 'ADD #calls :one SET #expiresAt = :expiresAt, #keyId = :keyId, #window = :window',
      ExpressionAttributeNames: {
        '#calls': 'calls',
        '#expiresAt': DATA_TABLE.timeToLiveAttribute,
        '#keyId': 'keyId',
        '#window': 'window',
      },
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':keyId': { S: keyId },
        ':window': { S: windowName(counted.kind, counted.window.id) },
        ':expiresAt': { N: String(expiresAt) },
        ...(counted.limit === undefined ? {} : { ':limit': { N: String(counted.limit) } }),
      },
      ...(counted.limit === undefined
        ? {}
        : { ConditionExpression: 'attribute_not_exists(#calls) OR #calls < :limit' }),
    };
  }

  /**
   * One write of every window, idempotent under `token`: `written`, `conflict` or `throttled` (worth
   * another round), or the indexes of the windows whose condition failed.
   */
  async #write(
    updates: Update[],
    token: string,
  ): Promise<'written' | 'conflict' | { throttled: TransactionCanceledException } | number[]> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: updates.map((u) => ({ Update: u })),
          ClientRequestToken: token,
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof TransactionConflictException) return 'conflict';
      if (!(error instanceof TransactionCanceledException)) throw error;
      // One reason per item, in order: `ConditionalCheckFailed` names a window without budget.
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      const failed = codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
      if (failed.length > 0) return failed;
      if (codes.includes('TransactionConflict')) return 'conflict';
      if (codes.includes('ThrottlingError')) return { throttled: error };
      throw error;
    }
  }
}

/**
 * Budget counted in this container's memory, with the same windows and limits: what the broker
 * falls back on while DynamoDB cannot be reached. It bounds one container, not the fleet.
 */
export class InMemoryBudget {
  readonly #calls = new Map<string, { calls: number; endsAt: number }>();

  take(provider: ProviderId, keyId: string, limits: KeyLimits, now: number): TakeResult {
    for (const [name, entry] of this.#calls) if (entry.endsAt <= now) this.#calls.delete(name);
    const windows: CountedWindow[] = [
      { kind: 'minute', window: minuteWindow(now), limit: limits.perMinute },
      { kind: 'day', window: dayWindow(provider, now), limit: limits.perDay },
    ];
    const names = windows.map((counted) => `${provider}#${sortKey(keyId, counted.kind, counted.window.id)}`);
    const full = windows.flatMap((counted, index) => {
      const calls = this.#calls.get(names[index] ?? '')?.calls ?? 0;
      return counted.limit !== undefined && calls >= counted.limit ? [index] : [];
    });
    if (full.length > 0) return refusal(windows, full);
    windows.forEach((counted, index) => {
      const name = names[index] ?? '';
      const calls = this.#calls.get(name)?.calls ?? 0;
      this.#calls.set(name, { calls: calls + 1, endsAt: counted.window.endsAt });
    });
    return { granted: true };
  }
}

/** A refusal by the longest of the full windows: the key has no budget until that one ends. */
function refusal(windows: CountedWindow[], full: number[]): TakeResult {
  const refusing = full.flatMap((index) => windows[index] ?? []);
  const longest = refusing.find((counted) => counted.kind === 'day') ?? refusing[0];
  if (!longest) throw new Error('rate limiter: a refusal names no window');
  return { granted: false, refusedBy: longest.kind, resetsAt: longest.window.endsAt };
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
