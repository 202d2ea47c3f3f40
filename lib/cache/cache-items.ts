import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { DataType } from '../model/data-types.js';
import { fromAttributes, toAttributes } from '../storage/item-attributes.js';
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

/** A stored item as DynamoDB returns it. */
type Item = Record<string, AttributeValue>;

/** The primary key of a cached thing's head item. */
export function headKey(dataType: DataType, key: string): Item {
  return toAttributes({
    [DATA_TABLE.partitionKey]: cachePartitionKey(dataType, key),
    [DATA_TABLE.sortKey]: HEAD_SORT_KEY,
  });
}

/** The primary key of one part of a split value. */
export function partKey(dataType: DataType, key: string, version: string, index: number): Item {
  return toAttributes({
    [DATA_TABLE.partitionKey]: cachePartitionKey(dataType, key),
    [DATA_TABLE.sortKey]: `${partPrefix(version)}${index}`,
  });
}

/** What a head stores beside its value: who answered, when, and how long the value may be served. */
export interface HeadFields {
  provider: string;
  fetchedAt: string;
  freshUntil: number;
  servableUntil: number;
}

/**
 * A head item: the value inline (`bytes`) or the version and part count of a split one, its
 * metadata, and the TTL (epoch seconds) at the end of its stale window. Writing it clears any marker.
 */
export function headItem(
  dataType: DataType,
  key: string,
  value: { bytes: Uint8Array } | { version: string; parts: number },
  fields: HeadFields,
): Item {
  return {
    ...headKey(dataType, key),
    ...toAttributes({
      ...('bytes' in value ? { value: value.bytes } : { version: value.version, parts: value.parts }),
      ...fields,
      [DATA_TABLE.timeToLiveAttribute]: ttlOf(fields.servableUntil),
    }),
  };
}

/** One part of a split value, expiring with the head that names it. */
export function partItem(
  dataType: DataType,
  key: string,
  part: { version: string; index: number; bytes: Uint8Array },
  servableUntil: number,
): Item {
  return {
    ...partKey(dataType, key, part.version, part.index),
    ...toAttributes({ bytes: part.bytes, [DATA_TABLE.timeToLiveAttribute]: ttlOf(servableUntil) }),
  };
}

/** The TTL attribute's value (epoch seconds) for an item servable until `until` (epoch ms). */
export function ttlOf(until: number): number {
  return Math.ceil(until / 1000);
}

/** A time stored in epoch ms; absent or unreadable as 0. */
const time = z.catch(z.number(), 0);
const optionalText = z.catch(z.optional(z.string()), undefined);

/** A head as stored. Each field is read on its own: an unreadable one is read as absent (a time as 0). */
const HeadSchema = z.object({
  [DATA_TABLE.partitionKey]: z.catch(z.string(), ''),
  provider: optionalText,
  fetchedAt: optionalText,
  freshUntil: time,
  servableUntil: time,
  notFoundAt: z.pipe(
    optionalText,
    z.transform((at) => (at === undefined ? 0 : Date.parse(at) || 0)),
  ),
  notFoundUntil: time,
  value: z.catch(z.optional(z.instanceof(Uint8Array)), undefined),
  version: optionalText,
  parts: z.catch(z.optional(z.int().check(z.positive())), undefined),
});

/** A part as stored: its sort key and bytes; an item without them is no part. */
const PartSchema = z.object({ [DATA_TABLE.sortKey]: z.string(), bytes: z.instanceof(Uint8Array) });

type Head = z.output<typeof HeadSchema>;

function readHead(head: Item): Head {
  // Every field has a fallback, so the schema refuses no object: an item always reads as a head.
  return fromAttributes(HeadSchema, head) as Head;
}

/** The partition key (`<dataType>#<key>`) of a head read back ('' when unreadable: it names no entry). */
export function cacheIdOf(head: Item): string {
  return readHead(head)[DATA_TABLE.partitionKey];
}

/** A split value's version and part count, as its head names them; `null` for an inline value. */
export function splitOf(head: Item): { version: string; parts: number } | null {
  return splitIn(readHead(head));
}

function splitIn({ version, parts }: Head): { version: string; parts: number } | null {
  return version !== undefined && parts !== undefined ? { version, parts } : null;
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
export function recordOf(head: Item, items: readonly Item[]): CacheRecord {
  const stored = readHead(head);
  return {
    provider: stored.provider,
    fetchedAt: stored.fetchedAt,
    freshUntil: stored.freshUntil,
    servableUntil: stored.servableUntil,
    notFoundAt: stored.notFoundAt,
    notFoundUntil: stored.notFoundUntil,
    bytes: storedBytes(stored, items),
  };
}

/**
 * The compressed value a head stands for: inline, or joined from the parts of the version it names.
 * `null` when the head holds no value (only a "not found" marker) or when a part of its version is
 * missing: a reader that meets a write half done (parts of a newer version without their head, or a
 * head whose old parts were just deleted) never assembles a value from the wrong pieces.
 */
function storedBytes(head: Head, items: readonly Item[]): Uint8Array | null {
  if (head.value) return head.value;
  const split = splitIn(head);
  if (!split) return null;
  const prefix = partPrefix(split.version);
  const parts = new Map<number, Uint8Array>();
  for (const item of items) {
    const part = fromAttributes(PartSchema, item);
    const sortKey = part?.[DATA_TABLE.sortKey];
    if (!part || !sortKey?.startsWith(prefix)) continue;
    parts.set(Number(sortKey.slice(prefix.length)), part.bytes);
  }
  const ordered: Uint8Array[] = [];
  for (let index = 0; index < split.parts; index++) {
    const part = parts.get(index);
    if (!part) return null;
    ordered.push(part);
  }
  return joinBytes(ordered);
}
