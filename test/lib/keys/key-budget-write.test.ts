import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';
import { expectDeclaresWhatItUses } from '../../support/update-placeholders.js';

// The key budget's one conditional UpdateItem, whole, as DynamoDB receives it: the client is mocked,
// so the test pins the request; test/integration/rate-limiter.test.ts runs the same writes on
// DynamoDB Local.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = String(Math.floor(T0 / 60_000));
const DAY = 'd#2026-11-26';
/** The day's item outlives its quota day (ending at midnight UTC for Alpha Vantage) by an hour. */
const EXPIRES_AT = String(Date.UTC(2026, 10, 27) / 1000 + 3_600);
const NAMES = {
  '#calls': 'calls',
  '#minute': 'minute',
  '#minuteCalls': 'minuteCalls',
  '#tokens': 'tokens',
  '#expiresAt': 'expiresAt',
  '#keyId': 'keyId',
  '#window': 'window',
};

async function twoCalls() {
  mock.on(UpdateItemCommand).resolves({});
  const limiter = new RateLimiter(client, 'table', { token: () => 'mine' });
  await limiter.take('alpha-vantage', 'k', { perMinute: 5, perDay: 25 }, T0);
  await limiter.take('alpha-vantage', 'k', { perMinute: 5, perDay: 25 }, T0 + 1_000);
  return mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
}

describe("the key budget's write", () => {
  it('turns the minute with SET and counts the day with ADD, on an item that expires an hour after its quota day', async () => {
    const [turn] = await twoCalls();
    expect(turn).toMatchObject({
      TableName: 'table',
      UpdateExpression:
        'SET #expiresAt = :expiresAt, #keyId = :keyId, #window = :window, #minute = :minute, #minuteCalls = :one, #tokens = :tokens ADD #calls :one',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':minute': { N: MINUTE },
        ':tokens': { SS: ['mine'] },
        ':expiresAt': { N: EXPIRES_AT },
        ':keyId': { S: 'k' },
        ':window': { S: DAY },
        ':perDay': { N: '25' },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expectDeclaresWhatItUses(turn ?? {});
  });

  it('counts a call in the same minute with ADD alone, its token kept so a retried write is known', async () => {
    const [, same] = await twoCalls();
    expect(same).toMatchObject({
      UpdateExpression:
        'SET #expiresAt = :expiresAt, #keyId = :keyId, #window = :window ADD #calls :one, #minuteCalls :one, #tokens :tokens',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':minute': { N: MINUTE },
        ':tokens': { SS: ['mine'] },
        ':expiresAt': { N: EXPIRES_AT },
        ':keyId': { S: 'k' },
        ':window': { S: DAY },
        ':token': { S: 'mine' },
        ':perMinute': { N: '5' },
        ':perDay': { N: '25' },
      },
    });
    expectDeclaresWhatItUses(same ?? {});
  });
});

describe("the key budget's refusals", () => {
  it('takes a full minute on record from an earlier minute as no refusal, and turns the minute', async () => {
    const earlier = Number(MINUTE) - 1;
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: marshall({ keyId: 'k', window: DAY, calls: 7, minute: earlier, minuteCalls: 5 }),
        }),
      )
      .resolves({});
    const limiter = new RateLimiter(client, 'table', { token: () => 'mine' });
    expect(await limiter.take('alpha-vantage', 'k', { perMinute: 5, perDay: 25 }, T0)).toEqual({
      granted: true,
    });
    const conditions = mock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.ConditionExpression);
    expect(conditions.map((condition) => condition?.startsWith('(attribute_not_exists(#minute)'))).toEqual([
      true,
      true,
    ]);
  });
});

describe("the key budget's usage read", () => {
  it("queries the provider's partition for today's window only", async () => {
    mock.on(QueryCommand).resolves({ Items: [] });
    await new RateLimiter(client, 'table').usage('alpha-vantage', ['k'], T0);
    const [query] = mock.commandCalls(QueryCommand);
    expect(query?.args[0].input).toMatchObject({
      TableName: 'table',
      KeyConditionExpression: '#pk = :pk',
      FilterExpression: '#window = :day',
      ExpressionAttributeNames: { '#pk': 'pk', '#window': 'window' },
    });
  });
});
