import {
  type AttributeValue,
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  QueryCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyBroker } from '../../../lib/keys/key-broker.js';
import { KeyStates } from '../../../lib/keys/key-states.js';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';
import type { KeyPool, ProviderKey } from '../../../lib/keys/secrets-layout.js';
import type { ProviderId } from '../../../lib/model/provider-ids.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { mockedDynamoDb } from '../../support/update-placeholders.js';

// The broker's decisions on one container, with DynamoDB's answers played by aws-sdk-client-mock
// (the key states it reads, the budget writes it is granted or refused, the state writes it wins or
// loses). The same rules across containers on DynamoDB Local: test/integration/key-broker.test.ts,
// key-quarantine*.test.ts and fleet-key-budgets.test.ts; with DynamoDB down: key-broker-outage.test.ts.
const { client, mock } = mockedDynamoDb();

const AV = 'alpha-vantage';
const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TODAY = '2026-11-26';
const ADDED = '2026-11-01T00:00:00Z';

const key = (id: string, limits?: ProviderKey['limits']): ProviderKey => ({
  id,
  value: `VALUE-${id}`,
  addedAt: ADDED,
  ...(limits ? { limits } : {}),
});

/** A key state item as DynamoDB holds (and returns) it. */
type Item = Record<string, AttributeValue>;
const stateItem = (keyId: string, fields: Record<string, NativeAttributeValue> = {}): Item =>
  marshall({ pk: `keystate#${AV}`, sk: keyId, ...fields });
const conditionFailed = (Item?: Item) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item });
const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

/** The usage item a refused budget write returns: the day's calls and the current minute's. */
const usageItem = (keyId: string, calls: number, minuteCalls = 0, minute = Math.floor(T0 / MINUTE)): Item =>
  marshall({ keyId, window: `d#${TODAY}`, calls, minute, minuteCalls });

/** Matches the writes of the provider's key states, and of one key's budget today. */
const keyStates = () => ({ Key: { pk: { S: `keystate#${AV}` } } });
const budgetOf = (keyId: string) => ({
  Key: { pk: { S: `keyusage#${AV}` }, sk: { S: `${keyId}#d#${TODAY}` } },
});

function updates(pk: string): UpdateItemCommandInput[] {
  return mock
    .commandCalls(UpdateItemCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Key?.pk?.S?.startsWith(pk));
}
/** The keys whose budget was asked for, in order. */
const budgetTakes = () => updates('keyusage#').map((input) => input.Key?.sk?.S?.split('#')[0]);
const stateWrites = () => updates('keystate#');

let events: string[];
let logs: { level: string; message: string; context: unknown }[];
const metrics = {
  keyUsage: (provider: string, outcome: string) => void events.push(`usage ${provider} ${outcome}`),
  keyParked: (provider: string, reason: string) => void events.push(`parked ${provider} ${reason}`),
  keyQuarantined: (provider: string) => void events.push(`quarantined ${provider}`),
  keyRetest: (provider: string, outcome: string) => void events.push(`retest ${provider} ${outcome}`),
} as unknown as DataLayerMetrics;
const logger: DomainLogger = {
  debug: () => {},
  info: (message, ...context) =>
    void logs.push({ level: 'info', message: String(message), context: context[0] }),
  warn: (message, ...context) =>
    void logs.push({ level: 'warn', message: String(message), context: context[0] }),
  error: (message, ...context) =>
    void logs.push({ level: 'error', message: String(message), context: context[0] }),
};
/** The events other than leases: parks, quarantines, re-test verdicts. */
const verdicts = () => events.filter((event) => !event.startsWith('usage '));
const logged = (text: string) => logs.filter((log) => log.message.includes(text));

beforeEach(() => {
  events = [];
  logs = [];
});

interface BrokerSetup {
  /** Key states the fleet has written, as the states Query returns them. */
  states?: ReturnType<typeof stateItem>[];
  /** Leave the first turn to chance, as in production; else the turn starts at the pool's first key. */
  randomStart?: boolean;
  pool?: () => Promise<KeyPool>;
  threshold?: number;
}

