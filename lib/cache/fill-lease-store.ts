import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { DataType } from '../model/data-types.js';
import { fromAttributes, toAttributes } from '../storage/item-attributes.js';
import { updateExpressions } from '../storage/item-update.js';
import { DATA_TABLE } from '../storage/table-definition.js';
import {
  type FillLease,
  leaseItemExpiresAt,
  type ReplacedLease,
  type StoredLease,
} from './fill-lease-state.js';

/** The lease's sort key, beside the cached value in the cache key's own partition. */
const LEASE_SORT_KEY = 'lease';

/**
 * A claim's result, learnt from the write itself: the winner sees the lease it replaced (when its fill
 * ended), the loser the lease that beat it.
 */
export type LeaseClaim =
  | { won: true; lease: FillLease; replaced: ReplacedLease }
  | { won: false; current: StoredLease | undefined };

/**
 * Cache-fill leases in the data table: one item per cache key, in the key's partition
 * (`pk = <dataType>#<key>`, as the cache's items) under `sk = lease`, with the TTL attribute set so
 * DynamoDB reaps it. Every claim is a conditional `PutItem`, so of the containers racing for one key
 * exactly one wins; a lost race is a value, never an error. DynamoDB faults are thrown: failing open
 * is the coordinator's decision.
 */
export class FillLeaseStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Claims the lease for `lease.owner` when there is none, it was released, or it lapsed at `now`. A
   * released lease is free whatever the claimer's clock says (its `leaseUntil` is the releaser's
   * clock, which may run ahead of this one). With `replacing` (a takeover), the lease must still be
   * the one the waiter saw: a compare-and-swap on its owner, so even waiters whose clocks disagree
   * cannot both take it over.
   *
   * A claim whose write applied but whose reply was lost is retried by the SDK, and the retry fails
   * the condition against the claim itself: the item DynamoDB returns with the failure
   * (`ReturnValuesOnConditionCheckFailure`) names this owner, so it is a win, as Powertools
   * Idempotency treats its own record. What it replaced is then unknown.
   */
  async claim(
    dataType: DataType,
    key: string,
    lease: FillLease,
    now: number,
    replacing?: FillLease,
  ): Promise<LeaseClaim> {
    const free = '(attribute_exists(#releasedAt) OR #leaseUntil <= :now)';
    // A put's condition, built as an update's is (it has no update expression to send).
    const { UpdateExpression: _none, ...condition } = updateExpressions({
      condition: replacing
        ? `attribute_not_exists(#${DATA_TABLE.partitionKey}) OR (#owner = :replaced AND ${free})`
        : `attribute_not_exists(#${DATA_TABLE.partitionKey}) OR ${free}`,
      names: [DATA_TABLE.partitionKey, 'leaseUntil', 'releasedAt', ...(replacing ? ['owner'] : [])],
      values: { ':now': now, ...(replacing ? { ':replaced': replacing.owner } : {}) },
    });
    try {
      const { Attributes } = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toAttributes({
            ...leaseKey(dataType, key),
            owner: lease.owner,
            leaseUntil: lease.leaseUntil,
            [DATA_TABLE.timeToLiveAttribute]: leaseItemExpiresAt(lease),
          }),
          ...condition,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true, lease, replaced: toLease(Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = toLease(error.Item);
      if (isOwnClaim(current, lease)) return { won: true, lease, replaced: 'unknown' };
      return { won: false, current };
    }
  }

  /** The lease as it stands, strongly consistent (a waiter must see a release at once); tiny, so cheap to poll. */
  async read(dataType: DataType, key: string): Promise<StoredLease | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: toAttributes(leaseKey(dataType, key)),
        ConsistentRead: true,
      }),
    );
    return toLease(Item);
  }

  /**
   * Ends `owner`'s lease (its fill is done, or failed) at `now`: the item stays, lapsed and marked
   * released, so waiters stop waiting at their next poll and the next claimer learns when this fill
   * ended. A lease since taken over by another is left alone.
   */
  async release(dataType: DataType, key: string, owner: string, now: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes(leaseKey(dataType, key)),
          ...updateExpressions({
            set: ['#leaseUntil = :now', '#releasedAt = :now'],
            condition: '#owner = :owner',
            names: ['owner', 'leaseUntil', 'releasedAt'],
            values: { ':owner': owner, ':now': now },
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** The cache key's partition, as `DataCache` names it, and the lease's own sort key. */
function leaseKey(dataType: DataType, key: string): Record<string, string> {
  return { [DATA_TABLE.partitionKey]: `${dataType}#${key}`, [DATA_TABLE.sortKey]: LEASE_SORT_KEY };
}

/** The claim this request already wrote (its reply lost), not yet released. */
function isOwnClaim(current: StoredLease | undefined, lease: FillLease): boolean {
  return current?.owner === lease.owner && current.releasedAt === undefined;
}

/** A stored lease; an item without an owner or a finite `leaseUntil` is no lease. */
const StoredLeaseSchema = z.object({
  owner: z.string(),
  leaseUntil: z.number().check(z.refine(Number.isFinite)),
  releasedAt: z.catch(z.optional(z.number()), undefined),
});

function toLease(item: Parameters<typeof fromAttributes>[1]): StoredLease | undefined {
  const stored = fromAttributes(StoredLeaseSchema, item);
  if (stored === undefined) return undefined;
  const { owner, leaseUntil, releasedAt } = stored;
  return releasedAt === undefined ? { owner, leaseUntil } : { owner, leaseUntil, releasedAt };
}
