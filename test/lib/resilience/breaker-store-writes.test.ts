import {
  ConditionalCheckFailedException,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { type BreakerRecord, closedRecord } from '../../../lib/resilience/breaker-state.js';
import { BreakerStore, type WriteOutcome } from '../../../lib/resilience/breaker-store.js';
import type { CountPlan } from '../../../lib/resilience/breaker-tally.js';
import { expectDeclaresWhatItUses, mockedDynamoDb } from '../../support/update-placeholders.js';

// What the breaker store sends and how it reads DynamoDB's answers, with the client mocked: a write
// retried after its reply was lost (DynamoDB Local never loses a reply), and the placeholders of every
// kind of write (DynamoDB refuses a name or value an expression does not use, or one it uses and lacks).
// The races themselves run against DynamoDB Local in test/integration/circuit-breaker.test.ts.
const { client, mock } = mockedDynamoDb();

const NOW = Date.UTC(2026, 5, 1, 15);
const store = new BreakerStore(client, 'table');
const closed = closedRecord('fmp');
const versioned: BreakerRecord = { ...closed, version: 3, state: 'HALF_OPEN', probeOwner: 'p1' };
const lease = { now: NOW, probeId: 'p2', leaseUntil: NOW + 5_000 };
const plan = (fields: Partial<CountPlan>): CountPlan => ({
  now: NOW,
  window: { kind: 'none' },
  calls: 0,
  failures: 0,
  slowCalls: 0,
  run: { kind: 'append', failures: [] },
  ...fields,
});

/** Every kind of write the store makes, by name. */
const WRITES: Record<string, () => Promise<WriteOutcome>> = {
  'count, adding to a window and appending to the run': () =>
    store.count(
      'fmp',
      plan({
        window: { kind: 'add', start: NOW - 1 },
        calls: 2,
        failures: 1,
        run: { kind: 'append', failures: [NOW] },
      }),
    ),
  'count, restarting a lapsed window': () =>
    store.count('fmp', plan({ window: { kind: 'restart', lapsedAt: NOW - 60_000 }, calls: 1, failures: 1 })),
  'count, replacing the run with a shorter one': () =>
    store.count('fmp', plan({ run: { kind: 'replace', seen: [NOW - 2, NOW - 1], next: [NOW - 1] } })),
  'count, ending the whole run': () =>
    store.count('fmp', plan({ run: { kind: 'replace', seen: [NOW - 2, NOW - 1], next: [] } })),
  'open from a closed breaker at version 0': () =>
    store.open('fmp', { state: 'CLOSED', version: 0 }, { now: NOW, openUntil: NOW + 1, openCount: 1 }),
  'open from a closed breaker whose run completed it': () =>
    store.open(
      'fmp',
      { state: 'CLOSED', version: 4, run: { index: 4, failedAt: NOW } },
      { now: NOW, openUntil: NOW + 1, openCount: 1 },
    ),
  'open from half-open, by the probe': () =>
    store.open(
      'fmp',
      { state: 'HALF_OPEN', version: 3, probeOwner: 'p1' },
      { now: NOW, openUntil: NOW + 1, openCount: 2 },
    ),
  'begin half-open': () => store.beginHalfOpen({ ...closed, state: 'OPEN', version: 2 }, lease),
  'take a free probe lease': () => store.takeProbeLease({ ...versioned, probeOwner: undefined }, lease),
  'take an expired probe lease': () => store.takeProbeLease(versioned, lease),
  'count a probe success': () => store.countProbeSuccess('fmp', 'p1', NOW),
  close: () => store.close(versioned, NOW),
  'reset by an operator': () => store.override(closed, { action: 'reset', actor: 'ops', at: NOW }),
  'force open by an operator': () =>
    store.override(versioned, { action: 'force-open', actor: 'ops', at: NOW }),
};

describe('every breaker write', () => {
  for (const [name, write] of Object.entries(WRITES)) {
    it(`sends exactly the names and values its expressions use: ${name}`, async () => {
      mock.on(UpdateItemCommand).resolves({});
      await write();
      const input = mock.commandCalls(UpdateItemCommand)[0]?.args[0].input as UpdateItemCommandInput;
      expectDeclaresWhatItUses(input);
      expect(input.Key).toEqual({ pk: { S: 'breaker' }, sk: { S: 'fmp' } });
      // Each write is idempotent: it carries a token and is conditional on not finding it.
      expect(input.UpdateExpression).toContain('#writeToken1 = :token');
      expect(input.ConditionExpression).toMatch(/AND NOT \(#writeToken1 = :token OR .*\)$/);
      expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    });
  }

  it('conditions a write at version 0 so that an item never written passes it too', async () => {
    mock.on(UpdateItemCommand).resolves({});
    await WRITES['open from a closed breaker at version 0']?.();
    await WRITES['open from a closed breaker whose run completed it']?.();
    const [first, second] = mock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(first?.ConditionExpression).toContain('(attribute_not_exists(#version) OR #version = :version)');
    expect(second?.ConditionExpression).toContain(
      '#version = :version AND #state = :closed AND #runFailures[4] = :runFailedAt',
    );
  });
});

describe('the answer to a breaker write', () => {
  it('wins with the record as written', async () => {
    mock.on(UpdateItemCommand).resolves({ Attributes: { state: { S: 'OPEN' }, version: { N: '1' } } });
    expect(await store.close(versioned, NOW)).toMatchObject({
      won: true,
      record: { state: 'OPEN', version: 1 },
    });
  });

  it("loses a race with the item as it stood, which names another write's token", async () => {
    mock.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: { state: { S: 'OPEN' }, version: { N: '4' }, writeToken1: { S: 'someone-else' } },
      } as never),
    );
    expect(await store.close(versioned, NOW)).toEqual({
      won: false,
      current: expect.objectContaining({ state: 'OPEN', version: 4 }),
    });
  });

  it('wins when the failed condition shows its own token: the first attempt applied, its reply lost', async () => {
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
      const token = input.ExpressionAttributeValues?.[':token'];
      throw new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: {
          state: { S: 'CLOSED' },
          version: { N: '4' },
          writeToken1: { S: 'later' },
          writeToken2: token,
        },
      } as never);
    });
    expect(await store.close(versioned, NOW)).toMatchObject({
      won: true,
      record: { state: 'CLOSED', version: 4 },
    });
  });

  it('loses, to a closed breaker, when the failed condition returns no item', async () => {
    mock
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    expect(await store.close(versioned, NOW)).toEqual({ won: false, current: closedRecord('fmp') });
  });

  it('throws a DynamoDB fault', async () => {
    const fault = new Error('socket hang up');
    mock.on(UpdateItemCommand).rejects(fault);
    await expect(store.countProbeSuccess('fmp', 'p1', NOW)).rejects.toBe(fault);
  });
});

