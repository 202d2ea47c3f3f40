import { DATA_TABLE } from '../../../lib/storage/table-definition.js';

/**
 * What a DynamoDB request touches, read from its JSON body: the table, the partition key values of its
 * items, and, for the batch operations, which of its keys may go on and which come back unprocessed.
 */

export type Json = Record<string, unknown>;

const PARTITION_KEY = DATA_TABLE.partitionKey;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The text of an attribute value (`{"S":"quote#IBM"}` → `quote#IBM`), for S, N and B values. */
function scalar(value: unknown): string | undefined {
  const attribute = object(value);
  const text = attribute?.S ?? attribute?.N ?? attribute?.B;
  return typeof text === 'string' ? text : undefined;
}

/** The partition key value of an item or key (`Item`, `Key`). */
function partitionOf(item: unknown): string | undefined {
  return scalar(object(item)?.[PARTITION_KEY]);
}

/**
 * The partition a Query reads: the value compared with `=` to the partition key in its key condition
 * (`pk = :pk`, `#p = :pk`), or in the legacy `KeyConditions`. A Query on an index reads another key:
 * no partition of the table.
 */
function queriedPartition(request: Json): string | undefined {
  if (request.IndexName !== undefined) return undefined;
  const legacy = object(object(request.KeyConditions)?.[PARTITION_KEY]);
  if (legacy) return scalar(list(legacy.AttributeValueList)[0]);
  const expression = request.KeyConditionExpression;
  if (typeof expression !== 'string') return undefined;
  const names = object(request.ExpressionAttributeNames) ?? {};
  const values = object(request.ExpressionAttributeValues) ?? {};
  for (const match of expression.matchAll(/(#?[\w.]+)\s*=\s*(:[\w]+)/g)) {
    const [, name = '', placeholder = ''] = match;
    const attribute = name.startsWith('#') ? names[name] : name;
    if (attribute === PARTITION_KEY) return scalar(values[placeholder]);
  }
  return undefined;
}

/** Every partition key value a call touches; empty when it names none (Scan, a Query on an index). */
export function partitionsOf(operation: string, request: Json): string[] {
  const found: (string | undefined)[] = [];
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      found.push(partitionOf(request.Key));
      break;
    case 'PutItem':
      found.push(partitionOf(request.Item));
      break;
    case 'Query':
      found.push(queriedPartition(request));
      break;
    case 'TransactWriteItems':
    case 'TransactGetItems':
      found.push(...transactItemPartitions(request));
      break;
    case 'BatchGetItem':
    case 'BatchWriteItem':
      for (const entry of batchEntries(operation, request)) found.push(entry.partition);
      break;
  }
  return found.filter((value): value is string => value !== undefined);
}

/** The partition key value of each item of a transaction, in request order. */
export function transactItemPartitions(request: Json): (string | undefined)[] {
  return list(request.TransactItems).map((entry) => {
    // Each entry holds one action: Put (an Item), Update, Delete, ConditionCheck or Get (a Key).
    const action = object(Object.values(object(entry) ?? {})[0]);
    return partitionOf(action?.Item ?? action?.Key);
  });
}

/** The table a call names (the first one for batches and transactions). */
export function tableOf(request: Json): string | undefined {
  if (typeof request.TableName === 'string') return request.TableName;
  const batchTable = Object.keys(object(request.RequestItems) ?? {})[0];
  if (batchTable !== undefined) return batchTable;
  const action = Object.values(object(list(request.TransactItems)[0]) ?? {})[0];
  const table = object(action)?.TableName;
  return typeof table === 'string' ? table : undefined;
}

interface BatchEntry {
  table: string;
  /** The key (BatchGetItem) or write request (BatchWriteItem) as sent. */
  entry: unknown;
  partition: string | undefined;
}

function batchEntries(operation: string, request: Json): BatchEntry[] {
  const entries: BatchEntry[] = [];
  for (const [table, spec] of Object.entries(object(request.RequestItems) ?? {})) {
    if (operation === 'BatchGetItem') {
      for (const key of list(object(spec)?.Keys))
        entries.push({ table, entry: key, partition: partitionOf(key) });
    } else {
      for (const write of list(spec)) {
        const body = object(write);
        const item = object(body?.PutRequest)?.Item ?? object(body?.DeleteRequest)?.Key;
        entries.push({ table, entry: write, partition: partitionOf(item) });
      }
    }
  }
  return entries;
}

/** A batch divided into what goes on to DynamoDB and what is handed back unprocessed. */
export interface BatchSplit {
  /** The request with only the entries that go on; undefined when none does. */
  forward: Json | undefined;
  /** `UnprocessedKeys` (BatchGetItem) or `UnprocessedItems` (BatchWriteItem) in DynamoDB's shape. */
  unprocessed: Json;
  unprocessedCount: number;
}

/** Splits a BatchGetItem or BatchWriteItem by a decision per entry, as DynamoDB does under throttling. */
export function splitBatch(
  operation: string,
  request: Json,
  holdBack: (partition: string | undefined) => boolean,
): BatchSplit {
  const specs = object(request.RequestItems) ?? {};
  const kept: Record<string, unknown[]> = {};
  const held: Record<string, unknown[]> = {};
  for (const { table, entry, partition } of batchEntries(operation, request)) {
    const side = holdBack(partition) ? held : kept;
    side[table] = [...(side[table] ?? []), entry];
  }
  // BatchGetItem keeps each table's other parameters (projection, ConsistentRead) with its keys.
  const shape = (entries: Record<string, unknown[]>): Json =>
    Object.fromEntries(
      Object.entries(entries).map(([table, items]) => [
        table,
        operation === 'BatchGetItem' ? { ...object(specs[table]), Keys: items } : items,
      ]),
    );
  const unprocessedCount = Object.values(held).reduce((sum, items) => sum + items.length, 0);
  return {
    forward: Object.keys(kept).length > 0 ? { ...request, RequestItems: shape(kept) } : undefined,
    unprocessed: shape(held),
    unprocessedCount,
  };
}

/** Adds entries held back by the proxy to the unprocessed ones of DynamoDB Local's own answer. */
export function withUnprocessed(operation: string, answer: Json, unprocessed: Json): Json {
  const field = operation === 'BatchGetItem' ? 'UnprocessedKeys' : 'UnprocessedItems';
  const merged: Json = { ...object(answer[field]) };
  for (const [table, held] of Object.entries(unprocessed)) {
    const own = merged[table];
    if (operation === 'BatchGetItem') {
      const heldSpec = object(held) ?? {};
      merged[table] = { ...heldSpec, Keys: [...list(object(own)?.Keys), ...list(heldSpec.Keys)] };
    } else {
      merged[table] = [...list(own), ...list(held)];
    }
  }
  return { ...answer, [field]: merged };
}

/**
 * Whether a read is eventually consistent: GetItem, Query and Scan without `ConsistentRead: true`;
 * BatchGetItem when any of its tables asks without it.
 */
export function isEventuallyConsistentRead(operation: string, request: Json): boolean {
  if (operation === 'GetItem' || operation === 'Query' || operation === 'Scan') {
    return request.ConsistentRead !== true;
  }
  if (operation === 'BatchGetItem')
    return consistentTables(request).length < Object.keys(object(request.RequestItems) ?? {}).length;
  return false;
}

/** The tables of a BatchGetItem read with `ConsistentRead: true`. */
export function consistentTables(request: Json): string[] {
  return Object.entries(object(request.RequestItems) ?? {})
    .filter(([, spec]) => object(spec)?.ConsistentRead === true)
    .map(([table]) => table);
}
