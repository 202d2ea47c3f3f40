import { QueryCommand, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KeyStates } from '../../../lib/keys/key-states.js';
import { mockedDynamoDb } from '../../support/update-placeholders.js';

// The key-state writes' expressions as DynamoDB receives them: the client is mocked, so the test pins
// the requests; test/integration/key-states.test.ts runs them on DynamoDB Local.
const { client, mock } = mockedDynamoDb();

const NOW = Date.UTC(2026, 5, 1, 15);
const states = () => new KeyStates(client, 'table', { now: () => NOW });
const lastUpdate = () => mock.commandCalls(UpdateItemCommand).at(-1)?.args[0].input as UpdateItemCommandInput;

describe('key-state writes', () => {
  it('parks a key only where no park as long already stands, answering the item as written or as it stood', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await states().park('fmp', 'k1', NOW + 60_000, 'throttled');
    expect(lastUpdate()).toMatchObject({
      UpdateExpression:
        'SET #parkedUntil = :until, #parkReason = :reason, #parkedAt = :now, #writeToken = :writeToken',
      ConditionExpression: 'attribute_not_exists(#parkedUntil) OR #parkedUntil < :until',
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('starts a run of invalid answers at now', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await states().countInvalid('fmp', 'k1', 60_000);
    expect(lastUpdate().UpdateExpression).toBe(
      'SET #invalidAnswers = :one, #invalidSince = :now, #lastInvalidAt = :now, #invalidTokens = :writeTokens, #writeToken = :writeToken',
    );
  });

  it('quarantines a key with the date of the value it quarantined, and again when that value is replaced', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await states().quarantine('fmp', 'k1', 'invalid key', '2026-01-01T00:00:00Z');
    expect(lastUpdate()).toMatchObject({
      UpdateExpression:
        'SET #quarantinedAt = :now, #quarantineReason = :reason, #quarantinedKeyAddedAt = :addedAt, #writeToken = :writeToken REMOVE #invalidAnswers, #invalidSince, #lastInvalidAt, #invalidTokens, #retestAt',
      ConditionExpression: 'attribute_not_exists(#quarantinedAt) OR #quarantinedKeyAddedAt <> :addedAt',
    });
    await states().quarantine('fmp', 'k1', 'invalid key');
    expect(lastUpdate()).toMatchObject({
      UpdateExpression:
        'SET #quarantinedAt = :now, #quarantineReason = :reason, #writeToken = :writeToken REMOVE #invalidAnswers, #invalidSince, #lastInvalidAt, #invalidTokens, #retestAt',
      ConditionExpression: 'attribute_not_exists(#quarantinedAt)',
    });
  });

  it("reads the provider's states with one consistent Query of its partition", async () => {
    mock.on(QueryCommand).resolves({ Items: [] });
    await states().read('fmp');
    expect(mock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': { S: 'keystate#fmp' } },
      ConsistentRead: true,
    });
  });
});