describe('reading breakers', () => {
  it('reads a missing item as a closed breaker, strongly consistent', async () => {
    mock.on(GetItemCommand).resolves({});
    expect(await store.read('fmp')).toEqual(closed);
    expect(mock.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('reads every stored field, the run giving the count of failures and the latest', async () => {
    mock.on(GetItemCommand).resolves({
      Item: {
        state: { S: 'OPEN' },
        version: { N: '7' },
        runFailures: { L: [{ N: String(NOW - 5) }, { N: String(NOW - 9) }] },
        windowStart: { N: String(NOW - 100) },
        windowCalls: { N: '10' },
        windowFailures: { N: '6' },
        windowSlowCalls: { N: '2' },
        openedAt: { N: String(NOW) },
        openUntil: { N: String(NOW + 30_000) },
        openCount: { N: '2' },
        probeOwner: { S: 'p1' },
        probeLeaseUntil: { N: String(NOW + 1) },
        halfOpenSuccesses: { N: '1' },
        forcedOpen: { BOOL: true },
        lastOverride: { M: { action: { S: 'force-open' }, actor: { S: 'ops' }, at: { N: String(NOW - 1) } } },
        updatedAt: { N: String(NOW) },
      },
    });
    expect(await store.read('fmp')).toEqual({
      circuit: 'fmp',
      state: 'OPEN',
      version: 7,
      runFailures: [NOW - 5, NOW - 9],
      consecutiveFailures: 2,
      lastFailureAt: NOW - 5,
      windowStart: NOW - 100,
      windowCalls: 10,
      windowFailures: 6,
      windowSlowCalls: 2,
      openedAt: NOW,
      openUntil: NOW + 30_000,
      openCount: 2,
      probeOwner: 'p1',
      probeLeaseUntil: NOW + 1,
      halfOpenSuccesses: 1,
      forcedOpen: true,
      lastOverride: { action: 'force-open', actor: 'ops', at: NOW - 1 },
      updatedAt: NOW,
    });
  });

  it('reads an unknown state as closed, and an override missing its fields as a reset by nobody at 0', async () => {
    mock.on(GetItemCommand).resolves({ Item: { state: { S: 'AJAR' }, lastOverride: { M: {} } } });
    expect(await store.read('fmp')).toMatchObject({
      state: 'CLOSED',
      lastOverride: { action: 'reset', actor: '', at: 0 },
    });
  });

  it('reads every breaker of the partition in one Query, by sort key', async () => {
    mock.on(QueryCommand).resolves({
      Items: [
        { sk: { S: 'fmp' }, state: { S: 'OPEN' } },
        { sk: { S: 'polygon' } },
        // An item without a sort key is no breaker.
        { state: { S: 'OPEN' } },
      ],
    });
    const all = await store.readAll();
    expect([...all.keys()]).toEqual(['fmp', 'polygon']);
    expect(all.get('fmp')?.state).toBe('OPEN');
    expect(mock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      ConsistentRead: true,
      ExpressionAttributeValues: { ':pk': { S: 'breaker' } },
    });
  });
});
