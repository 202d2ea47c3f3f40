import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import type { KeyBroker } from '../../lib/keys/key-broker.js';
import {
  AV,
  keyFleet as fleet,
  key,
  leaseAll,
  T0_MIDNIGHT as MIDNIGHT,
  MINUTE,
  secretCalls,
  T0,
  T0_MINUTE_END,
} from '../support/key-fleet.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

function metricCount(name: string): number {
  return emfMetrics(stdout.lines()).filter((metric) => metric.name === name).length;
}

/** Three invalid-key answers: the evidence the default threshold asks for before a quarantine. */
async function reject(broker: KeyBroker | undefined, id: string): Promise<void> {
  for (let i = 0; i < 3; i++) await broker?.report(AV, { id }, 'invalid_key');
}

describe('KeyBroker on DynamoDB Local and the Secrets Manager emulator', () => {
  it('grants exactly five of 50 concurrent leases across five containers, and five more the next minute', async () => {
    const { brokers, clock } = await fleet([key('solo', { perMinute: 5, perDay: 25 })], 5);
    expect(await leaseAll(brokers, 50)).toHaveLength(5);
    expect(await leaseAll(brokers, 50)).toHaveLength(0);
    clock.now += MINUTE;
    expect(await leaseAll(brokers, 50)).toHaveLength(5);
  });

  it('refuses the 26th lease of the day across minutes and leases again after midnight UTC', async () => {
    const { brokers, clock, limiter } = await fleet([key('solo', { perMinute: 5, perDay: 25 })], 2);
    let granted = 0;
    for (let minute = 0; minute < 7; minute++) {
      granted += (await leaseAll(brokers, 8)).length;
      clock.now += MINUTE;
    }
    expect(granted).toBe(25);
    expect((await limiter.usage(AV, ['solo'], clock.now)).get('solo')?.day).toBe(25);
    clock.now = MIDNIGHT - 1;
    expect(await leaseAll(brokers, 2)).toHaveLength(0);
    clock.now = MIDNIGHT;
    expect(await leaseAll(brokers, 8)).toHaveLength(5);
  });

  it('leases no more from a key whose quota is spent until the quota day resets, and parks it once', async () => {
    const { brokers, clock } = await fleet([key('solo')], 3);
    const lease = await brokers[0]?.lease(AV);
    expect(lease?.id).toBe('solo');
    await Promise.all(brokers.map((broker) => broker.report(AV, { id: 'solo' }, 'quota_exhausted')));
    expect(metricCount('provider_key_parked_total')).toBe(1);
    expect(await leaseAll(brokers, 6)).toHaveLength(0);
    clock.now = MIDNIGHT - 1;
    expect(await leaseAll(brokers, 6)).toHaveLength(0);
    clock.now = MIDNIGHT;
    expect(await leaseAll(brokers, 6)).toEqual(Array(6).fill('solo'));
  });

  it('quarantines a key ten containers saw rejected, re-reads the pool once per container, and counts it once', async () => {
    const { brokers, clock } = await fleet([key('revoked'), key('spare')], 10);
    await leaseAll(brokers, 10);
    const before = secretCalls.GetSecretValueCommand ?? 0;

    await Promise.all(brokers.map((broker) => broker.report(AV, { id: 'revoked' }, 'invalid_key')));
    expect(metricCount('provider_key_quarantined_total')).toBe(1);
    // Each container re-reads its pool once, in case a rotation replaced the key...
    expect((secretCalls.GetSecretValueCommand ?? 0) - before).toBe(10);
    // ...and never again for the same key, however often it hears of it.
    await Promise.all(brokers.map((broker) => broker.report(AV, { id: 'revoked' }, 'invalid_key')));
    expect((secretCalls.GetSecretValueCommand ?? 0) - before).toBe(10);
    expect(metricCount('provider_key_quarantined_total')).toBe(1);

    // Until its re-test is due (an hour), no container leases it.
    const leased = [];
    for (let minute = 1; minute < 60; minute += 10) {
      clock.now = T0 + minute * MINUTE;
      leased.push(...(await leaseAll(brokers, 20)));
    }
    expect(leased).toHaveLength(120);
    expect(new Set(leased)).toEqual(new Set(['spare']));
  });

  it('returns a quarantined key to service when an operator releases it', async () => {
    const { brokers, clock, operator } = await fleet([key('revoked'), key('spare')], 2);
    await reject(brokers[0], 'revoked');
    expect(new Set(await leaseAll(brokers, 6))).toEqual(new Set(['spare']));
    await operator.release(AV, 'revoked');
    clock.now += 1_000; // each container's view of the key states is at most a second old
    expect(new Set(await leaseAll(brokers, 6))).toEqual(new Set(['revoked', 'spare']));
  });

  it('leases a new value placed under a quarantined key id, once the pool is re-read', async () => {
    const revoked = key('primary');
    const { brokers, rotate } = await fleet([revoked], 1);
    const broker = brokers[0] as KeyBroker;
    expect((await broker.lease(AV))?.value).toBe(revoked.value);
    const replacement = { ...key('primary'), addedAt: '2026-11-26T14:00:00Z' };
    await rotate([replacement]);
    // The rejection makes the container re-read its pool, which now holds the replacement.
    await broker.report(AV, { id: 'primary' }, 'invalid_key');
    expect((await broker.lease(AV))?.value).toBe(replacement.value);
  });

  it('quarantines a new value placed under a quarantined key id again when the provider rejects it too', async () => {
    const { brokers, clock, container, rotate } = await fleet([key('primary'), key('spare')], 1);
    await reject(brokers[0], 'primary');
    expect(metricCount('provider_key_quarantined_total')).toBe(1);

    // The operator replaces the value under the same id (a new addedAt lifts the quarantine)...
    const replacement = { ...key('primary'), addedAt: '2026-11-26T14:00:00Z' };
    await rotate([replacement, key('spare')]);
    const fresh = container(); // a container whose pool cache holds the replacement
    expect(new Set(await leaseAll([fresh], 4))).toEqual(new Set(['primary', 'spare']));

    // ...and the provider rejects the replacement as well: it is quarantined again, and counted again.
    await reject(fresh, 'primary');
    expect(metricCount('provider_key_quarantined_total')).toBe(2);
    clock.now += 1_000;
    expect(new Set(await leaseAll([fresh, container()], 10))).toEqual(new Set(['spare']));
    // A repeated rejection of the same value is still counted once.
    await reject(container(), 'primary');
    expect(metricCount('provider_key_quarantined_total')).toBe(2);
  });

  it('keeps a key parked for its spent quota when a throttle comes after', async () => {
    const { brokers, clock } = await fleet([key('solo')], 1);
    const broker = brokers[0] as KeyBroker;
    await broker.report(AV, { id: 'solo' }, 'quota_exhausted');
    await broker.report(AV, { id: 'solo' }, 'throttled');
    clock.now += 10 * MINUTE;
    expect(await broker.lease(AV)).toBeNull();
    expect(metricCount('provider_key_parked_total')).toBe(1);
  });

  it('spreads leases over two keys, and sends them all to the other while one is throttled', async () => {
    const { brokers, clock } = await fleet([key('a'), key('b')], 1);
    const broker = brokers[0] as KeyBroker;
    const spread = [];
    for (let i = 0; i < 10; i++) spread.push((await broker.lease(AV))?.id);
    expect(spread.filter((id) => id === 'a')).toHaveLength(5);
    expect(spread.filter((id) => id === 'b')).toHaveLength(5);

    await broker.report(AV, { id: 'a' }, 'throttled');
    const parked = [];
    for (let i = 0; i < 10; i++) parked.push((await broker.lease(AV))?.id);
    expect(parked).toEqual(Array(10).fill('b'));

    // A throttled key rests to the end of its minute window.
    clock.now = T0_MINUTE_END;
    const rested = [];
    for (let i = 0; i < 4; i++) rested.push((await broker.lease(AV))?.id);
    expect(rested.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it("parks a throttled key until the provider's Retry-After when that is later than the minute's end", async () => {
    const { brokers, clock } = await fleet([key('a'), key('b')], 2);
    await brokers[0]?.report(AV, { id: 'a' }, 'throttled', { retryAfterSeconds: 300 });
    clock.now += 2 * MINUTE;
    expect(new Set(await leaseAll(brokers, 10))).toEqual(new Set(['b']));
    clock.now = T0 + 300_000;
    expect(new Set(await leaseAll(brokers, 10))).toEqual(new Set(['a', 'b']));
  });

  it('gives the next key the lease when the first has no budget left this minute', async () => {
    const { brokers } = await fleet([key('small', { perMinute: 2, perDay: 25 }), key('big')], 1);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await brokers[0]?.lease(AV))?.id);
    expect(ids.filter((id) => id === 'small')).toHaveLength(2);
    expect(ids.filter((id) => id === 'big')).toHaveLength(4);
  });

  it('writes no key value to any log line or metric', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const logger = new Logger({ serviceName: 'key-broker-test', logLevel: 'DEBUG' });
      const keys = [key('first', { perMinute: 1, perDay: 2 }), key('second'), key('third')];
      const { brokers, clock, container } = await fleet(keys, 1, { logger });
      const broker = brokers[0] as KeyBroker;
      for (let i = 0; i < 4; i++) await broker.lease(AV);
      await broker.report(AV, { id: 'first' }, 'throttled');
      await broker.report(AV, { id: 'second' }, 'quota_exhausted');
      await reject(broker, 'third');
      clock.now += MINUTE;
      await broker.lease(AV);
      await broker.lease('fmp'); // no pool in this fleet's prefix: an error log
      // A container whose DynamoDB is unreachable leases from memory and logs why.
      const unreachable = new DynamoDBClient({
        endpoint: 'http://127.0.0.1:9',
        region: LOCAL_AWS_REGION,
        credentials: LOCAL_AWS_CREDENTIALS,
        maxAttempts: 1,
      });
      const offline = container(unreachable);
      expect(await offline.lease(AV)).not.toBeNull();
      await offline.report(AV, { id: 'second' }, 'throttled');

      const output = [...stdout.lines(), ...stderr];
      expect(output.some((line) => line.includes('provider key quarantined'))).toBe(true);
      expect(output.some((line) => line.includes('provider key store failed'))).toBe(true);
      expect(output.some((line) => line.includes('provider key pool unreadable'))).toBe(true);
      expect(metricCount('provider_key_usage_total')).toBeGreaterThan(0);
      for (const { value } of keys) expect(output.join('\n')).not.toContain(value);
      // Powertools adds `service` to every metric; ours add provider and outcome or reason, never a key.
      const allowed = ['service', 'provider', 'outcome', 'reason'];
      for (const metric of emfMetrics(stdout.lines()).filter((m) => m.name.startsWith('provider_key_')))
        expect(Object.keys(metric.dimensions).filter((d) => !allowed.includes(d))).toEqual([]);
    } finally {
      process.stderr.write = write;
    }
  });
});
