import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AgreementTally, TALLY_WRITE_INTERVAL_MS } from '../../../lib/services/agreement-tally.js';

// What is written and when, without DynamoDB: the counters' arithmetic against DynamoDB Local is
// covered by test/integration/accuracy*.test.ts; here, how a container holds counts between writes.
const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
afterEach(() => mock.reset());

const T0 = Date.UTC(2026, 11, 4, 22, 0, 0);
const agreed = { provider: 'fmp', dataType: 'quote', agreed: true } as const;
const disagreed = (at: number) =>
  ({
    provider: 'fmp',
    dataType: 'quote',
    agreed: false,
    disagreement: { at: new Date(at).toISOString(), other: 'polygon', detail: 'price' },
  }) as const;

/** Each UpdateItem's counts and latest disagreement, in order. */
function writes() {
  return mock.commandCalls(UpdateItemCommand).map((call) => {
    const values = unmarshall(call.args[0].input.ExpressionAttributeValues ?? {});
    return { compared: values[':compared'], agreed: values[':agreed'], last: values[':last']?.at };
  });
}

describe('AgreementTally', () => {
  it('writes the first comparison at once and holds the next until the interval has passed', async () => {
    mock.on(UpdateItemCommand).resolves({});
    const tally = new AgreementTally(client, 'table');
    await tally.record(agreed, T0);
    await tally.record(disagreed(T0 + 1_000), T0 + 1_000);
    await tally.record(agreed, T0 + 2_000);
    expect(writes()).toEqual([{ compared: 1, agreed: 1, last: undefined }]);
    await tally.record(agreed, T0 + TALLY_WRITE_INTERVAL_MS);
    expect(writes()).toEqual([
      { compared: 1, agreed: 1, last: undefined },
      { compared: 3, agreed: 2, last: new Date(T0 + 1_000).toISOString() },
    ]);
  });

  it('keeps the counts of a failed write for the next one', async () => {
    mock.on(UpdateItemCommand).rejectsOnce(new Error('down')).resolves({});
    const tally = new AgreementTally(client, 'table');
    await expect(tally.record(disagreed(T0), T0)).rejects.toThrow('down');
    await tally.record(agreed, T0 + 1_000);
    expect(writes().at(-1)).toEqual({ compared: 2, agreed: 1, last: new Date(T0).toISOString() });
  });
});