/** One container's broker over the pool, its clock at T0; budget writes are granted unless a test says otherwise. */
function container(pool: KeyPool, setup: BrokerSetup = {}) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const forcedPoolReads: string[] = [];
  mock.on(QueryCommand).resolves({ Items: setup.states ?? [] });
  mock.on(UpdateItemCommand, { Key: { pk: { S: `keyusage#${AV}` } } }).resolves({});
  const broker = new KeyBroker({
    pools: {
      pool: async (provider, force) => {
        if (force) forcedPoolReads.push(provider);
        return setup.pool ? setup.pool() : pool;
      },
    },
    limiter: new RateLimiter(client, 'table', { token: () => 'token' }),
    states: new KeyStates(client, 'table', { now }),
    metrics,
    logger,
    now,
    ...(setup.randomStart ? {} : { firstTurn: 0 }),
    quarantine: { threshold: setup.threshold ?? 3, windowMs: HOUR, retestMs: HOUR },
  });
  const leaseIds = async (n: number, provider: ProviderId = AV) => {
    const ids: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) ids.push((await broker.lease(provider))?.id);
    return ids;
  };
  return { broker, clock, leaseIds, forcedPoolReads };
}

describe('KeyBroker leasing', () => {
  it("leases the pool's keys in turn, taking each lease's budget on the key's item for the day", async () => {
    const { broker, leaseIds } = container({ keys: [key('a'), key('b'), key('c')] });
    expect(await leaseIds(4)).toEqual(['a', 'b', 'c', 'a']);
    expect(budgetTakes()).toEqual(['a', 'b', 'c', 'a']);
    expect(updates('keyusage#')[0]?.Key?.sk).toEqual({ S: `a#d#${TODAY}` });
    expect(events).toEqual(Array(4).fill(`usage ${AV} leased`));
    expect(await broker.lease(AV)).toEqual({ id: 'b', value: 'VALUE-b', addedAt: ADDED });
  });

  it('starts its turn at a random place in the pool when none is given, so containers spread their calls', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.0015);
    try {
      const { leaseIds } = container({ keys: [key('a'), key('b'), key('c')] }, { randomStart: true });
      expect(await leaseIds(4)).toEqual(['b', 'c', 'a', 'b']);
    } finally {
      random.mockRestore();
    }
  });

  it('skips a quarantined key and a parked one until its park ends; a quarantine holds only the value it hit', async () => {
    const { clock, leaseIds } = container(
      { keys: [key('quarantined'), key('parked'), key('replaced'), key('fine')] },
      {
        states: [
          stateItem('quarantined', { quarantinedAt: T0, quarantinedKeyAddedAt: ADDED }),
          stateItem('parked', { parkedUntil: T0 + MINUTE, parkReason: 'throttled' }),
          // The quarantine named an older value; the pool holds a new one under the same id.
          stateItem('replaced', { quarantinedAt: T0, quarantinedKeyAddedAt: '2026-01-01T00:00:00Z' }),
        ],
      },
    );
    expect(new Set(await leaseIds(4))).toEqual(new Set(['replaced', 'fine']));
    clock.now = T0 + MINUTE;
    expect(new Set(await leaseIds(3))).toEqual(new Set(['parked', 'replaced', 'fine']));
  });

  it('answers no key, counted, when every key is out of service', async () => {
    const { broker } = container({ keys: [key('a')] }, { states: [stateItem('a', { quarantinedAt: T0 })] });
    expect(await broker.lease(AV)).toBeNull();
    expect(budgetTakes()).toEqual([]);
    expect(events).toEqual([`usage ${AV} none_usable`]);
  });

  it('skips a key whose day the fleet has spent, without asking DynamoDB again until the quota day ends', async () => {
    const { clock, leaseIds } = container({ keys: [key('spent'), key('b')] });
    mock.on(UpdateItemCommand, budgetOf('spent')).rejects(conditionFailed(usageItem('spent', 25)));
    expect(await leaseIds(3)).toEqual(['b', 'b', 'b']);
    clock.now += 5 * MINUTE;
    expect(await leaseIds(1)).toEqual(['b']);
    expect(budgetTakes().filter((id) => id === 'spent')).toHaveLength(1);
    // The next quota day starts at midnight UTC, on another item.
    clock.now = Date.UTC(2026, 10, 27, 0, 0, 5);
    expect(await leaseIds(2)).toEqual(['spent', 'b']);
  });

  it('tries a key whose minute was full again in the next minute, not before', async () => {
    const { clock, leaseIds } = container({ keys: [key('busy'), key('b')] });
    mock.on(UpdateItemCommand, budgetOf('busy')).rejectsOnce(conditionFailed(usageItem('busy', 5, 5)));
    expect(await leaseIds(2)).toEqual(['b', 'b']);
    expect(budgetTakes().filter((id) => id === 'busy')).toHaveLength(1);
    clock.now = T0 - 10_000 + MINUTE;
    expect(await leaseIds(1)).toEqual(['busy']);
  });

  it('asks again at once for a key refused only because its item kept changing (contention)', async () => {
    const { leaseIds } = container({ keys: [key('contended'), key('b')] });
    // Every write finds the minute other than it guessed, with room in it: no window is full.
    mock
      .on(UpdateItemCommand, budgetOf('contended'))
      .rejects(conditionFailed(usageItem('contended', 1, 1, Math.floor(T0 / MINUTE) + 1)));
    expect(await leaseIds(3)).toEqual(['b', 'b', 'b']);
    // Four writes each time the turn comes to it: the first lease's and the third's.
    expect(budgetTakes().filter((id) => id === 'contended')).toHaveLength(8);
  });

  it('budgets a provider only by the limits it has: fmp by the day, finnhub by the minute', async () => {
    const { leaseIds } = container({ keys: [key('k')] });
    mock.on(UpdateItemCommand).resolves({});
    expect(await leaseIds(1, 'fmp')).toEqual(['k']);
    expect(await leaseIds(1, 'finnhub')).toEqual(['k']);
    const [fmp, finnhub] = updates('keyusage#');
    expect(fmp?.ExpressionAttributeValues?.[':perDay']).toEqual({ N: '250' });
    expect(finnhub?.ExpressionAttributeValues?.[':perDay']).toBeUndefined();
  });
});

