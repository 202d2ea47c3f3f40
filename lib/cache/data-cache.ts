import { randomUUID } from 'node:crypto';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DataLayerError } from '../errors.js';
import type { DataType } from '../model/data-types.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { QualityReport } from '../quality/report.js';
import { toAttributes } from '../storage/item-attributes.js';
import { updateExpressions } from '../storage/item-update.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import {
  type CacheRecord,
  cacheIdOf,
  cachePartitionKey,
  headItem,
  headKey,
  MAX_PART_BYTES,
  partItem,
  partKey,
  partPrefix,
  recordOf,
  splitOf,
  ttlOf,
} from './cache-items.js';
import type { CachePolicy } from './cache-policy.js';
import { compressJson, decompressJson, splitBytes } from './item-codec.js';
import type { MemoryCache } from './memory-cache.js';

/** A cached answer and how old it is. `fresh` is false once past the data type's fresh lifetime. */
export interface CachedEntry<T> {
  value: T;
  provider: ProviderId;
  fetchedAt: string;
  ageSeconds: number;
  fresh: boolean;
  /** Whole seconds of freshness left (0 once stale): what clients may cache it for. */
  freshForSeconds: number;
  /** The quality report the value was served with when it was fetched. */
  quality: QualityReport | null;
}

/**
 * What a cache read finds: a value, a remembered "no provider knows this symbol" still in force, or
 * nothing. The marker and the last good value are stored side by side: once the marker lapses, the
 * value (if still within its stale window) is found again, for stale serving among other things.
 */
export type CacheLookup<T> =
  | { kind: 'value'; entry: CachedEntry<T> }
  | { kind: 'not_found' }
  | { kind: 'none' };

/**
 * Data types whose values may outgrow one item (a 20-year daily series, years of quarterly
 * statements): read with one Query over the head and its parts. The others (quotes, profiles,
 * searches) are small, read with GetItem or BatchGetItem, and a write too big for one item fails.
 */
const SPLITTABLE: ReadonlySet<DataType> = new Set<DataType>(['daily_history', 'financials']);

/** A value of a single-item data type compressed past what one item holds. */
export class CacheValueTooLargeError extends DataLayerError {
  override name = 'CacheValueTooLargeError';
}

/** The compressed record of a value. */
interface StoredValue<T> {
  value: T;
  quality: QualityReport | null;
}

export interface DataCacheOptions {
  /** Most compressed bytes per item; a bigger value is split. Default {@link MAX_PART_BYTES}; tests lower it. */
  partBytes?: number;
  /** The container's memory cache in front of DynamoDB; none: every read goes to DynamoDB. */
  memory?: MemoryCache;
}

/**
 * Validated provider answers in DynamoDB, gzipped in a binary attribute and split across items when
 * still too big for one. An entry is fresh for the data type's lifetime, then may still be served
 * stale until `servableUntil`; the table's TTL attribute deletes it after. DynamoDB deletes expired
 * items lazily (up to days later), so a read checks the times itself.
 *
 * A split value is written parts first, under a fresh version id, then the head that names the
 * version and part count; a reader assembles only the version its head names and only when every
 * part is there, so a write half done is never read as a whole value. The previous version's parts
 * are deleted once the head has moved on (their TTL removes any a failed delete leaves).
 *
 * With a container's {@link MemoryCache}, every record read or written passes through it: a fresh one
 * answers later reads without DynamoDB, and `remembered` serves what it holds while DynamoDB fails.
 */
