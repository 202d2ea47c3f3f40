import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { THROTTLING_MESSAGE } from '../../infra/local/dynamodb-proxy/throttling.js';
import { DYNAMODB_RETRY } from '../../lib/storage/dynamodb-client.js';
import { FakeClock } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { dynamoDbClient, freshDataTable } from '../support/local-services.js';

// The lag runs on this file's fake clock, so a test moves past it instead of waiting a real second.
let clock = new FakeClock();
const file = dynamoDbProxyForFile({ now: () => clock.now() });
const LAG_MS = 1000;
let tableName: string;
let item = 0;
/** A fresh partition key value per use, so no test sees another's items or reads. */
const nextPk = () => `proxy-test#${item++}`;

beforeAll(async () => {
  tableName = await freshDataTable(file.dynamodb, 'dynamodb-proxy');
});
beforeEach(() => {
  clock = new FakeClock();
});

const key = (pk: string, sk = 'v') => ({ pk: { S: pk }, sk: { S: sk } });
const put = (db: DynamoDBClient, pk: string, version: number, sk = 'v') =>
  db.send(
    new PutItemCommand({ TableName: tableName, Item: { ...key(pk, sk), version: { N: String(version) } } }),
  );
const versionOf = (attributes: Record<string, { N?: string }> | undefined) =>
  Number(attributes?.version?.N ?? 0);
const getVersion = async (pk: string, consistent = false) =>
  versionOf(
    (
      await file.dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: key(pk), ConsistentRead: consistent }),
      )
    ).Item,
  );

describe('the DynamoDB proxy: eventually consistent reads lag', () => {
  beforeEach(() => file.proxy.setKnobs({ replicaLagMs: LAG_MS }));

  it('answers a GetItem within the lag with what the same read got before a write, and the new state after it', async () => {
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    expect(await getVersion(pk)).toBe(1);
    await put(file.dynamodb, pk, 2);
    clock.advance(LAG_MS - 1);
    expect(await getVersion(pk)).toBe(1);
    expect(file.proxy.stats().staleReads).toBe(1);
    clock.advance(2);
    expect(await getVersion(pk)).toBe(2);
  });

  it('answers a ConsistentRead GetItem with the current state at once', async () => {
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    expect(await getVersion(pk)).toBe(1);
    await put(file.dynamodb, pk, 2);
    expect(await getVersion(pk, true)).toBe(2);
    expect(await getVersion(pk)).toBe(1);
    expect(file.proxy.stats().staleReads).toBe(1);
  });

  it('lags a Query the same way, and not a consistent one', async () => {
    const pk = nextPk();
    const query = (consistent: boolean) =>
      file.dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: consistent,
        }),
      );
    await put(file.dynamodb, pk, 1, 'a');
    expect((await query(false)).Count).toBe(1);
    await put(file.dynamodb, pk, 1, 'b');
    expect((await query(false)).Count).toBe(1);
    expect((await query(true)).Count).toBe(2);
    clock.advance(LAG_MS + 1);
    expect((await query(false)).Count).toBe(2);
  });

  it('lags a BatchGetItem without ConsistentRead, and not one with it', async () => {
    const pk = nextPk();
    const batchVersion = async (consistent: boolean) => {
      const answer = await file.dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: [key(pk)], ConsistentRead: consistent } },
        }),
      );
      return versionOf(answer.Responses?.[tableName]?.[0]);
    };
    await put(file.dynamodb, pk, 1);
    expect(await batchVersion(false)).toBe(1);
    await put(file.dynamodb, pk, 2);
    expect(await batchVersion(false)).toBe(1);
    expect(await batchVersion(true)).toBe(2);
    clock.advance(LAG_MS + 1);
    expect(await batchVersion(false)).toBe(2);
  });

  it('lags only the tables of a BatchGetItem read without ConsistentRead', async () => {
    const otherTable = await freshDataTable(file.dynamodb, 'dynamodb-proxy-other');
    const pk = nextPk();
    const putBoth = async (version: number) => {
      await put(file.dynamodb, pk, version);
      await file.dynamodb.send(
        new PutItemCommand({ TableName: otherTable, Item: { ...key(pk), version: { N: String(version) } } }),
      );
    };
    const read = async () => {
      const answer = await file.dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: {
            [tableName]: { Keys: [key(pk)] },
            [otherTable]: { Keys: [key(pk)], ConsistentRead: true },
          },
        }),
      );
      return [versionOf(answer.Responses?.[tableName]?.[0]), versionOf(answer.Responses?.[otherTable]?.[0])];
    };
    await putBoth(1);
    expect(await read()).toEqual([1, 1]);
    await putBoth(2);
    expect(await read()).toEqual([1, 2]);
  });

  it('answers current state with no lag set', async () => {
    file.proxy.setKnobs({ replicaLagMs: 0 });
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    expect(await getVersion(pk)).toBe(1);
    await put(file.dynamodb, pk, 2);
    expect(await getVersion(pk)).toBe(2);
    expect(file.proxy.stats().staleReads).toBe(0);
  });
});

