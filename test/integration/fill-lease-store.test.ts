import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataCache } from '../../lib/cache/data-cache.js';
import { FillLeaseStore } from '../../lib/cache/fill-lease-store.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const dynamodb = localDynamoDb();
/** A proxy of this file's own for lost replies, on the same DynamoDB Local (and so the same table). */
const lossy = dynamoDbProxyForFile();
let tableName: string;
let store: FillLeaseStore;
const NOW = Date.now();
let symbol = 0;
const nextKey = () => `LEASE${symbol++}`;

beforeAll(async () => {
  tableName = await freshDataTable(dynamodb, 'fill-lease');
  store = new FillLeaseStore(dynamodb, tableName);
});

describe('FillLeaseStore on DynamoDB Local', () => {
  it('lets exactly one of 20 concurrent claimers win a free lease; the losers learn the winner', async () => {
    const key = nextKey();
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.claim('quote', key, { owner: `c${i}`, leaseUntil: NOW + 15_000 }, NOW),
      ),
    );
    const winners = claims.filter((claim) => claim.won);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.won ? winners[0].lease.owner : '';
    for (const claim of claims.filter((c) => !c.won)) {
      expect(claim).toEqual({ won: false, current: { owner: winner, leaseUntil: NOW + 15_000 } });
    }
    expect(await store.read('quote', key)).toEqual({ owner: winner, leaseUntil: NOW + 15_000 });
  });

  it('refuses a claim on a live lease and grants one on a lapsed lease, naming the lease it replaced', async () => {
    const key = nextKey();
    await store.claim('quote', key, { owner: 'first', leaseUntil: NOW + 15_000 }, NOW);
    expect(
      (await store.claim('quote', key, { owner: 'early', leaseUntil: NOW + 30_000 }, NOW + 14_999)).won,
    ).toBe(false);
    expect(
      await store.claim('quote', key, { owner: 'late', leaseUntil: NOW + 30_000 }, NOW + 15_000),
    ).toEqual({
      won: true,
      lease: { owner: 'late', leaseUntil: NOW + 30_000 },
      replaced: { owner: 'first', leaseUntil: NOW + 15_000 },
    });
  });

  it('lets exactly one of 20 waiters take over a lapsed lease (a compare-and-swap on its owner)', async () => {
    const key = nextKey();
    const dead = { owner: 'dead', leaseUntil: NOW + 15_000 };
    await store.claim('quote', key, dead, NOW);
    const later = NOW + 16_000;
    const takeovers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.claim('quote', key, { owner: `w${i}`, leaseUntil: later + 15_000 }, later, dead),
      ),
    );
    expect(takeovers.filter((claim) => claim.won)).toHaveLength(1);
  });

  it('refuses a takeover naming an owner that is no longer the holder', async () => {
    const key = nextKey();
    await store.claim('quote', key, { owner: 'a', leaseUntil: NOW + 1_000 }, NOW);
    await store.claim('quote', key, { owner: 'b', leaseUntil: NOW + 2_000 }, NOW + 1_000);
    // Lapsed by the clock, but "a" is gone: a waiter that still waits on "a" must not take "b"'s lease.
    const stale = await store.claim('quote', key, { owner: 'c', leaseUntil: NOW + 20_000 }, NOW + 5_000, {
      owner: 'a',
      leaseUntil: NOW + 1_000,
    });
    expect(stale).toEqual({ won: false, current: { owner: 'b', leaseUntil: NOW + 2_000 } });
  });

  it('releases only for its owner, marking the lease released and lapsed so the next claim wins at once', async () => {
    const key = nextKey();
    await store.claim('quote', key, { owner: 'holder', leaseUntil: NOW + 15_000 }, NOW);
    await store.release('quote', key, 'someone-else', NOW + 100);
    expect(await store.read('quote', key)).toEqual({ owner: 'holder', leaseUntil: NOW + 15_000 });
    await store.release('quote', key, 'holder', NOW + 200);
    expect(await store.read('quote', key)).toEqual({
      owner: 'holder',
      leaseUntil: NOW + 200,
      releasedAt: NOW + 200,
    });
    const next = await store.claim('quote', key, { owner: 'next', leaseUntil: NOW + 15_300 }, NOW + 300);
    expect(next).toMatchObject({ won: true, replaced: { owner: 'holder', releasedAt: NOW + 200 } });
  });

  it('keeps the lease in the cache key partition under its own sort key, with a TTL, beside the cached value', async () => {
    const key = nextKey();
    const cache = new DataCache(dynamodb, tableName, () => new Date(NOW));
    const quality = null;
    await cache.write(
      'quote',
      key,
      { price: 1 },
      { provider: 'fmp', fetchedAt: new Date(NOW), quality },
      {
        freshSeconds: 300,
        maxStaleSeconds: 600,
      },
    );
    await store.claim('quote', key, { owner: 'o', leaseUntil: NOW + 15_000 }, NOW);
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { [DATA_TABLE.partitionKey]: { S: `quote#${key}` }, [DATA_TABLE.sortKey]: { S: 'lease' } },
      }),
    );
    expect(Number(Item?.[DATA_TABLE.timeToLiveAttribute]?.N)).toBe(Math.ceil((NOW + 15_000) / 1000) + 60);
    const found = await cache.lookup<{ price: number }>('quote', key);
    expect(found).toMatchObject({ kind: 'value', entry: { value: { price: 1 }, fresh: true } });
  });
});