describe('KeyBroker leases that keep a spare (accuracy audits)', () => {
  it("takes the budget under the key's limits less the spare, and a refusal leaves the key to ordinary leases", async () => {
    const { broker } = container({ keys: [key('a')] });
    mock
      .on(UpdateItemCommand, budgetOf('a'))
      .resolvesOnce({})
      .rejectsOnce(conditionFailed(usageItem('a', 20)))
      .resolves({});
    expect((await broker.lease(AV, { spare: 0.2 }))?.id).toBe('a');
    expect(updates('keyusage#')[0]?.ExpressionAttributeValues?.[':perDay']).toEqual({ N: '20' });
    expect(await broker.lease(AV, { spare: 0.2 })).toBeNull();
    expect(await broker.lease(AV, { spare: 0.2 })).toBeNull();
    expect(budgetTakes()).toHaveLength(2);
    expect((await broker.lease(AV))?.id).toBe('a');
    expect(updates('keyusage#')[2]?.ExpressionAttributeValues?.[':perDay']).toEqual({ N: '25' });
  });

  it('grants nothing, with no write, from a key whose limit leaves nothing to spare', async () => {
    const { broker } = container({ keys: [key('a', { perMinute: 1 })] });
    expect(await broker.lease(AV, { spare: 0.1 })).toBeNull();
    expect(budgetTakes()).toEqual([]);
    expect((await broker.lease(AV))?.id).toBe('a');
  });

  it('never re-tests a quarantined key: the re-test is a request call', async () => {
    const { broker } = container(
      { keys: [key('quarantined'), key('b')] },
      { states: [stateItem('quarantined', { quarantinedAt: T0 - 2 * HOUR })] },
    );
    expect((await broker.lease(AV, { spare: 0.2 }))?.id).toBe('b');
    expect(stateWrites()).toEqual([]);
  });
});

