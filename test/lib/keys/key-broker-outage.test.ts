import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyBroker } from '../../../lib/keys/key-broker.js';
import { KeyStates } from '../../../lib/keys/key-states.js';
import { RateLimiter } from '../../../lib/keys/rate-limiter.js';
import type { KeyPool, ProviderKey } from '../../../lib/keys/secrets-layout.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { captureStdout, emfMetrics } from '../../support/stdout-capture.js';

// The faults here (no DynamoDB at all, throttling after a good answer) are what DynamoDB Local
// cannot produce: aws-sdk-client-mock plays them.
const T0 = Date.UTC(2026, 10, 26, 15, 0, 10);
const MINUTE = 60_000;

const key = (id: string, limits: ProviderKey['limits'] = { perMinute: 100, perDay: 1000 }): ProviderKey => ({
  id,
  value: `VALUE-${id}`,
  addedAt: '2026-11-01T00:00:00Z',
  limits,
});

let stdout: ReturnType<typeof captureStdout>;
let logs: { level: string; text: string }[];
const logger: DomainLogger = {
  debug: () => {},
  info: (...args: unknown[]) => void logs.push({ level: 'info', text: JSON.stringify(args) }),
  warn: (...args: unknown[]) => void logs.push({ level: 'warn', text: JSON.stringify(args) }),
  error: (...args: unknown[]) => void logs.push({ level: 'error', text: JSON.stringify(args) }),
};
beforeEach(() => {
  logs = [];
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

function container(client: DynamoDBClient, pool: KeyPool | Error) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const broker = new KeyBroker({
    pools: { pool: async () => (pool instanceof Error ? Promise.reject(pool) : pool) },
    limiter: new RateLimiter(client, 'table'),
    states: new KeyStates(client, 'table', { now }),
    metrics: new DataLayerMetrics(new Metrics({ namespace: 'ValorIvxTest', serviceName: 'key-broker' })),
    logger,
    now,
    firstTurn: 0,
  });
  return { broker, clock };
}

/** A client whose every call fails as a refused connection does (the unit project opens no socket). */
const unreachable = () => {
  const client = new DynamoDBClient({ region: 'us-east-1' });
  mockClient(client).rejects(
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
  );
  return client;
};

const throttle = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

function usageOutcomes(): string[] {
  return emfMetrics(stdout.lines())
    .filter((metric) => metric.name === 'provider_key_usage_total')
    .map((metric) => String(metric.dimensions.outcome));
}

describe('KeyBroker when DynamoDB fails', () => {
  it("leases no more than a key's limits per container from memory while DynamoDB is unreachable", async () => {
    const { broker, clock } = container(unreachable(), { keys: [key('k', { perMinute: 3, perDay: 5 })] });
    const leases = async (n: number) => {
      let granted = 0;
      for (let i = 0; i < n; i++) if (await broker.lease('alpha-vantage')) granted++;
      return granted;
    };
    expect(await leases(10)).toBe(3);
    clock.now += MINUTE;
    expect(await leases(10)).toBe(2);
    clock.now += MINUTE;
    expect(await leases(10)).toBe(0);
    expect(usageOutcomes().filter((outcome) => outcome === 'leased_fallback')).toHaveLength(5);
    expect(logs.some((log) => log.level === 'warn' && log.text.includes('provider key store failed'))).toBe(
      true,
    );
  });

  it('keeps a key it found spent out of service through an outage', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(QueryCommand).resolves({ Items: [] });
    mock
      .on(UpdateItemCommand)
      .rejectsOnce(
        // The day's item as DynamoDB returns it with the refusal: the day's 1000 calls spent.
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: marshall({ keyId: 'spent', window: 'd', calls: 1000, minute: 0, minuteCalls: 0 }),
        }),
      )
      .rejects(throttle());
    const { broker, clock } = container(client, { keys: [key('spent')] });
    expect(await broker.lease('alpha-vantage')).toBeNull();
    clock.now += 5 * MINUTE;
    // The in-memory budget would allow a call, but the fleet said this key's day is spent.
    expect(await broker.lease('alpha-vantage')).toBeNull();
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('goes on with the last key states read when they cannot be read again', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ pk: { S: 'keystate#alpha-vantage' }, sk: { S: 'bad' }, quarantinedAt: { N: '1' } }],
      })
      .callsFake(() => Promise.reject(throttle()));
    // The budget writes are granted; a key state's write (a re-test's claim) is not answered.
    mock.on(UpdateItemCommand, { Key: { pk: { S: 'keyusage#alpha-vantage' } } }).resolves({});
    const { broker, clock } = container(client, { keys: [key('bad'), key('good')] });
    const ids = [];
    for (const step of [0, 2_000, 0, 2_000]) {
      clock.now += step;
      ids.push((await broker.lease('alpha-vantage'))?.id);
    }
    expect(ids).toEqual(['good', 'good', 'good', 'good']);
    // A failed read is remembered for the cache period and logged once: not a call and a line per lease.
    expect(mock.commandCalls(QueryCommand)).toHaveLength(3);
    expect(logs.filter((log) => log.text.includes('key states unreadable'))).toHaveLength(2);
  });

  it('remembers a park and a quarantine it could not write, and report never throws', async () => {
    const { broker, clock } = container(unreachable(), { keys: [key('a'), key('b')] });
    await expect(broker.report('alpha-vantage', { id: 'a' }, 'throttled')).resolves.toBeUndefined();
    // Without the table the container counts the invalid-key answers alone: three quarantine.
    for (let i = 0; i < 3; i++)
      await expect(broker.report('alpha-vantage', { id: 'b' }, 'invalid_key')).resolves.toBeUndefined();
    expect(await broker.lease('alpha-vantage')).toBeNull();
    clock.now = Date.UTC(2026, 10, 26, 15, 1);
    expect((await broker.lease('alpha-vantage'))?.id).toBe('a');
    expect((await broker.lease('alpha-vantage'))?.id).toBe('a');
    // A quarantine kept in memory lasts until the re-test would be due; then the key is tried again.
    clock.now = T0 + 60 * MINUTE;
    expect(
      new Set([(await broker.lease('alpha-vantage'))?.id, (await broker.lease('alpha-vantage'))?.id]),
    ).toEqual(new Set(['a', 'b']));
  });

  it('does not quarantine on fewer invalid-key answers than the threshold while DynamoDB is unreachable', async () => {
    const { broker } = container(unreachable(), { keys: [key('b')] });
    for (let i = 0; i < 2; i++) await broker.report('alpha-vantage', { id: 'b' }, 'invalid_key');
    expect((await broker.lease('alpha-vantage'))?.id).toBe('b');
  });

  it('leaves the provider with no key when its pool cannot be read, naming no secret', async () => {
    const { broker } = container(
      unreachable(),
      new Error('key pool valor-ivx/provider-keys/fmp is unreadable'),
    );
    expect(await broker.lease('fmp')).toBeNull();
    expect(usageOutcomes()).toEqual(['none_usable']);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe('error');
  });
});