describe('FillLeaseStore against what DynamoDB really does', () => {
  it('lets a claimer whose clock lags take a released lease at once (the release is stamped with the releaser clock)', async () => {
    const key = nextKey();
    await store.claim('quote', key, { owner: 'ahead', leaseUntil: NOW + 15_000 }, NOW);
    // The releaser's clock runs 5 s ahead of the next claimer's.
    await store.release('quote', key, 'ahead', NOW + 5_000);
    const lagging = NOW + 200;
    expect(
      await store.claim('quote', key, { owner: 'behind', leaseUntil: lagging + 15_000 }, lagging),
    ).toEqual({
      won: true,
      lease: { owner: 'behind', leaseUntil: lagging + 15_000 },
      replaced: { owner: 'ahead', leaseUntil: NOW + 5_000, releasedAt: NOW + 5_000 },
    });
  });

  it('lets a lagging waiter take over a released lease it names, and still refuses a live one', async () => {
    const key = nextKey();
    const held = { owner: 'held', leaseUntil: NOW + 15_000 };
    await store.claim('quote', key, held, NOW);
    expect(
      (await store.claim('quote', key, { owner: 'w', leaseUntil: NOW + 16_000 }, NOW + 1_000, held)).won,
    ).toBe(false);
    await store.release('quote', key, 'held', NOW + 9_000);
    expect(
      (await store.claim('quote', key, { owner: 'w', leaseUntil: NOW + 16_000 }, NOW + 1_000, held)).won,
    ).toBe(true);
  });

  it('recognizes its own claim when the SDK retries one that applied but whose reply was lost: a win, what it replaced unknown', async () => {
    const key = nextKey();
    const lease = { owner: 'mine', leaseUntil: NOW + 15_000 };
    await store.claim('quote', key, lease, NOW);
    // The retry is the same request again, sent after the first one applied.
    expect(await store.claim('quote', key, lease, NOW)).toEqual({ won: true, lease, replaced: 'unknown' });
    // Another owner's claim is still refused.
    expect(await store.claim('quote', key, { owner: 'other', leaseUntil: NOW + 15_000 }, NOW)).toEqual({
      won: false,
      current: lease,
    });
  });

  it('wins a claim that applied but whose reply was lost, through the SDK retry', async () => {
    const key = nextKey();
    lossy.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['PutItem'] });
    const lease = { owner: 'mine', leaseUntil: NOW + 15_000 };
    expect(await new FillLeaseStore(lossy.dynamodb, tableName).claim('quote', key, lease, NOW)).toEqual({
      won: true,
      lease,
      replaced: 'unknown',
    });
    expect(lossy.proxy.stats().dropped).toBe(1);
  });

  it('recognizes its own takeover when the SDK retries it after a lost reply', async () => {
    const key = nextKey();
    const dead = { owner: 'dead', leaseUntil: NOW + 1_000 };
    await store.claim('quote', key, dead, NOW);
    const takeover = { owner: 'mine', leaseUntil: NOW + 17_000 };
    expect((await store.claim('quote', key, takeover, NOW + 2_000, dead)).won).toBe(true);
    expect(await store.claim('quote', key, takeover, NOW + 2_000, dead)).toEqual({
      won: true,
      lease: takeover,
      replaced: 'unknown',
    });
  });
});
