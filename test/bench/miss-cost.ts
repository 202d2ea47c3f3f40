import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PRICES } from './prices.js';

/** Units and calls one kind of DynamoDB write or read spent, e.g. `UpdateItem keyusage`. */
export interface MeteredKind {
  calls: number;
  units: number;
}

/**
 * Asks DynamoDB for the capacity every command consumed (`ReturnConsumedCapacity: 'TOTAL'`, which
 * DynamoDB Local answers as DynamoDB does: a write of an item up to 1 KB is 1 WRU, a transaction
 * twice that per item) and adds it up by command and stored kind (`quote/cache`, `quote/lease`,
 * `keyusage`…).
 */
export function meterByKind(client: DynamoDBClient): Map<string, MeteredKind> {
  const kinds = new Map<string, MeteredKind>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      if (command !== 'CreateTable' && command !== 'DescribeTable') input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const consumed = [(output.output as { ConsumedCapacity?: unknown }).ConsumedCapacity].flat();
      const units = consumed.reduce<number>(
        (sum, c) => sum + ((c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
        0,
      );
      const name = `${command} ${storedKind(input)}`;
      const kind = kinds.get(name) ?? { calls: 0, units: 0 };
      kind.calls++;
      kind.units += units;
      kinds.set(name, kind);
      return output;
    },
    { step: 'initialize', name: 'meterByKind' },
  );
  return kinds;
}

type KeyLike = { pk?: { S?: string }; sk?: { S?: string } } | undefined;

/**
 * What a command's item is: a cached value's items by data type and sort key's first segment
 * (`quote/cache`, `quote/lease`), the rest by partition prefix (`keyusage`, `breaker`…).
 */
function storedKind(input: Record<string, unknown>): string {
  const transact = input.TransactItems as { Update?: { Key?: KeyLike } }[] | undefined;
  const key = (input.Key as KeyLike) ?? (input.Item as KeyLike) ?? transact?.[0]?.Update?.Key;
  const queried = (input.ExpressionAttributeValues as { ':pk'?: { S?: string } } | undefined)?.[':pk'];
  const partition = (key?.pk?.S ?? queried?.S ?? '').split('#')[0] || 'other';
  const sort = key?.sk?.S?.split('#')[0];
  return sort === 'cache' || sort === 'lease' ? `${partition}/${sort}` : partition;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Per request: reads, writes, RRU and WRU the metered kinds spent since `before`, split by kind;
 * only the stored kinds `counted` names (`quote/cache`, `keyusage`…) if given.
 */
export function perRequest(
  after: Map<string, MeteredKind>,
  before: Map<string, MeteredKind>,
  requests: number,
  counted: (storedKind: string) => boolean = () => true,
) {
  const figures = { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, byKind: [] as string[] };
  for (const [name, kind] of after) {
    if (!counted(name.split(' ')[1] ?? '')) continue;
    const calls = (kind.calls - (before.get(name)?.calls ?? 0)) / requests;
    const units = (kind.units - (before.get(name)?.units ?? 0)) / requests;
    if (calls === 0) continue;
    const write = WRITES.has(name.split(' ')[0] ?? '');
    figures[write ? 'writes' : 'reads'] += calls;
    figures[write ? 'writeUnits' : 'readUnits'] += units;
    figures.byKind.push(`${name} ${calls.toFixed(2)} (${units.toFixed(2)} ${write ? 'WRU' : 'RRU'})`);
  }
  return figures;
}

/** DynamoDB's on-demand price of a request's units, per million requests. */
export function dynamoDbDollarsPerMillion(units: { readUnits: number; writeUnits: number }): number {
  return (
    units.readUnits * PRICES.dynamodbPerMillionReadUnits +
    units.writeUnits * PRICES.dynamodbPerMillionWriteUnits
  );
}

/** The seed's hit ratio: the workload's cost figure weighs a hit and a miss by it. */
export const SEED_HIT_RATIO = 0.8;

/** Rows for the bench: a hit's and a miss's DynamoDB figures and dollars, and the mix at the seed's ratio. */
export function missCostRows(
  hitLabel: string,
  hit: ReturnType<typeof perRequest>,
  miss: ReturnType<typeof perRequest>,
): string[][] {
  const row = (label: string, figures: ReturnType<typeof perRequest>) => [
    label,
    `${figures.reads.toFixed(2)} / ${figures.writes.toFixed(2)}`,
    `${figures.readUnits.toFixed(2)} / ${figures.writeUnits.toFixed(2)}`,
    `$${dynamoDbDollarsPerMillion(figures).toFixed(2)}`,
    figures.byKind.join(', '),
  ];
  const mixed =
    SEED_HIT_RATIO * dynamoDbDollarsPerMillion(hit) + (1 - SEED_HIT_RATIO) * dynamoDbDollarsPerMillion(miss);
  return [
    row(hitLabel, hit),
    row('cache miss, healthy provider', miss),
    [`${SEED_HIT_RATIO * 100} % hits (the seed's ratio)`, '', '', `$${mixed.toFixed(2)}`, ''],
  ];
}

export const MISS_COST_HEADER = [
  'request',
  'reads / writes',
  'RRU / WRU',
  'DynamoDB $ per 1M',
  'by command and item',
];
