import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KeyStates, type StateWrite } from '../../../lib/keys/key-states.js';
import { expectDeclaresWhatItUses, mockedDynamoDb } from '../../support/update-placeholders.js';

// What the key-state store sends and how it reads DynamoDB's answers, with the client mocked: each
// write declares its own names and values (DynamoDB refuses one unused, or one used and missing), and
// a write retried after its reply was lost (DynamoDB Local never loses a reply). The races themselves
// run against DynamoDB Local in test/integration/key-states.test.ts.
const { client, mock } = mockedDynamoDb();

const NOW = Date.UTC(2026, 5, 1, 15);
const states = () => new KeyStates(client, 'table', { now: () => NOW });

const WRITES: Record<string, (store: KeyStates) => Promise<StateWrite>> = {
  park: (store) => store.park('fmp', 'k1', NOW + 60_000, 'throttled'),
  'count an invalid answer, starting a run': (store) => store.countInvalid('fmp', 'k1', 60_000),
  'count an invalid answer into a run': async (store) => {
    // A run this container saw start within the window: the answer is added to it.
    mock.on(QueryCommand).resolves({
      Items: [{ sk: { S: 'k1' }, invalidAnswers: { N: '1' }, invalidSince: { N: String(NOW - 1) } }],
    });
    await store.read('fmp');
    return store.countInvalid('fmp', 'k1', 60_000);
  },
  'clear the run': (store) => store.clearInvalid('fmp', 'k1'),
  'claim a first re-test': (store) => store.claimRetest('fmp', { keyId: 'k1', quarantinedAt: NOW }, NOW + 1),
  'claim a later re-test': (store) =>
    store.claimRetest('fmp', { keyId: 'k1', quarantinedAt: NOW, retestAt: NOW - 1 }, NOW + 1),
  'release after a re-test': (store) => store.releaseAfterRetest('fmp', 'k1', NOW),
  'quarantine a value': (store) => store.quarantine('fmp', 'k1', 'invalid key', '2026-01-01T00:00:00Z'),
  'quarantine without a value date': (store) => store.quarantine('fmp', 'k1', 'invalid key'),
};

describe('every key-state write', () => {
  for (const [name, write] of Object.entries(WRITES)) {
    it(`sends exactly the names and values its expressions use: ${name}`, async () => {
      mock.on(UpdateItemCommand).resolves({ Attributes: { sk: { S: 'k1' } } });
      await write(states());
      const input = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input as UpdateItemCommandInput;
      expectDeclaresWhatItUses(input);
      expect(input.Key).toEqual({ pk: { S: 'keystate#fmp' }, sk: { S: 'k1' } });
      expect(input.UpdateExpression).toContain('#writeToken = :writeToken');
    });
  }

  it('counts an invalid answer with its token in a string set, so a repeat can find it', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { sk: { S: 'k1' } } });
    await states().countInvalid('fmp', 'k1', 60_000);
    const values = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':writeTokens']).toEqual({ SS: [values?.[':writeToken']?.S] });
  });
});

describe('the answer to a key-state write', () => {
  it('wins when the failed condition shows its own token in the run: the first attempt applied', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      throw new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: {
          sk: { S: 'k1' },
          invalidAnswers: { N: '1' },
          invalidSince: { N: String(NOW) },
          writeToken: { S: 'later' },
          invalidTokens: { SS: ['other', input.ExpressionAttributeValues?.[':writeToken']?.S ?? ''] },
        },
      } as never);
    });
    expect(await states().countInvalid('fmp', 'k1', 60_000)).toEqual({
      won: true,
      state: { keyId: 'k1', invalidAnswers: 1, invalidSince: NOW },
    });
  });

  it("loses to another writer's token, with the state that beat it", async () => {
    mock.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: { sk: { S: 'k1' }, parkedUntil: { N: String(NOW + 1) }, writeToken: { S: 'someone-else' } },
      } as never),
    );
    expect(await states().park('fmp', 'k1', NOW + 1, 'throttled')).toEqual({
      won: false,
      state: { keyId: 'k1', parkedUntil: NOW + 1 },
    });
  });
});