describe("KeyBroker's verdicts on a leased key", () => {
  it("parks a throttled key to the minute's end, or to the provider's Retry-After when that is later", async () => {
    const { broker, leaseIds } = container({ keys: [key('a'), key('b')] });
    expect(await leaseIds(2)).toEqual(['a', 'b']);
    mock
      .on(UpdateItemCommand, keyStates())
      .resolvesOnce({ Attributes: stateItem('a', { parkedUntil: T0 + 50_000, parkReason: 'throttled' }) })
      .resolves({ Attributes: stateItem('b', { parkedUntil: T0 + 120_000, parkReason: 'throttled' }) });
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'throttled');
    await broker.report(AV, { id: 'b', addedAt: ADDED }, 'throttled', { retryAfterSeconds: 120 });
    const until = stateWrites().map((write) => write.ExpressionAttributeValues?.[':until']);
    expect(until).toEqual([{ N: String(Date.UTC(2026, 10, 26, 15, 1)) }, { N: String(T0 + 120_000) }]);
    expect(verdicts()).toEqual([`parked ${AV} throttled`, `parked ${AV} throttled`]);
    expect(logged('provider key parked')).toHaveLength(2);
    // This container sees its own parks at once, without reading the states again.
    expect(await leaseIds(1)).toEqual([undefined]);
    expect(mock.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('parks a key whose quota is spent until the quota day resets', async () => {
    const { broker } = container({ keys: [key('a')] });
    mock.on(UpdateItemCommand, keyStates()).resolves({ Attributes: stateItem('a') });
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'quota_exhausted');
    expect(stateWrites()[0]?.ExpressionAttributeValues?.[':until']).toEqual({
      N: String(Date.UTC(2026, 10, 27)),
    });
    expect(events).toEqual([`parked ${AV} quota_exhausted`]);
  });

  it('announces nothing when another container parked the key as long already', async () => {
    const { broker } = container({ keys: [key('a')] });
    mock
      .on(UpdateItemCommand, keyStates())
      .rejects(conditionFailed(stateItem('a', { parkedUntil: T0 + HOUR, writeToken: 'theirs' })));
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'throttled');
    expect(stateWrites()).toHaveLength(1);
    expect(events).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('writes nothing for an answer that says nothing about the key', async () => {
    const { broker, forcedPoolReads } = container({ keys: [key('a')] });
    for (const outcome of ['timeout', 'upstream_error', 'network', 'bad_data'] as const)
      await broker.report(AV, { id: 'a', addedAt: ADDED }, outcome);
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(forcedPoolReads).toEqual([]);
  });

  it('ends a run of invalid answers on record once the provider accepts the key, and writes nothing without one', async () => {
    const { broker, leaseIds } = container(
      { keys: [key('a'), key('b')] },
      { states: [stateItem('a', { invalidAnswers: 1, invalidSince: T0 - MINUTE })] },
    );
    await leaseIds(2);
    mock.on(UpdateItemCommand, keyStates()).resolves({ Attributes: stateItem('a') });
    await broker.report(AV, { id: 'b', addedAt: ADDED }, 'ok');
    expect(stateWrites()).toHaveLength(0);
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'unknown_symbol');
    expect(stateWrites()).toHaveLength(1);
    expect(stateWrites()[0]?.ConditionExpression).toBe('attribute_exists(#invalidAnswers)');
    expect(stateWrites()[0]?.UpdateExpression).toContain('REMOVE');
  });

  it('goes on, logged, when the end of a run cannot be written', async () => {
    const { broker, leaseIds } = container(
      { keys: [key('a')] },
      { states: [stateItem('a', { invalidAnswers: 2, invalidSince: T0 - MINUTE })] },
    );
    await leaseIds(1);
    mock.on(UpdateItemCommand, keyStates()).rejects(throttled());
    await expect(broker.report(AV, { id: 'a', addedAt: ADDED }, 'ok')).resolves.toBeUndefined();
    expect(logged('provider key store failed')[0]?.context).toMatchObject({
      operation: 'clear invalid answers',
    });
  });
});

describe('KeyBroker on invalid-key answers', () => {
  /** The count DynamoDB returns for each invalid answer counted, in order. */
  function counts(keyId: string, ...answers: number[]) {
    let chain = mock.on(UpdateItemCommand, keyStates());
    for (const invalidAnswers of answers)
      chain = chain.resolvesOnce({
        Attributes: stateItem(keyId, { invalidAnswers, invalidSince: T0 }),
      });
    return chain;
  }

  it('counts an answer fleet-wide and keeps the key in service below the threshold, re-reading the pool once per value', async () => {
    const { broker, leaseIds, forcedPoolReads } = container({ keys: [key('a')] });
    expect(await leaseIds(1)).toEqual(['a']);
    counts('a', 1, 2);
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'invalid_key');
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'invalid_key');
    // The first answer starts a run; the second, seen within it, adds to it.
    expect(stateWrites().map((write) => write.UpdateExpression?.includes('ADD #invalidAnswers'))).toEqual([
      false,
      true,
    ]);
    expect(logged('quarantined only if the rejection repeats').map((log) => log.context)).toMatchObject([
      { invalidAnswers: 1, threshold: 3 },
      { invalidAnswers: 2, threshold: 3 },
    ]);
    expect(forcedPoolReads).toEqual([AV]);
    expect(verdicts()).toEqual([]);
    expect(await leaseIds(1)).toEqual(['a']);
  });

  it('quarantines the leased value at the threshold, announced once, and leases it no more', async () => {
    const { broker, leaseIds } = container({ keys: [key('a'), key('b')] });
    counts('a', 3).resolvesOnce({
      Attributes: stateItem('a', { quarantinedAt: T0, quarantinedKeyAddedAt: '2026-11-20T00:00:00Z' }),
    });
    await broker.report(AV, { id: 'a', addedAt: '2026-11-20T00:00:00Z' }, 'invalid_key');
    const quarantine = stateWrites()[1];
    expect(quarantine?.ExpressionAttributeValues?.[':addedAt']).toEqual({ S: '2026-11-20T00:00:00Z' });
    expect(events).toEqual([`quarantined ${AV}`]);
    expect(logged('provider key quarantined')).toHaveLength(1);
    // The pool's value is another one than the one quarantined (rotated in since the lease): still leased.
    expect(await leaseIds(2)).toEqual(['a', 'b']);
  });

  it('quarantines at the threshold counted across containers: its answer joins the run another one started', async () => {
    const { broker } = container({ keys: [key('a')] });
    // This container saw no run; two answers from others are on record, so its write starting one is refused.
    mock
      .on(UpdateItemCommand, keyStates())
      .rejectsOnce(
        conditionFailed(
          stateItem('a', { invalidAnswers: 2, invalidSince: T0 - MINUTE, writeToken: 'theirs' }),
        ),
      )
      .resolvesOnce({ Attributes: stateItem('a', { invalidAnswers: 3, invalidSince: T0 - MINUTE }) })
      .resolvesOnce({ Attributes: stateItem('a', { quarantinedAt: T0, quarantinedKeyAddedAt: ADDED }) });
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'invalid_key');
    expect(stateWrites().map((write) => write.ConditionExpression)).toEqual([
      'attribute_not_exists(#invalidSince) OR #invalidSince <= :cutoff',
      '#invalidSince > :cutoff AND NOT contains(#invalidTokens, :writeToken)',
      'attribute_not_exists(#quarantinedAt) OR #quarantinedKeyAddedAt <> :addedAt',
    ]);
    expect(events).toEqual([`quarantined ${AV}`]);
  });

  it("announces nothing when another container's quarantine came first", async () => {
    const { broker } = container({ keys: [key('a')] });
    counts('a', 3).rejectsOnce(conditionFailed(stateItem('a', { quarantinedAt: T0, writeToken: 'theirs' })));
    await broker.report(AV, { id: 'a', addedAt: ADDED }, 'invalid_key');
    expect(stateWrites()).toHaveLength(2);
    expect(events).toEqual([]);
  });

  it("blames the pool's value when a report names only the key, and any value of a key the pool no longer holds", async () => {
    const { broker } = container({ keys: [key('a')] }, { threshold: 1 });
    counts('a', 1).resolvesOnce({ Attributes: stateItem('a', { quarantinedAt: T0 }) });
    await broker.report(AV, { id: 'a' }, 'invalid_key');
    counts('gone', 1).resolvesOnce({ Attributes: stateItem('gone', { quarantinedAt: T0 }) });
    await broker.report(AV, { id: 'gone' }, 'invalid_key');
    const [, forA, , forGone] = stateWrites();
    expect(forA?.ExpressionAttributeValues?.[':addedAt']).toEqual({ S: ADDED });
    expect(forGone?.ExpressionAttributeValues?.[':addedAt']).toBeUndefined();
    expect(forGone?.ConditionExpression).toBe('attribute_not_exists(#quarantinedAt)');
  });
});

