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
  at: z.iso.datetime().check(z.describe('When the comparison was made (ISO 8601, UTC).')),
  other: z.enum(PROVIDER_IDS).check(z.describe('The provider it was compared with.')),
  detail: z
    .string()
    .check(
      z.describe(
        'The value that differed most, both sides in the currency of the symbol: `close 2026-12-04: 101.2 at fmp, 99.1 at polygon`.',
      ),
    ),
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

/**
 * How often a container writes one provider's counts for one data type: the first comparison after a
 * write goes out at once, later ones add up in memory until this long after it. Under load that is one
 * write a minute per container, provider and data type instead of one per comparison (0.3 writes a
 * request in the bench's workload); a container reclaimed meanwhile loses at most a minute of counts.
 */
export const TALLY_WRITE_INTERVAL_MS = 60_000;

/** One comparison's outcome for one provider. */
export interface AgreementOutcome {
  provider: ProviderId;
  dataType: DataType;
  agreed: boolean;
  /** When it disagreed: recorded as the provider's latest disagreement. */
  disagreement?: Disagreement;
}

/** Counts of one provider and data type not written yet. */
interface Pending {
  provider: ProviderId;
  dataType: DataType;
  compared: number;
  agreed: number;
  disagreement?: Disagreement | undefined;
}

/**
 * The fleet-wide tally of cross-provider comparisons in the data table: one item per provider and
 * data type (`pk = agreement`, `sk = <provider>#<dataType>`), counted with `ADD compared, agreed`, so
 * every container's comparisons add up without a read and without a lost update, written at most once
 * per {@link TALLY_WRITE_INTERVAL_MS} per container. This file owns the item: it alone builds and
 * decodes it (marshall/unmarshall and a zod schema). The counters never expire: they are the
 * provider's record, and a long record is the point.
 */
export class AgreementTally {
  readonly #pending = new Map<string, Pending>();
  readonly #writtenAt = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly writeIntervalMs = TALLY_WRITE_INTERVAL_MS,
  ) {}

  /**
   * Adds one comparison (at `now`, epoch ms) to the provider's counters: written with the counts
   * this container holds for it when its last write is old enough, else held. A failed write keeps
   * the counts for the next one, and throws.
   */
  async record(outcome: AgreementOutcome, now: number): Promise<void> {
    const name = `${outcome.provider}#${outcome.dataType}`;
    const { provider, dataType, agreed, disagreement } = outcome;
    this.#hold(name, { provider, dataType, compared: 1, agreed: agreed ? 1 : 0, disagreement });
    const due = this.#pending.get(name);
    if (!due || now - (this.#writtenAt.get(name) ?? Number.NEGATIVE_INFINITY) < this.writeIntervalMs) return;
    this.#pending.delete(name);
    this.#writtenAt.set(name, now);
    try {
      await this.#write(due);
    } catch (error) {
      this.#hold(name, due);
      this.#writtenAt.delete(name);
      throw error;
    }
  }

  /** Adds counts to those held for `name`, keeping the latest disagreement. */
  #hold(name: string, counts: Pending): void {
    const held = this.#pending.get(name);
    if (!held) {
      this.#pending.set(name, counts);
      return;
    }
    held.compared += counts.compared;
    held.agreed += counts.agreed;
    if (counts.disagreement && (!held.disagreement || counts.disagreement.at > held.disagreement.at))
      held.disagreement = counts.disagreement;
  }

  async #write(outcome: Pending): Promise<void> {
    const values: Record<string, unknown> = {
      ':compared': outcome.compared,
      ':agreed': outcome.agreed,
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
        UpdateExpression: `ADD #compared :compared, #agreed :agreed SET ${sets.join(', ')}`,
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