describe('the DynamoDB proxy: throttling with DynamoDB’s own error', () => {
  it('raises ThrottlingException with DynamoDB’s message after the SDK’s retries, each attempt a call', async () => {
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    file.proxy.setKnobs({ throttleShare: 1, throttleOperations: ['GetItem'] });
    file.proxy.resetStats();
    const error = await getVersion(pk).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).message).toBe(THROTTLING_MESSAGE);
    // The SDK retries only what it classifies as retryable: every attempt reached the proxy.
    expect((error as ThrottlingException).$metadata.attempts).toBe(DYNAMODB_RETRY.maxAttempts);
    expect(file.proxy.stats()).toMatchObject({
      calls: { GetItem: DYNAMODB_RETRY.maxAttempts },
      throttled: DYNAMODB_RETRY.maxAttempts,
    });
    // Only the named operations are throttled.
    await put(file.dynamodb, pk, 2);
  });

  /** Two stored items, every call on the first one's partition throttled, stats from here on. */
  const hotAndCold = async () => {
    const hot = nextPk();
    const cold = nextPk();
    await put(file.dynamodb, hot, 1);
    await put(file.dynamodb, cold, 1);
    file.proxy.setKnobs({ throttleShare: 1, throttlePartition: hot });
    file.proxy.resetStats();
    return { hot, cold };
  };

  it('throttles only the named partition and spares the others', async () => {
    const { hot, cold } = await hotAndCold();
    expect(await getVersion(cold)).toBe(1);
    await expect(getVersion(hot)).rejects.toBeInstanceOf(ThrottlingException);
    await expect(put(file.dynamodb, hot, 2)).rejects.toBeInstanceOf(ThrottlingException);
    const query = (pk: string) =>
      file.dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':v': { S: 'v' } },
        }),
      );
    expect((await query(cold)).Count).toBe(1);
    await expect(query(hot)).rejects.toBeInstanceOf(ThrottlingException);
    const attempts = DYNAMODB_RETRY.maxAttempts;
    expect(file.proxy.stats()).toMatchObject({
      calls: { GetItem: 1 + attempts, PutItem: attempts, Query: 1 + attempts },
      throttled: 3 * attempts,
    });
  });

  it('hands back only the throttled keys of a BatchGetItem as UnprocessedKeys', async () => {
    const { hot, cold } = await hotAndCold();
    const answer = await file.dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: [key(hot), key(cold)] } } }),
    );
    expect(answer.Responses?.[tableName]?.map((found) => found.pk?.S)).toEqual([cold]);
    expect(answer.UnprocessedKeys).toEqual({ [tableName]: { Keys: [key(hot)] } });
    expect(file.proxy.stats()).toMatchObject({ throttled: 0, unprocessed: 1 });
  });

  it('hands back only the throttled writes of a BatchWriteItem as UnprocessedItems, applying the others', async () => {
    const hot = nextPk();
    const cold = nextPk();
    file.proxy.setKnobs({ throttleShare: 1, throttlePartition: hot });
    const write = (pk: string) => ({ PutRequest: { Item: { ...key(pk), version: { N: '7' } } } });
    const answer = await file.dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [tableName]: [write(hot), write(cold)] } }),
    );
    expect(answer.UnprocessedItems).toEqual({ [tableName]: [write(hot)] });
    file.proxy.resetKnobs();
    expect(await getVersion(cold, true)).toBe(7);
    expect(await getVersion(hot, true)).toBe(0);
  });

  it('cancels a transaction touching the throttled partition with ThrottlingError, which the SDK does not retry', async () => {
    const { hot, cold } = await hotAndCold();
    const transaction = file.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { ...key(cold), version: { N: '2' } } } },
          { Put: { TableName: tableName, Item: { ...key(hot), version: { N: '2' } } } },
        ],
      }),
    );
    const error = await transaction.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ThrottlingError', Message: THROTTLING_MESSAGE },
    ]);
    expect(file.proxy.stats()).toMatchObject({ calls: { TransactWriteItems: 1 }, throttled: 1 });
    expect(await getVersion(cold, true)).toBe(1);
  });

  it('draws the same calls to throttle from the same seed', async () => {
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    // One attempt per call, so that each call shows one draw.
    const once = dynamoDbClient(file.proxy.endpoint, { retryStrategy: new ConfiguredRetryStrategy(1) });
    const pattern = async () => {
      const outcomes: boolean[] = [];
      for (let i = 0; i < 16; i++) {
        const read = once.send(new GetItemCommand({ TableName: tableName, Key: key(pk) }));
        outcomes.push(
          await read.then(
            () => true,
            () => false,
          ),
        );
      }
      return outcomes;
    };
    file.proxy.setKnobs({ throttleShare: 0.5, seed: 7 });
    const first = await pattern();
    file.proxy.setKnobs({ seed: 7 });
    expect(await pattern()).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
    once.destroy();
  });
});