export class DataCache {
  private readonly partBytes: number;
  private readonly memory: MemoryCache | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date,
    options: DataCacheOptions = {},
  ) {
    this.partBytes = options.partBytes ?? MAX_PART_BYTES;
    this.memory = options.memory;
  }

  /**
   * A value (fresh or stale), a remembered unknown symbol, or nothing. A fresh record this container
   * has seen answers from memory; otherwise one GetItem of the head and, for a value split in parts,
   * one Query of the parts of the version the head names (never other versions' orphans).
   *
   * `consistent`: a strongly consistent read, past the memory cache, for a read that decides whether
   * to call a provider after waiting for another request's fill (an eventually consistent read may
   * miss a write of the last second). The first read of a request stays eventually consistent: half
   * the read units, and a miss there costs only the wait that follows.
   */
  async lookup<T>(
    dataType: DataType,
    key: string,
    { consistent = false }: { consistent?: boolean } = {},
  ): Promise<CacheLookup<T>> {
    const id = cachePartitionKey(dataType, key);
    const seen = consistent ? undefined : this.memory?.fresh(id, this.now().getTime());
    if (seen) return this.interpret<T>(seen);
    return this.interpret<T>(this.newest(id, await this.readRecord(dataType, key, consistent)));
  }

  /**
   * What this container has seen of a key and may still serve (fresh, or stale within its window, or a
   * marker in force), without DynamoDB: the answer while DynamoDB is away.
   */
  remembered<T>(dataType: DataType, key: string): Promise<CacheLookup<T>> {
    return this.interpret<T>(this.memory?.servable(cachePartitionKey(dataType, key), this.now().getTime()));
  }

  /**
   * Up to 100 keys: fresh records this container has seen from memory, the others in one BatchGetItem
   * round (DynamoDB's limit per call). Keys DynamoDB leaves unprocessed (throttling) are asked again,
   * at most `maxRounds` rounds in all; any still unread count as misses. For single-item data types only.
   */
  async lookupMany<T>(
    dataType: DataType,
    keys: readonly string[],
    maxRounds = 3,
  ): Promise<Map<string, CacheLookup<T>>> {
    const found = new Map<string, CacheLookup<T>>(keys.map((key) => [key, { kind: 'none' }]));
    if (keys.length === 0) return found;
    if (keys.length > 100) throw new RangeError('lookupMany reads at most 100 keys');
    if (SPLITTABLE.has(dataType)) throw new RangeError(`lookupMany cannot read split ${dataType} values`);
    const nowMs = this.now().getTime();
    const unread: string[] = [];
    for (const key of keys) {
      const seen = this.memory?.fresh(cachePartitionKey(dataType, key), nowMs);
      if (seen) found.set(key, await this.interpret<T>(seen));
      else unread.push(key);
    }
    const records = new Map<string, CacheRecord>();
    let pending: ReturnType<typeof headKey>[] | undefined = unread.map((key) => headKey(dataType, key));
    for (let round = 0; round < maxRounds && pending && pending.length > 0; round++) {
      const answer: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
      );
      for (const item of answer.Responses?.[this.tableName] ?? [])
        records.set(cacheIdOf(item), recordOf(item, []));
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    await Promise.all(
      unread.map(async (key) => {
        const id = cachePartitionKey(dataType, key);
        found.set(key, await this.interpret<T>(this.newest(id, records.get(id))));
      }),
    );
    return found;
  }

  /** The head and, for a split value, its version's parts; `undefined` when there is no head. */
  private async readRecord(
    dataType: DataType,
    key: string,
    consistent: boolean,
  ): Promise<CacheRecord | undefined> {
    const { Item: head } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: headKey(dataType, key),
        ConsistentRead: consistent,
      }),
    );
    if (!head) return undefined;
    const split = SPLITTABLE.has(dataType) ? splitOf(head) : null;
    if (!split) return recordOf(head, []);
    const record = recordOf(head, await this.readParts(dataType, key, split.version, consistent));
    // A replica can show a new head before every part written ahead of it: ask the leader once.
    if (record.bytes !== null || consistent) return record;
    return recordOf(head, await this.readParts(dataType, key, split.version, true));
  }

  /** One version's parts, one Query (a page holds ~1 MB, four parts; a bigger value takes a page per MB). */
  private async readParts(
    dataType: DataType,
    key: string,
    version: string,
    consistent: boolean,
  ): Promise<ReturnType<typeof partKey>[]> {
    const parts: ReturnType<typeof partKey>[] = [];
    for await (const item of queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :version)',
      ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey, '#sk': DATA_TABLE.sortKey },
      ExpressionAttributeValues: toAttributes({
        ':pk': cachePartitionKey(dataType, key),
        ':version': partPrefix(version),
      }),
      ConsistentRead: consistent,
    })) {
      parts.push(item);
    }
    return parts;
  }

  /**
   * The newer of what DynamoDB answered and what this container's memory holds, keeping DynamoDB's
   * when newer. A replica may not show this container's own write yet, or show nothing at all where
   * the memory still holds a servable value (DynamoDB's TTL removes an item only past that window).
   */
  private newest(id: string, record: CacheRecord | undefined): CacheRecord | undefined {
    if (!this.memory) return record;
    return record ? this.memory.remember(id, record) : this.memory.servable(id, this.now().getTime());
  }

  private async interpret<T>(record: CacheRecord | undefined): Promise<CacheLookup<T>> {
    if (!record) return { kind: 'none' };
    const nowMs = this.now().getTime();
    if (record.notFoundUntil > nowMs) return { kind: 'not_found' };
    // A value whose fetch time cannot be read has no age to answer with: a miss, refetched.
    const { fetchedAt } = record;
    if (!(record.servableUntil > nowMs) || !record.bytes || fetchedAt === undefined) return { kind: 'none' };
    const { value, quality } = await decompressJson<StoredValue<T>>(record.bytes);
    return {
      kind: 'value',
      entry: {
        value,
        provider: record.provider as ProviderId,
        fetchedAt,
        ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(fetchedAt)) / 1000)),
        fresh: record.freshUntil > nowMs,
        freshForSeconds: Math.max(0, Math.floor((record.freshUntil - nowMs) / 1000)),
        quality,
      },
    };
  }

  /**
   * Remembers for `seconds` that no provider knows this symbol, so repeated requests for it do not
   * spend provider quota. Written only when every provider asked said so. An UpdateItem on the head
   * that sets the marker and leaves the value as it is: the last good value stays servable as stale
   * once the marker lapses. The TTL attribute is raised to the marker's end when it was earlier (a
   * symbol never cached, a value near the end of its stale window), never lowered; DynamoDB has no
   * `max()`, so that takes a second, conditional call in those cases. An update that applied but whose
   * reply was lost is recognized by its own marker in the item its retry's failed condition returns.
   */
  async rememberNotFound(dataType: DataType, key: string, seconds: number): Promise<void> {
    const nowMs = this.now().getTime();
    const until = nowMs + seconds * 1000;
    this.memory?.markNotFound(cachePartitionKey(dataType, key), nowMs, until);
    const ttl = DATA_TABLE.timeToLiveAttribute;
    const marker = {
      set: ['#notFoundAt = :at', '#notFoundUntil = :until'],
      names: ['notFoundAt', 'notFoundUntil', ttl],
      values: { ':at': new Date(nowMs).toISOString(), ':until': until, ':ttl': ttlOf(until) },
    };
    const keepTtl = { ...marker, condition: `#${ttl} >= :ttl` };
    const raiseTtl = {
      ...marker,
      set: [...marker.set, `#${ttl} = :ttl`],
      condition: `attribute_not_exists(#${ttl}) OR #${ttl} < :ttl`,
    };
    // The third try only follows a value written between the first two.
    let lastError: unknown;
    for (const write of [keepTtl, raiseTtl, keepTtl]) {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: headKey(dataType, key),
            ...updateExpressions(write),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The SDK's retry of an update that applied (its reply lost) fails against the update itself.
        const current = error.Item ? recordOf(error.Item, []) : undefined;
        if (current?.notFoundAt === nowMs && current.notFoundUntil === until) return;
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * Stores a validated value, compressed; split into parts when it does not fit one item (data types
   * that allow it). Replaces the value and any "not found" marker: a good answer is newer than the
   * marker. Only call it with data that passed validation. Resolves to when the value stops being
   * fresh (epoch ms), once DynamoDB holds it.
   */
  async write<T>(
    dataType: DataType,
    key: string,
    value: T,
    source: { provider: ProviderId; fetchedAt: Date; quality?: QualityReport | null },
    policy: CachePolicy,
  ): Promise<number> {
    const fetchedMs = source.fetchedAt.getTime();
    const freshUntil = fetchedMs + policy.freshSeconds * 1000;
    const servableUntil = freshUntil + policy.maxStaleSeconds * 1000;
    const stored: StoredValue<T> = { value, quality: source.quality ?? null };
    const compressed = await compressJson(stored);
    const parts = splitBytes(compressed, this.partBytes);
    const splittable = SPLITTABLE.has(dataType);
    if (parts.length > 1 && !splittable) {
      throw new CacheValueTooLargeError(`a ${dataType} value does not fit one cache item`);
    }

    // What this container fetched is what it has seen, whether or not DynamoDB takes the write.
    this.memory?.remember(cachePartitionKey(dataType, key), {
      provider: source.provider,
      fetchedAt: source.fetchedAt.toISOString(),
      freshUntil,
      servableUntil,
      notFoundAt: 0,
      notFoundUntil: 0,
      bytes: compressed,
    });
    const version = parts.length > 1 ? randomUUID().slice(0, 8) : undefined;
    if (version !== undefined) {
      await Promise.all(
        parts.map((bytes, index) =>
          this.client.send(
            new PutItemCommand({
              TableName: this.tableName,
              Item: partItem(dataType, key, { version, index, bytes }, servableUntil),
            }),
          ),
        ),
      );
    }
    const { Attributes: previous } = await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: headItem(
          dataType,
          key,
          version === undefined ? { bytes: compressed } : { version, parts: parts.length },
          { provider: source.provider, fetchedAt: source.fetchedAt.toISOString(), freshUntil, servableUntil },
        ),
        // Only a splittable value can leave parts behind; the old head says which.
        ReturnValues: splittable ? 'ALL_OLD' : 'NONE',
      }),
    );
    const replaced = previous ? splitOf(previous) : null;
    if (replaced && replaced.version !== version) await this.deleteParts(dataType, key, replaced);
    return freshUntil;
  }

  /** Best effort: a part left behind is never assembled (no head names its version) and its TTL removes it. */
  private async deleteParts(
    dataType: DataType,
    key: string,
    { version, parts }: { version: string; parts: number },
  ): Promise<void> {
    await Promise.allSettled(
      Array.from({ length: parts }, (_, index) =>
        this.client.send(
          new DeleteItemCommand({ TableName: this.tableName, Key: partKey(dataType, key, version, index) }),
        ),
      ),
    );
  }
}
