import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DataType } from '../model/data-types.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import { joinBytes } from './item-codec.js';

/**
 * How the cache lays a value out in the data table. One partition per cached thing
 * (`pk` = `quote#IBM`, `daily_history#IBM`), holding:
 * - the head, sort key `cache#v2`: the value's metadata (provider, fetchedAt, freshUntil,
 *   servableUntil) and either the whole compressed value (`value`, binary) or, for a value too big
 *   for one item, the `version` and count (`parts`) of the parts that hold it; plus the remembered
 *   "no provider knows this symbol" (`notFoundAt`, `notFoundUntil`), which a value write clears and
 *   a marker write sets without touching the value;
 * - the parts of a split value, sort keys `cache#v2#<version>#<index>`, each with `bytes`.
 * Other facets of the same partition (a coalescing lease) use other sort-key prefixes. A reader gets
 * the head, then (for a split value) only the parts of the version it names: parts of other versions
 * (a failed delete, a write half done) stay unread until their TTL removes them.
 *
 * `v2` is bumped when the standard model or this layout changes, so old entries are not read as the
 * new shape; they expire through the TTL.
 */
export const CACHE_FORMAT = 'v2';

/** The head's sort key, and the prefix every part's sort key starts with. */
export const HEAD_SORT_KEY = `cache#${CACHE_FORMAT}`;

/**
 * Most bytes of compressed value per item. DynamoDB stops an item at 400 KB, attribute names and key
 * included; a head's other attributes are a few hundred bytes, so 256 KiB stays well below.
 */
export const MAX_PART_BYTES = 256 * 1024;

/** The partition key of a cached thing. */
export function cachePartitionKey(dataType: DataType, key: string): string {
  return `${dataType}#${key}`;
}

/** The primary key of a cached thing's head item. */
export function headKey(dataType: DataType, key: string): Record<string, AttributeValue> {
  return {
    [DATA_TABLE.partitionKey]: { S: cachePartitionKey(dataType, key) },
    [DATA_TABLE.sortKey]: { S: HEAD_SORT_KEY },
  };
}

/** The primary key of one part of a split value. */
export function partKey(
  dataType: DataType,
  key: string,
  version: string,
  index: number,
): Record<string, AttributeValue> {
  return {
    [DATA_TABLE.partitionKey]: { S: cachePartitionKey(dataType, key) },
    [DATA_TABLE.sortKey]: { S: `${partPrefix(version)}${index}` },
  };
}

/** A split value's version and part count, as its head names them; `null` for an inline value. */
export function splitOf(head: Record<string, AttributeValue>): { version: string; parts: number } | null {
  const version = head.version?.S;
  const parts = Number(head.parts?.N);
  return version !== undefined && Number.isInteger(parts) && parts > 0 ? { version, parts } : null;
}

/** The sort-key prefix of one version's parts: a reader queries only the version its head names. */
export function partPrefix(version: string): string {
  return `${HEAD_SORT_KEY}#${version}#`;
}

/**
 * A cached thing's head as the cache reads it, with its value's compressed bytes gathered: what the
 * data cache interprets, and what a container's memory cache holds. Times are epoch ms (0 when absent).
 */
export interface CacheRecord {
  provider: string | undefined;
  fetchedAt: string | undefined;
  freshUntil: number;
  servableUntil: number;
  /** The remembered "no provider knows this symbol": when it was written and when it lapses. */
  notFoundAt: number;
  notFoundUntil: number;
  /** The compressed value; `null` for a marker alone, or a split value with a part missing. */
  bytes: Uint8Array | null;
}

/** The record a head (and, for a split value, the parts of its version) stands for. */
export function recordOf(
  head: Record<string, AttributeValue>,
  items: readonly Record<string, AttributeValue>[],
): CacheRecord {
  const time = (value: string | undefined) => (value === undefined ? 0 : Number(value) || 0);
  return {
    provider: head.provider?.S,
    fetchedAt: head.fetchedAt?.S,
    freshUntil: time(head.freshUntil?.N),
    servableUntil: time(head.servableUntil?.N),
    notFoundAt: head.notFoundAt?.S === undefined ? 0 : Date.parse(head.notFoundAt.S) || 0,
    notFoundUntil: time(head.notFoundUntil?.N),
    bytes: storedBytes(head, items),
  };
}

/**
 * The compressed value a head stands for: inline, or joined from the parts of the version it names.
 * `null` when the head holds no value (only a "not found" marker) or when a part of its version is
 * missing: a reader that meets a write half done (parts of a newer version without their head, or a
 * head whose old parts were just deleted) never assembles a value from the wrong pieces.
 */
function storedBytes(
  head: Record<string, AttributeValue>,
  items: readonly Record<string, AttributeValue>[],
): Uint8Array | null {
  if (head.value?.B) return head.value.B;
  const split = splitOf(head);
  if (!split) return null;
  const prefix = partPrefix(split.version);
  const parts = new Map<number, Uint8Array>();
  for (const item of items) {
    const sortKey = item[DATA_TABLE.sortKey]?.S;
    const bytes = item.bytes?.B;
    if (!sortKey?.startsWith(prefix) || !bytes) continue;
    parts.set(Number(sortKey.slice(prefix.length)), bytes);
  }
  const ordered: Uint8Array[] = [];
  for (let index = 0; index < split.parts; index++) {
    const part = parts.get(index);
    if (!part) return null;
    ordered.push(part);
  }
  return joinBytes(ordered);
}