describe('the DynamoDB proxy: writes applied whose reply is lost', () => {
  it('applies a dropped PutItem, the SDK retries it, and the retried conditional put fails its own condition', async () => {
    const pk = nextPk();
    file.proxy.setKnobs({ dropAfterApplyShare: 1 });
    const claim = file.dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...key(pk), version: { N: '1' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(claim).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(file.proxy.stats()).toMatchObject({ calls: { PutItem: 2 }, dropped: 1 });
    expect(await getVersion(pk, true)).toBe(1);
  });

  it('applies every attempt of a dropped non-idempotent update', async () => {
    const pk = nextPk();
    file.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['UpdateItem'] });
    const add = file.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(pk),
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    await expect(add).rejects.toThrow();
    const attempts = DYNAMODB_RETRY.maxAttempts;
    expect(file.proxy.stats()).toMatchObject({ calls: { UpdateItem: attempts }, dropped: attempts });
    expect(await getVersion(pk, true)).toBe(attempts);
  });

  it('makes a repeated TransactWriteItems token a no-op success, as DynamoDB does', async () => {
    const pk = nextPk();
    const transaction = (version: number) =>
      new TransactWriteItemsCommand({
        ClientRequestToken: `token-${pk}`,
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...key(pk), version: { N: String(version) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      });
    await file.dynamodb.send(transaction(1));
    await file.dynamodb.send(transaction(1));
    expect(await getVersion(pk, true)).toBe(1);
    await expect(file.dynamodb.send(transaction(2))).rejects.toMatchObject({
      name: 'IdempotentParameterMismatchException',
    });
  });

  it('lets the SDK retry a dropped transaction without failing its condition (its token makes the retry a no-op)', async () => {
    const pk = nextPk();
    file.proxy.setKnobs({ dropAfterApplyShare: 1, dropAfterApplyOperations: ['TransactWriteItems'] });
    // The SDK fills in ClientRequestToken and sends the same one on every attempt.
    const transaction = file.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: { ...key(pk), version: { N: '1' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    // Every attempt succeeds on DynamoDB Local and loses its reply: none is refused by its condition.
    await expect(transaction).rejects.not.toMatchObject({ name: 'TransactionCanceledException' });
    const attempts = DYNAMODB_RETRY.maxAttempts;
    expect(file.proxy.stats()).toMatchObject({ calls: { TransactWriteItems: attempts }, dropped: attempts });
    expect(await getVersion(pk, true)).toBe(1);
  });
});

describe('the DynamoDB proxy: HTTP control', () => {
  const control = (path: string, init?: RequestInit) => fetch(`${file.proxy.endpoint}/__proxy/${path}`, init);
  const post = (patch: unknown) => control('knobs', { method: 'POST', body: JSON.stringify(patch) });

  it('applies a valid knobs patch and answers the knobs', async () => {
    const answer = await post({ replicaLagMs: 250, throttleShare: 0.2, throttlePartition: 'breaker' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      replicaLagMs: 250,
      throttleShare: 0.2,
      throttlePartition: 'breaker',
    });
    expect(file.proxy.knobs()).toMatchObject({
      replicaLagMs: 250,
      throttleShare: 0.2,
      throttlePartition: 'breaker',
    });
    expect((await post({ throttlePartition: null })).status).toBe(200);
    expect(file.proxy.knobs().throttlePartition).toBeUndefined();
    expect((await control('knobs', { method: 'DELETE' })).status).toBe(200);
    expect(file.proxy.knobs()).toMatchObject({ replicaLagMs: 0, throttleShare: 0 });
  });

  it('refuses an unknown knob, a value out of range and a body that is not JSON with 400, changing nothing', async () => {
    const before = file.proxy.knobs();
    expect((await post({ replicaLag: 5 })).status).toBe(400);
    expect((await post({ throttleShare: 2 })).status).toBe(400);
    expect((await post({ dropAfterApplyOperations: ['GetItem'] })).status).toBe(400);
    expect((await post({ throttleOperations: ['CreateTable'] })).status).toBe(400);
    expect((await control('knobs', { method: 'POST', body: '{' })).status).toBe(400);
    expect(file.proxy.knobs()).toEqual(before);
  });

  it('answers and resets the stats, without counting control calls', async () => {
    const pk = nextPk();
    await put(file.dynamodb, pk, 1);
    expect(await (await control('stats')).json()).toMatchObject({ calls: { PutItem: 1 } });
    expect(await (await control('stats', { method: 'DELETE' })).json()).toEqual({
      calls: {},
      throttled: 0,
      unprocessed: 0,
      dropped: 0,
      staleReads: 0,
    });
  });
});
