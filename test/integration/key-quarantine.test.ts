import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyBroker } from '../../lib/keys/key-broker.js';
import { DEFAULT_KEY_QUARANTINE } from '../../lib/keys/key-quarantine.js';
import { countCommands } from '../support/call-counter.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { AV, key, keyFleet, leaseAll, MINUTE } from '../support/key-fleet.js';
import { localDynamoDb } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const HOUR = 60 * MINUTE;

let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

const metrics = (name: string, dimensions: Record<string, string> = {}) =>
  emfMetrics(stdout.lines()).filter(
    (m) => m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v),
  ).length;
const quarantines = () => metrics('provider_key_quarantined_total');
const invalid = (broker: KeyBroker | undefined, id = 'k') => broker?.report(AV, { id }, 'invalid_key');
/** Leases one key from each broker in turn, `rounds` times: which broker got which key. */
async function leasesByBroker(brokers: KeyBroker[], rounds: number) {
  const leases: { broker: KeyBroker; id: string | undefined }[] = [];
  for (let round = 0; round < rounds; round++)
    for (const broker of brokers) leases.push({ broker, id: (await broker.lease(AV))?.id });
  return leases;
}

describe('quarantine needs evidence (KeyBroker on DynamoDB Local)', () => {
  it('keeps a key in service after one invalid-key answer, and quarantines it at the third, counted across containers', async () => {
    const { brokers, clock } = await keyFleet([key('k'), key('spare')], 2);
    const [first, second] = brokers;
    await leaseAll(brokers, 2);
    await invalid(first);
    clock.now += 1_000;
    expect(new Set(await leaseAll(brokers, 8))).toEqual(new Set(['k', 'spare']));

    await invalid(second);
    await invalid(first);
    expect(quarantines()).toBe(1);
    clock.now += 1_000; // each container's view of the key states is at most a second old
    expect(new Set(await leaseAll(brokers, 8))).toEqual(new Set(['spare']));
  });

  it('starts the count anew after an accepted call, and the healthy path writes nothing', async () => {
    const db = localDynamoDb();
    const calls = countCommands(db);
    const updates = () => calls.UpdateItemCommand ?? 0;
    const { container, clock } = await keyFleet([key('k')], 0);
    const broker = container(db);
    await broker.lease(AV);
    await invalid(broker);
    await invalid(broker);
    await broker.report(AV, { id: 'k' }, 'ok');
    await invalid(broker);
    await invalid(broker);
    expect(quarantines()).toBe(0);
    clock.now += 1_000;
    expect((await broker.lease(AV))?.id).toBe('k');

    // With no run of invalid answers on record, accepted calls write nothing.
    await broker.report(AV, { id: 'k' }, 'ok');
    const before = updates();
    for (let i = 0; i < 5; i++) await broker.report(AV, { id: 'k' }, 'ok');
    expect(updates()).toBe(before);
  });

  it('forgets invalid-key answers older than the window', async () => {
    const { brokers, clock } = await keyFleet([key('k')], 1);
    const broker = brokers[0];
    await invalid(broker);
    await invalid(broker);
    clock.now += DEFAULT_KEY_QUARANTINE.windowMs + 1;
    await invalid(broker);
    await invalid(broker);
    expect(quarantines()).toBe(0);
    await invalid(broker);
    expect(quarantines()).toBe(1);
  });

  it('blames the value it leased, not a value rotated in under the same id since', async () => {
    const { brokers, clock, container, rotate } = await keyFleet([key('k'), key('spare')], 1);
    const broker = brokers[0] as KeyBroker;
    const revoked = await broker.lease(AV);
    expect(revoked?.id).toBe('k');
    // A rotation places a new value under the same id while calls made with the old one are out.
    const replacement = { ...key('k'), addedAt: '2026-11-26T14:00:00Z' };
    await rotate([replacement, key('spare')]);
    // The first rejection makes the container re-read its pool, which then holds the replacement.
    for (let i = 0; i < DEFAULT_KEY_QUARANTINE.threshold; i++)
      await broker.report(AV, revoked ?? { id: 'k' }, 'invalid_key');
    expect(quarantines()).toBe(1);

    clock.now += 1_000;
    // Both containers, the reporter and a fresh one, still lease the replacement (their turns alternate keys).
    for (const each of [broker, container()]) {
      const values = [(await each.lease(AV))?.value, (await each.lease(AV))?.value];
      expect(values).toContain(replacement.value);
    }
  });

  it('re-tests a quarantined key after an hour on one container only, and releases it when the provider accepts it', async () => {
    const { brokers, clock } = await keyFleet([key('k'), key('spare')], 3);
    await leaseAll(brokers, 3);
    for (const broker of brokers) await invalid(broker);
    expect(quarantines()).toBe(1);

    clock.now += HOUR - MINUTE;
    expect((await leasesByBroker(brokers, 4)).filter((lease) => lease.id === 'k')).toHaveLength(0);

    clock.now += MINUTE;
    const retests = (await leasesByBroker(brokers, 4)).filter((lease) => lease.id === 'k');
    expect(retests).toHaveLength(1);
    await retests[0]?.broker.report(AV, { id: 'k' }, 'ok');
    expect(metrics('provider_key_retests_total', { outcome: 'released' })).toBe(1);

    clock.now += 1_000;
    const after = await leasesByBroker(brokers, 4);
    for (const broker of brokers)
      expect(after.filter((lease) => lease.broker === broker).map((lease) => lease.id)).toContain('k');
  });

  it('keeps a key quarantined when its re-test is rejected, and re-tests it again an hour later', async () => {
    const { brokers, clock } = await keyFleet([key('k'), key('spare')], 2);
    await leaseAll(brokers, 2);
    for (let i = 0; i < 3; i++) await invalid(brokers[i % 2]);

    clock.now += HOUR;
    const retests = (await leasesByBroker(brokers, 3)).filter((lease) => lease.id === 'k');
    expect(retests).toHaveLength(1);
    await retests[0]?.broker.report(AV, { id: 'k' }, 'invalid_key');
    expect(metrics('provider_key_retests_total', { outcome: 'rejected' })).toBe(1);
    // A rejected re-test is the quarantine holding, not new evidence: no second quarantine.
    expect(quarantines()).toBe(1);

    clock.now += HOUR / 2;
    expect((await leasesByBroker(brokers, 3)).filter((lease) => lease.id === 'k')).toHaveLength(0);
    clock.now += HOUR / 2;
    expect((await leasesByBroker(brokers, 3)).filter((lease) => lease.id === 'k')).toHaveLength(1);
  });
});

describe('quarantine evidence when DynamoDB applies a write and its reply is lost', () => {
  // The proxy applies half the key-state writes in DynamoDB Local and then destroys the connection,
  // as a reply lost on the network; the SDK sends the write again.
  const lossy = dynamoDbProxyForFile();

  it('counts each invalid-key answer once, and quarantines at the threshold, once', async () => {
    lossy.proxy.setKnobs({ dropAfterApplyShare: 0.5, dropAfterApplyOperations: ['UpdateItem'] });
    const { container, clock, operator } = await keyFleet([key('k'), key('spare')], 0);
    const brokers = [container(lossy.dynamodb), container(lossy.dynamodb)];
    const { threshold } = DEFAULT_KEY_QUARANTINE;
    for (let i = 0; i < threshold - 1; i++) await invalid(brokers[i % 2]);
    expect(quarantines()).toBe(0);
    expect((await operator.read(AV)).get('k')?.invalidAnswers).toBe(threshold - 1);

    await invalid(brokers[1]);
    expect(quarantines()).toBe(1);
    clock.now += 1_000;
    expect((await operator.read(AV)).get('k')?.quarantinedAt).toBeDefined();
    expect(lossy.proxy.stats().dropped).toBeGreaterThan(0);
  });
});
