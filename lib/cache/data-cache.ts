import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ProviderId } from '../providers/provider-ids.js';
import type { QualityReport } from '../quality/report.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import type { CachePolicy, DataType } from './cache-policy.js';

/** Bumped when the standard model changes shape, so old entries are not served as the new shape. */
const MODEL_VERSION = 'v1';

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

/** What a cache read finds: a value, a remembered "no provider knows this symbol", or nothing. */
export type CacheLookup<T> =
  | { kind: 'value'; entry: CachedEntry<T> }
  | { kind: 'not_found' }
  | { kind: 'none' };

/**
 * Validated provider answers in DynamoDB. An entry is fresh for the data type's lifetime, then may
 * still be served stale until `expiresAt`, the table's TTL attribute. DynamoDB deletes expired items
 * lazily (up to days later), so a read treats an item past `expiresAt` as missing.
 */
export class DataCache {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One GetItem: a value (fresh or stale), a remembered unknown symbol, or nothing. */
  async lookup<T>(dataType: DataType, key: string): Promise<CacheLookup<T>> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: itemKey(dataType, key) }),
    );
    return this.interpret<T>(Item);
  }

  /**
   * Up to 100 keys in one BatchGetItem round (DynamoDB's limit per call). Keys DynamoDB leaves
   * unprocessed (throttling) are asked again, at most `maxRounds` rounds in all; any still unread
   * count as misses.
   */
  async lookupMany<T>(
    dataType: DataType,
    keys: readonly string[],
    maxRounds = 3,
  ): Promise<Map<string, CacheLookup<T>>> {
    const found = new Map<string, CacheLookup<T>>(keys.map((key) => [key, { kind: 'none' }]));
    if (keys.length === 0) return found;
    if (keys.length > 100) throw new RangeError('lookupMany reads at most 100 keys');
    let pending: Record<string, AttributeValue>[] | undefined = keys.map((key) => itemKey(dataType, key));
    for (let round = 0; round < maxRounds && pending && pending.length > 0; round++) {
      const answer: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
      );
      for (const item of answer.Responses?.[this.tableName] ?? []) {
        const key = item[DATA_TABLE.partitionKey]?.S?.slice(dataType.length + 1);
        if (key !== undefined) found.set(key, this.interpret<T>(item));
      }
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }

  private interpret<T>(Item: Record<string, AttributeValue> | undefined): CacheLookup<T> {
    if (!Item) return { kind: 'none' };
    const nowMs = this.now().getTime();
    const expiresAt = Number(Item[DATA_TABLE.timeToLiveAttribute]?.N);
    if (!(expiresAt * 1000 > nowMs)) return { kind: 'none' };
    if (Item.notFound?.BOOL) return { kind: 'not_found' };
    const fetchedAt = Item.fetchedAt?.S ?? '';
    return {
      kind: 'value',
      entry: {
        value: JSON.parse(Item.payload?.S ?? 'null') as T,
        provider: Item.provider?.S as ProviderId,
        fetchedAt,
        ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(fetchedAt)) / 1000)),
        fresh: Number(Item.freshUntil?.N) > nowMs,
        freshForSeconds: Math.max(0, Math.floor((Number(Item.freshUntil?.N) - nowMs) / 1000)) || 0,
        quality: Item.quality?.S ? (JSON.parse(Item.quality.S) as QualityReport) : null,
      },
    };
  }

  /**
   * Remembers for `seconds` that no provider knows this symbol, so repeated requests for it do not
   * spend provider quota. Written only when every provider asked said so.
   */
  async rememberNotFound(dataType: DataType, key: string, seconds: number): Promise<void> {
    const nowMs = this.now().getTime();
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...itemKey(dataType, key),
          notFound: { BOOL: true },
          fetchedAt: { S: new Date(nowMs).toISOString() },
          [DATA_TABLE.timeToLiveAttribute]: { N: String(Math.ceil(nowMs / 1000 + seconds)) },
        },
      }),
    );
  }

  /** Stores a validated value. Only call it with data that passed validation. */
  async write<T>(
    dataType: DataType,
    key: string,
    value: T,
    source: { provider: ProviderId; fetchedAt: Date; quality?: QualityReport | null },
    policy: CachePolicy,
  ): Promise<void> {
    const fetchedMs = source.fetchedAt.getTime();
    const freshUntil = fetchedMs + policy.freshSeconds * 1000;
    const expiresAt = Math.ceil((freshUntil + policy.maxStaleSeconds * 1000) / 1000);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...itemKey(dataType, key),
          payload: { S: JSON.stringify(value) },
          provider: { S: source.provider },
          fetchedAt: { S: source.fetchedAt.toISOString() },
          ...(source.quality ? { quality: { S: JSON.stringify(source.quality) } } : {}),
          freshUntil: { N: String(freshUntil) },
          [DATA_TABLE.timeToLiveAttribute]: { N: String(expiresAt) },
        },
      }),
    );
  }
}

function itemKey(dataType: DataType, key: string): Record<string, AttributeValue> {
  return {
    [DATA_TABLE.partitionKey]: { S: `${dataType}#${key}` },
    [DATA_TABLE.sortKey]: { S: `cache#${MODEL_VERSION}` },
  };
}
