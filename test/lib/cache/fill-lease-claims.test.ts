import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FillLeaseStore } from '../../../lib/cache/fill-lease-store.js';

// How the lease store reads DynamoDB's answers to its conditional writes: a lost race, a retried claim
// whose first write applied (its reply lost: DynamoDB Local cannot lose a reply), a release of a lease
// since taken over. aws-sdk-client-mock plays the answers; the races themselves run against DynamoDB
// Local in test/integration/fill-lease-store.test.ts.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const NOW = Date.UTC(2026, 5, 1, 15);
const store = new FillLeaseStore(client, 'table');
const lease = { owner: 'me', leaseUntil: NOW + 5_000 };
const stored = (owner: string, leaseUntil: number, releasedAt?: number) => ({
  owner: { S: owner },
  leaseUntil: { N: String(leaseUntil) },
  ...(releasedAt === undefined ? {} : { releasedAt: { N: String(releasedAt) } }),
});
const conditionFailed = (Item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item,
  } as never);

describe('FillLeaseStore.claim', () => {
  it('wins a free key, learning the lease it replaced and when that fill ended', async () => {
    mock.on(PutItemCommand).resolves({ Attributes: stored('old', NOW - 10, NOW - 10) });
    expect(await store.claim('quote', 'IBM', lease, NOW)).toEqual({
      won: true,
      lease,
      replaced: { owner: 'old', leaseUntil: NOW - 10, releasedAt: NOW - 10 },
    });
    const input = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input?.Item).toMatchObject({ pk: { S: 'quote#IBM' }, sk: { S: 'lease' }, owner: { S: 'me' } });
    expect(input?.ConditionExpression).toBe(
      'attribute_not_exists(#pk) OR (attribute_exists(#releasedAt) OR #leaseUntil <= :now)',
    );
    expect(input?.ExpressionAttributeValues).toEqual({ ':now': { N: String(NOW) } });
  });

  it('wins a key no lease was ever on, replacing nothing', async () => {
    mock.on(PutItemCommand).resolves({});
    expect(await store.claim('quote', 'IBM', lease, NOW)).toEqual({ won: true, lease, replaced: undefined });
  });

  it('takes a lease over only from the owner the waiter saw', async () => {
    mock.on(PutItemCommand).resolves({ Attributes: stored('dead', NOW - 1) });
    await store.claim('quote', 'IBM', lease, NOW, { owner: 'dead', leaseUntil: NOW - 1 });
    const input = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('#owner = :replaced');
    expect(input?.ExpressionAttributeValues?.[':replaced']).toEqual({ S: 'dead' });
    expect(input?.ExpressionAttributeNames?.['#owner']).toBe('owner');
  });

  it('loses to a live lease, learning it from the failed write', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed(stored('other', NOW + 3_000)));
    expect(await store.claim('quote', 'IBM', lease, NOW)).toEqual({
      won: false,
      current: { owner: 'other', leaseUntil: NOW + 3_000 },
    });
  });

  it('takes its own unreleased claim, met by the SDK’s retry, as a win with nothing known replaced', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed(stored('me', lease.leaseUntil)));
    expect(await store.claim('quote', 'IBM', lease, NOW)).toEqual({ won: true, lease, replaced: 'unknown' });
  });

  it('loses to its own lease once released: that fill is over, another claim won since', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed(stored('me', NOW, NOW)));
    expect(await store.claim('quote', 'IBM', lease, NOW)).toMatchObject({ won: false });
  });

  it('loses with nothing known when the failed write returned no readable item', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed({ owner: { S: 'x' }, leaseUntil: { N: 'soon' } }));
    expect(await store.claim('quote', 'IBM', lease, NOW)).toEqual({ won: false, current: undefined });
  });

  it('throws a DynamoDB fault: failing open is the coordinator’s decision', async () => {
    const fault = Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    mock.on(PutItemCommand).rejects(fault);
    await expect(store.claim('quote', 'IBM', lease, NOW)).rejects.toBe(fault);
  });
});

describe('FillLeaseStore.read and release', () => {
  it('reads the lease strongly consistent, and a missing one as none', async () => {
    mock
      .on(GetItemCommand)
      .resolvesOnce({ Item: stored('other', NOW + 1) })
      .resolves({});
    expect(await store.read('daily_history', 'IBM')).toEqual({ owner: 'other', leaseUntil: NOW + 1 });
    expect(await store.read('daily_history', 'IBM')).toBeUndefined();
    expect(mock.commandCalls(GetItemCommand)[0]?.args[0].input).toMatchObject({
      ConsistentRead: true,
      Key: { pk: { S: 'daily_history#IBM' }, sk: { S: 'lease' } },
    });
  });

  it('releases only its own lease, and leaves one taken over since without an error', async () => {
    mock.on(UpdateItemCommand).resolvesOnce({}).rejects(conditionFailed());
    await store.release('quote', 'IBM', 'me', NOW);
    await expect(store.release('quote', 'IBM', 'me', NOW)).resolves.toBeUndefined();
    expect(mock.commandCalls(UpdateItemCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeValues: { ':owner': { S: 'me' }, ':now': { N: String(NOW) } },
    });
  });

  it('throws a fault on release', async () => {
    const fault = new Error('socket hang up');
    mock.on(UpdateItemCommand).rejects(fault);
    await expect(store.release('quote', 'IBM', 'me', NOW)).rejects.toBe(fault);
  });
});