describe('reading key states', () => {
  it('reads each field on its own: an unknown park reason or an unreadable number is left out', async () => {
    mock.on(QueryCommand).resolves({
      Items: [
        {
          sk: { S: 'k1' },
          parkedUntil: { N: String(NOW + 5) },
          parkReason: { S: 'sulking' },
          quarantinedAt: { S: 'yesterday' },
          quarantineReason: { S: 'invalid key' },
          quarantinedKeyAddedAt: { S: '2026-01-01T00:00:00Z' },
          retestAt: { N: String(NOW + 9) },
        },
        // An item without its key id is no key state.
        { parkedUntil: { N: '1' } },
      ],
    });
    const read = await states().read('fmp');
    expect([...read.values()]).toEqual([
      {
        keyId: 'k1',
        parkedUntil: NOW + 5,
        quarantineReason: 'invalid key',
        quarantinedKeyAddedAt: '2026-01-01T00:00:00Z',
        retestAt: NOW + 9,
      },
    ]);
    expect(mock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      ConsistentRead: true,
      ExpressionAttributeValues: { ':pk': { S: 'keystate#fmp' } },
    });
  });
});

describe('key states around their items', () => {
  const conditionFailed = (Item?: Record<string, unknown>) =>
    new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item } as never);

  it('moves to the other update when another container moved the run, and gives up after five', async () => {
    const inRun = { sk: { S: 'k1' }, invalidSince: { N: String(NOW - 1) } };
    const lapsed = { sk: { S: 'k1' }, invalidSince: { N: String(NOW - 120_000) } };
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailed(inRun))
      .rejectsOnce(conditionFailed(lapsed))
      .rejects(conditionFailed(inRun));
    await expect(states().countInvalid('fmp', 'k1', 60_000)).rejects.toThrow('kept moving');
    const conditions = mock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input.ConditionExpression);
    expect(conditions).toHaveLength(5);
    expect(conditions[1]).toContain('#invalidSince > :cutoff');
    expect(conditions[2]).toContain('attribute_not_exists(#invalidSince)');
  });

  it('reads a write with no item back as the bare key, and a failed one without an item as lost', async () => {
    mock.on(UpdateItemCommand).resolvesOnce({}).rejects(conditionFailed());
    expect(await states().clearInvalid('fmp', 'k1')).toEqual({ won: true, state: { keyId: 'k1' } });
    expect(await states().clearInvalid('fmp', 'k1')).toEqual({ won: false, state: { keyId: 'k1' } });
  });

  it('serves reads from memory within a second, a failed read included, and folds in its own writes', async () => {
    let now = NOW;
    const store = new KeyStates(client, 'table', { now: () => now });
    const fault = new Error('socket hang up');
    mock
      .on(QueryCommand)
      .rejectsOnce(fault)
      .resolves({ Items: [{ sk: { S: 'k1' } }] });
    await expect(store.read('fmp')).rejects.toBe(fault);
    await expect(store.read('fmp')).rejects.toBe(fault);
    now += 1_000;
    expect([...(await store.read('fmp')).keys()]).toEqual(['k1']);
    mock
      .on(UpdateItemCommand)
      .resolves({ Attributes: { sk: { S: 'k1' }, parkedUntil: { N: String(NOW + 9) } } });
    await store.park('fmp', 'k1', NOW + 9, 'quota_exhausted');
    expect((await store.read('fmp')).get('k1')).toEqual({ keyId: 'k1', parkedUntil: NOW + 9 });
    expect(mock.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('releases a key by deleting its item, and forgets it at once', async () => {
    mock.on(QueryCommand).resolves({ Items: [{ sk: { S: 'k1' } }] });
    mock.on(DeleteItemCommand).resolves({});
    const store = states();
    await store.read('fmp');
    await store.release('fmp', 'k1');
    expect(mock.commandCalls(DeleteItemCommand)[0]?.args[0].input.Key).toEqual({
      pk: { S: 'keystate#fmp' },
      sk: { S: 'k1' },
    });
    expect(store.lastKnown('fmp').has('k1')).toBe(false);
  });

  it('claims the re-test of a key with no quarantine on record against no quarantine', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await states().claimRetest('fmp', { keyId: 'k1' }, NOW + 1);
    const values = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':quarantinedAt']).toEqual({ N: '-1' });
  });
});
