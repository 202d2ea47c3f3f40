import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FillLeaseStore } from '../../../lib/cache/fill-lease-store.js';
import { expectDeclaresWhatItUses } from '../../support/update-placeholders.js';

// The lease writes' expressions as DynamoDB receives them: the client is mocked, so the test pins the
// requests; test/integration/fill-lease-store.test.ts runs them on DynamoDB Local.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const NOW = Date.UTC(2026, 5, 1, 15);
const store = new FillLeaseStore(client, 'table');

describe('fill lease writes', () => {
  it('claims a key free of a live lease, answering the lease it replaced or the one that beat it', async () => {
    mock.on(PutItemCommand).resolves({});
    await store.claim('quote', 'IBM', { owner: 'me', leaseUntil: NOW + 5_000 }, NOW);
    const input = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      ConditionExpression:
        'attribute_not_exists(#pk) OR (attribute_exists(#releasedAt) OR #leaseUntil <= :now)',
      ExpressionAttributeNames: { '#pk': 'pk', '#leaseUntil': 'leaseUntil', '#releasedAt': 'releasedAt' },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expectDeclaresWhatItUses({ ...input, UpdateExpression: '' });
  });

  it('releases its own lease by ending it now and marking it released', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await store.release('quote', 'IBM', 'me', NOW);
    const input = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      UpdateExpression: 'SET #leaseUntil = :now, #releasedAt = :now',
      ConditionExpression: '#owner = :owner',
    });
    expectDeclaresWhatItUses(input ?? {});
  });
});