describe('KeyBroker re-testing a quarantined key', () => {
  const QUARANTINED_AT = T0 - HOUR;
  const due = () => [stateItem('q', { quarantinedAt: QUARANTINED_AT, quarantinedKeyAddedAt: ADDED })];
  const claimed = () => ({
    Attributes: stateItem('q', { quarantinedAt: QUARANTINED_AT, retestAt: T0 + HOUR }),
  });

  it('leases the quarantined key for one request once its hold has passed, claiming the re-test first', async () => {
    const { broker } = container({ keys: [key('b'), key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).resolves(claimed());
    expect((await broker.lease(AV))?.id).toBe('q');
    const [claim] = stateWrites();
    expect(claim?.ConditionExpression).toBe(
      '#quarantinedAt = :quarantinedAt AND attribute_not_exists(#retestAt)',
    );
    expect(claim?.ExpressionAttributeValues?.[':next']).toEqual({ N: String(T0 + HOUR) });
    expect(budgetTakes()).toEqual(['q']);
    expect(events).toEqual([`usage ${AV} leased`]);
    expect(logged('re-testing a quarantined provider key')).toHaveLength(1);
    // The claim moved the next re-test an hour on: the following lease is an ordinary one.
    expect((await broker.lease(AV))?.id).toBe('b');
  });

  it('releases the key fleet-wide when the provider accepts it, lifting only the quarantine it tested', async () => {
    const { broker, leaseIds } = container({ keys: [key('q')] }, { states: due() });
    mock
      .on(UpdateItemCommand, keyStates())
      .resolvesOnce(claimed())
      .resolvesOnce({ Attributes: stateItem('q') });
    const lease = await broker.lease(AV);
    await broker.report(AV, { id: 'q', addedAt: lease?.addedAt }, 'ok');
    const release = stateWrites()[1];
    expect(release?.ConditionExpression).toBe('#quarantinedAt = :quarantinedAt');
    expect(release?.ExpressionAttributeValues?.[':quarantinedAt']).toEqual({ N: String(QUARANTINED_AT) });
    expect(events).toEqual([`usage ${AV} leased`, `retest ${AV} released`]);
    expect(logged('provider key released')).toHaveLength(1);
    expect(await leaseIds(2)).toEqual(['q', 'q']);
  });

  it('keeps the key quarantined when the provider rejects it again, without counting it as new evidence', async () => {
    const { broker, forcedPoolReads } = container({ keys: [key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).resolves(claimed());
    await broker.lease(AV);
    await broker.report(AV, { id: 'q', addedAt: ADDED }, 'invalid_key');
    expect(stateWrites()).toHaveLength(1);
    expect(forcedPoolReads).toEqual([]);
    expect(events).toEqual([`usage ${AV} leased`, `retest ${AV} rejected`]);
    expect(await broker.lease(AV)).toBeNull();
  });

  it('judges a re-test once: a later report on the key is an ordinary verdict', async () => {
    const { broker } = container({ keys: [key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).resolves(claimed());
    await broker.lease(AV);
    await broker.report(AV, { id: 'q', addedAt: ADDED }, 'timeout');
    await broker.report(AV, { id: 'q', addedAt: ADDED }, 'throttled');
    expect(events).toEqual([`usage ${AV} leased`, `retest ${AV} inconclusive`, `parked ${AV} throttled`]);
  });

  it('announces no release that lost to a newer quarantine, and goes on when the release cannot be written', async () => {
    const { broker } = container({ keys: [key('q')] }, { states: due() });
    mock
      .on(UpdateItemCommand, keyStates())
      .resolvesOnce(claimed())
      .rejectsOnce(conditionFailed(stateItem('q', { quarantinedAt: T0, writeToken: 'theirs' })));
    await broker.lease(AV);
    await broker.report(AV, { id: 'q', addedAt: ADDED }, 'ok');
    expect(stateWrites()).toHaveLength(2);
    expect(events).toEqual([`usage ${AV} leased`]);
    expect(logged('provider key released')).toEqual([]);
  });

  it('goes on, logged, when the release after an accepted re-test cannot be written', async () => {
    const { broker } = container({ keys: [key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).resolvesOnce(claimed()).rejects(throttled());
    await broker.lease(AV);
    await expect(broker.report(AV, { id: 'q', addedAt: ADDED }, 'ok')).resolves.toBeUndefined();
    expect(logged('provider key store failed').map((log) => log.context)).toMatchObject([
      { operation: 'release after re-test', keyId: 'q' },
    ]);
    expect(events).toEqual([`usage ${AV} leased`]);
  });

  it('leases another key when another container claimed the re-test', async () => {
    const { broker } = container({ keys: [key('b'), key('q')] }, { states: due() });
    mock
      .on(UpdateItemCommand, keyStates())
      .rejects(
        conditionFailed(
          stateItem('q', { quarantinedAt: QUARANTINED_AT, retestAt: T0 + HOUR, writeToken: 'theirs' }),
        ),
      );
    expect((await broker.lease(AV))?.id).toBe('b');
    expect(budgetTakes()).toEqual(['b']);
    expect(logged('re-testing')).toEqual([]);
  });

  it('leases another key, logged, when the claim of a re-test cannot be written', async () => {
    const { broker } = container({ keys: [key('b'), key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).rejects(throttled());
    expect((await broker.lease(AV))?.id).toBe('b');
    expect(logged('provider key store failed').map((log) => log.context)).toMatchObject([
      { operation: 'claim re-test', keyId: 'q' },
    ]);
  });

  it('leases another key when the claimed key has no budget left', async () => {
    const { broker } = container({ keys: [key('b'), key('q')] }, { states: due() });
    mock.on(UpdateItemCommand, keyStates()).resolves(claimed());
    mock.on(UpdateItemCommand, budgetOf('q')).rejects(conditionFailed(usageItem('q', 25)));
    expect((await broker.lease(AV))?.id).toBe('b');
    expect(budgetTakes()).toEqual(['q', 'b']);
    expect(logged('re-testing')).toEqual([]);
  });

  it('judges a later ordinary lease of a key whose claimed re-test was never called as ordinary', async () => {
    const { broker, clock } = container({ keys: [key('b'), key('q')] });
    // The quarantine is on record at first; an operator has released the key by the next day.
    mock.on(QueryCommand).resolvesOnce({ Items: due() }).resolves({ Items: [] });
    mock
      .on(UpdateItemCommand, keyStates())
      .resolvesOnce(claimed())
      .resolves({ Attributes: stateItem('q', { invalidAnswers: 1, invalidSince: T0 }) });
    mock.on(UpdateItemCommand, budgetOf('q')).rejects(conditionFailed(usageItem('q', 25)));
    expect((await broker.lease(AV))?.id).toBe('b');
    clock.now = Date.UTC(2026, 10, 27, 0, 0, 10);
    expect((await broker.lease(AV))?.id).toBe('q');
    await broker.report(AV, { id: 'q', addedAt: ADDED }, 'invalid_key');
    // Counted as evidence against the key, not taken for the verdict of a re-test.
    expect(verdicts()).toEqual([]);
    expect(stateWrites().map((write) => write.UpdateExpression?.includes('#invalidAnswers'))).toEqual([
      false,
      true,
    ]);
  });
});

describe('KeyBroker when the key pool cannot be read', () => {
  it('logs each failed refresh once, not once per lease, and names no secret content', async () => {
    let failure: unknown = new Error('key pool test/alpha-vantage is unreadable');
    const { broker } = container({ keys: [] }, { pool: () => Promise.reject(failure) });
    expect(await broker.lease(AV)).toBeNull();
    expect(await broker.lease(AV)).toBeNull();
    expect(logged('provider key pool unreadable').map((log) => log.context)).toEqual([
      { provider: AV, error: 'Error: key pool test/alpha-vantage is unreadable' },
    ]);
    failure = 'not an error';
    expect(await broker.lease(AV)).toBeNull();
    expect(logged('provider key pool unreadable')[1]?.context).toEqual({
      provider: AV,
      error: 'unknown error',
    });
    expect(mock.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
