import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import { DATA_TYPES, type DataType } from '../model/data-types.js';
import { PROVIDER_IDS, type ProviderId } from '../model/provider-ids.js';
import { queryAll } from '../storage/query-all.js';
import { DATA_TABLE } from '../storage/table-definition.js';

/** Every tally item lives in this partition: the status endpoint reads them all with one Query. */
const PARTITION = 'agreement';

/** The latest comparison of a provider that found it beyond tolerance: with whom, on what, by how much. */
export const DisagreementSchema = z.object({
  at: z.iso.datetime(),
  other: z.enum(PROVIDER_IDS),
  /** The value that differed most, e.g. `close 2026-12-04: 101.2 here, 100.1 at fmp`. */
  detail: z.string(),
});

/** One provider's measured agreement on one data type, fleet-wide, since the item was created. */
export const AgreementSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  dataType: z.enum(DATA_TYPES),
  compared: z.int().check(z.nonnegative()),
  agreed: z.int().check(z.nonnegative()),
  lastDisagreement: z.nullable(DisagreementSchema),
});

export type Disagreement = z.infer<typeof DisagreementSchema>;
export type Agreement = z.infer<typeof AgreementSchema>;

/** The stored item: the key, the two counters, and the latest disagreement when there was one. */
const ItemSchema = z.object({
  [DATA_TABLE.partitionKey]: z.literal(PARTITION),
  [DATA_TABLE.sortKey]: z.string(),
  provider: z.enum(PROVIDER_IDS),
  dataType: z.enum(DATA_TYPES),
  compared: z.int(),
  agreed: z.int(),
  lastDisagreement: z.optional(DisagreementSchema),
});

/** One comparison's outcome for one provider. */
export interface AgreementOutcome {
  provider: ProviderId;
  dataType: DataType;
  agreed: boolean;
  /** When it disagreed: recorded as the provider's latest disagreement. */
  disagreement?: Disagreement;
}

/**
 * The fleet-wide tally of cross-provider comparisons in the data table: one item per provider and
 * data type (`pk = agreement`, `sk = <provider>#<dataType>`), counted with `ADD compared, agreed`, so
 * every container's comparisons add up without a read and without a lost update. This file owns the
 * item: it alone builds and decodes it (marshall/unmarshall and a zod schema). The counters never
 * expire: they are the provider's record, and a long record is the point.
 */
export class AgreementTally {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Adds one comparison to the provider's counters. */
  async record(outcome: AgreementOutcome): Promise<void> {
    const values: Record<string, unknown> = {
      ':one': 1,
      ':agreed': outcome.agreed ? 1 : 0,
      ':provider': outcome.provider,
      ':dataType': outcome.dataType,
    };
    const sets = ['#provider = :provider', '#dataType = :dataType'];
    if (outcome.disagreement) {
      values[':last'] = outcome.disagreement;
      sets.push('#last = :last');
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({
          [DATA_TABLE.partitionKey]: PARTITION,
          [DATA_TABLE.sortKey]: `${outcome.provider}#${outcome.dataType}`,
        }),
        UpdateExpression: `ADD #compared :one, #agreed :agreed SET ${sets.join(', ')}`,
        ExpressionAttributeNames: {
          '#compared': 'compared',
          '#agreed': 'agreed',
          '#provider': 'provider',
          '#dataType': 'dataType',
          ...(outcome.disagreement ? { '#last': 'lastDisagreement' } : {}),
        },
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  /** Every provider's tally, per data type; an item that does not decode is left out, not fatal. */
  async readAll(): Promise<Agreement[]> {
    const items = queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': DATA_TABLE.partitionKey },
      ExpressionAttributeValues: marshall({ ':pk': PARTITION }),
    });
    const tallies: Agreement[] = [];
    for await (const item of items) {
      const parsed = ItemSchema.safeParse(unmarshall(item));
      if (!parsed.success) continue;
      const { provider, dataType, compared, agreed, lastDisagreement } = parsed.data;
      tallies.push({ provider, dataType, compared, agreed, lastDisagreement: lastDisagreement ?? null });
    }
    return tallies;
  }
}
