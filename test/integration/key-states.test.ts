import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KeyStates } from '../../lib/keys/key-states.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { countCommands } from '../support/call-counter.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';

const NOW = Date.UTC(2026, 10, 26, 15, 0, 10);
const dynamodb = localDynamoDb();
const calls = countCommands(dynamodb);

describe('KeyStates on DynamoDB Local', () => {
  it('reads every key state when the partition spans more than one Query page', async () => {
    const tableName = await freshDataTable(dynamodb, 'key-states');
    const states = new KeyStates(dynamodb, tableName, { now: () => NOW });
    // DynamoDB ends a Query page at 1 MB: six items of ~300 KB take three pages.
    const ids = Array.from({ length: 6 }, (_, i) => `key-${i}`);
    for (const keyId of ids) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            [DATA_TABLE.partitionKey]: { S: 'keystate#fmp' },
            [DATA_TABLE.sortKey]: { S: keyId },
            quarantinedAt: { N: String(NOW) },
            quarantineReason: { S: 'invalid_key' },
            padding: { S: 'x'.repeat(300_000) },
          },
        }),
      );
    }
    const before = calls.QueryCommand ?? 0;
    const read = await states.read('fmp');
    expect([...read.keys()].sort()).toEqual(ids);
    expect((calls.QueryCommand ?? 0) - before).toBeGreaterThan(1);
  });

  it('counts every invalid-key answer exactly once when ten containers race, across a lapsed run', async () => {
    const tableName = await freshDataTable(dynamodb, 'key-states');
    let now = NOW;
    const containers = Array.from(
      { length: 10 },
      () => new KeyStates(dynamodb, tableName, { now: () => now }),
    );
    await Promise.all(containers.map((states) => states.read('fmp')));
    await Promise.all(containers.map((states) => states.countInvalid('fmp', 'k', 60_000)));
    expect((await containers[0]?.countInvalid('fmp', 'k', 60_000))?.state.invalidAnswers).toBe(11);

    // A minute later the run has lapsed: the racing containers start one new run, counted in full.
    now += 60_000;
    await Promise.all(containers.map((states) => states.countInvalid('fmp', 'k', 60_000)));
    const fresh = new KeyStates(dynamodb, tableName, { now: () => now });
    expect((await fresh.read('fmp')).get('k')).toMatchObject({ invalidAnswers: 10, invalidSince: now });
  });

  it('gives a due re-test to exactly one of five racing containers', async () => {
    const tableName = await freshDataTable(dynamodb, 'key-states');
    const containers = Array.from(
      { length: 5 },
      () => new KeyStates(dynamodb, tableName, { now: () => NOW }),
    );
    await containers[0]?.quarantine('fmp', 'k', 'invalid_key', '2026-11-01T00:00:00Z');
    const seen = await Promise.all(containers.map(async (states) => (await states.read('fmp')).get('k')));
    const claims = await Promise.all(
      containers.map((states, i) => states.claimRetest('fmp', seen[i] ?? { keyId: 'k' }, NOW + 3_600_000)),
    );
    expect(claims.filter((claim) => claim.won)).toHaveLength(1);
    // The losers learn the claim from their failed write: no second claim until the next is due.
    for (const states of containers) expect(states.lastKnown('fmp').get('k')?.retestAt).toBe(NOW + 3_600_000);
  });
});

describe('KeyStates when DynamoDB applies a write and its reply is lost', () => {
  // The proxy applies half the UpdateItems in DynamoDB Local and then destroys the connection, as a
  // reply lost on the network; the SDK sends the write again, which then fails its own condition.
  const lossy = dynamoDbProxyForFile();

  it('takes the repeat of its own park, quarantine, re-test claim and release for the win it was', async () => {
    lossy.proxy.setKnobs({ dropAfterApplyShare: 0.5, dropAfterApplyOperations: ['UpdateItem'] });
    const tableName = await freshDataTable(dynamodb, 'key-states-lossy');
    const states = new KeyStates(lossy.dynamodb, tableName, { now: () => NOW });
    const outcomes: Record<string, boolean[]> = { park: [], quarantine: [], claim: [], release: [] };
    for (let i = 0; i < 6; i++) {
      const keyId = `key-${i}`;
      outcomes.park?.push((await states.park('fmp', keyId, NOW + 60_000, 'throttled')).won);
      const quarantine = await states.quarantine('fmp', keyId, 'invalid_key', '2026-11-01T00:00:00Z');
      outcomes.quarantine?.push(quarantine.won);
      outcomes.claim?.push((await states.claimRetest('fmp', quarantine.state, NOW + 3_600_000)).won);
      outcomes.release?.push((await states.releaseAfterRetest('fmp', keyId, NOW)).won);
    }
    const allWon = Array(6).fill(true);
    expect(outcomes).toEqual({ park: allWon, quarantine: allWon, claim: allWon, release: allWon });
    expect(lossy.proxy.stats().dropped).toBeGreaterThan(0);
  });
});
