import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../infra/local/free-port.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import {
  DependencyGuard,
  DependencyUnavailableError,
  guardClient,
  isUnreachable,
} from '../../lib/resilience/dependency-guard.js';
import { runUntil } from '../../lib/resilience/request-end.js';
import { createDynamoDbClient, DYNAMODB_RETRY } from '../../lib/storage/dynamodb-client.js';
import { countCommands } from '../support/call-counter.js';
import { FakeClock } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { startHungEndpoint } from '../support/hung-endpoint.js';
import { dynamoDbClient, freshDataTable } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

// The faults here are real sockets, not mocks: an endpoint that accepts and never answers (a hung
// dependency), and a port nobody listens on. The per-call budget is short so the file runs fast;
// the back-off runs on a fake clock, the budget on real timers (it aborts a real socket).
const options = { callTimeoutMs: 100, backoffMs: 5_000, maxBackoffMs: 30_000 };
const aws = { region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 2 };

let hung: Awaited<ReturnType<typeof startHungEndpoint>>;
beforeAll(async () => {
  hung = await startHungEndpoint();
});
afterAll(() => hung.close());
/** A DynamoDB that throttles every call, with DynamoDB's own error (the proxy in front of DynamoDB Local). */
const throttling = dynamoDbProxyForFile({ knobs: { throttleShare: 1 } });
const throttledAttempts = () => throttling.proxy.stats().throttled;

let clock: FakeClock;
let warnings: unknown[][];
let stdout: ReturnType<typeof captureStdout>;
const logger: DomainLogger = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => void warnings.push(args),
  error: () => {},
};
beforeEach(() => {
  clock = new FakeClock();
  warnings = [];
  stdout = captureStdout();
});
afterEach(() => stdout.restore());

function guarded(
  endpoint: string,
  callTimeoutMs = options.callTimeoutMs,
  raw = new DynamoDBClient({ endpoint, ...aws }),
) {
  const guard = new DependencyGuard({
    dependency: 'dynamodb',
    options: { ...options, callTimeoutMs },
    metrics: new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'guard' })),
    logger,
    now: clock.now,
  });
  const calls = countCommands(raw);
  return { guard, raw, client: guardClient(raw, guard), sent: () => calls.GetItemCommand ?? 0 };
}

const getItem = () =>
  new GetItemCommand({ TableName: 'guard-test', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );
/** `dependency_backoffs_total` lines, each as its dependency dimension. */
const backoffs = () =>
  emfMetrics(stdout.lines())
    .filter((m) => m.name === 'dependency_backoffs_total')
    .map((m) => ({ value: m.value, dependency: m.dimensions.dependency }));

describe('a dependency that accepts and never answers', () => {
  it('fails the call at its budget, then skips the dependency until the back-off ends', async () => {
    const { client, guard, sent } = guarded(hung.endpoint);
    const first = await failure(client.send(getItem()));
    expect(first).toBeInstanceOf(DependencyUnavailableError);
    expect(first).toMatchObject({ dependency: 'dynamodb', reason: 'timed_out' });
    expect(sent()).toBe(1);

    const trippedAt = clock.now();
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      const skipped = await failure(client.send(getItem()));
      expect(skipped).toMatchObject({ reason: 'backing_off', retryAt: trippedAt + options.backoffMs });
    }
    expect(sent()).toBe(1);
    expect(guard.status()).toEqual({
      state: 'backing_off',
      until: new Date(trippedAt + options.backoffMs).toISOString(),
      backoffSeconds: 5,
    });
    expect(backoffs()).toEqual([{ value: 1, dependency: 'dynamodb' }]);
    expect(warnings).toHaveLength(1);
  });

  it('probes once the back-off ends and doubles it when the probe hangs too', async () => {
    const { client, guard, sent } = guarded(hung.endpoint);
    await failure(client.send(getItem()));
    clock.advance(options.backoffMs);
    expect(guard.status().state).toBe('probe_due');

    const probe = await failure(client.send(getItem()));
    expect(probe).toMatchObject({ reason: 'timed_out' });
    expect(sent()).toBe(2);
    expect(guard.status()).toMatchObject({ state: 'backing_off', backoffSeconds: 10 });
    clock.advance(options.backoffMs);
    expect(await failure(client.send(getItem()))).toMatchObject({ reason: 'backing_off' });
    expect(sent()).toBe(2);
    expect(backoffs()).toHaveLength(2);
  });

  it('lets no other call through while the probe is out', async () => {
    const { client, sent } = guarded(hung.endpoint);
    await failure(client.send(getItem()));
    clock.advance(options.backoffMs);
    const probe = failure(client.send(getItem()));
    const others = await Promise.all([failure(client.send(getItem())), failure(client.send(getItem()))]);
    expect(others.map((e) => (e as DependencyUnavailableError).reason)).toEqual([
      'backing_off',
      'backing_off',
    ]);
    await probe;
    expect(sent()).toBe(2);
  });

  it("bounds a call by the request's end, and a call so cut short starts no back-off", async () => {
    const { client, guard, sent } = guarded(hung.endpoint);
    const cut = await failure(runUntil(clock.now() + 20, () => client.send(getItem())));
    expect(cut).toMatchObject({ reason: 'no_time_left' });
    expect(sent()).toBe(1);
    expect(guard.status().state).toBe('healthy');

    const late = await failure(runUntil(clock.now() - 1, () => client.send(getItem())));
    expect(late).toMatchObject({ reason: 'no_time_left' });
    expect(sent()).toBe(1);
    expect(backoffs()).toEqual([]);
  });
});

describe('a dependency that refuses connections', () => {
  it('counts as unreachable and starts a back-off, with the SDK error as it was', async () => {
    const { client, guard, sent } = guarded(`http://127.0.0.1:${await findFreePort()}`);
    const refused = await failure(client.send(getItem()));
    expect(refused).not.toBeInstanceOf(DependencyUnavailableError);
    expect(isUnreachable(refused)).toBe(true);
    expect(guard.status().state).toBe('backing_off');
    expect(await failure(client.send(getItem()))).toMatchObject({ reason: 'backing_off' });
    expect(sent()).toBe(1);
  });
});

describe('a dependency that resets the connection after taking the request', () => {
  /** DynamoDB Local behind a proxy that applies every PutItem and then drops the connection unanswered. */
  const dropping = dynamoDbProxyForFile({
    knobs: { dropAfterApplyShare: 1, dropAfterApplyOperations: ['PutItem'] },
  });

  it('is alive: the write fails after every retry, no back-off starts, and the next call is sent', async () => {
    const tableName = await freshDataTable(dropping.dynamodb, 'guard-reset');
    const raw = dynamoDbClient(dropping.proxy.endpoint);
    const { client, guard } = guarded(dropping.proxy.endpoint, 10_000, raw);
    const item = { pk: { S: 'reset' }, sk: { S: 'write' } };
    const lost = await failure(client.send(new PutItemCommand({ TableName: tableName, Item: item })));
    expect(lost).toMatchObject({ code: 'ECONNRESET' });
    expect(isUnreachable(lost)).toBe(false);
    expect(dropping.proxy.stats().dropped).toBe(DYNAMODB_RETRY.maxAttempts);
    expect(guard.status().state).toBe('healthy');
    // Applied all the same, and the next call reaches DynamoDB.
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: item, ConsistentRead: true }),
    );
    expect(Item).toEqual(item);
  });
});

describe('a dependency that answers', () => {
  // A budget no answer of DynamoDB Local misses, even its first one on a busy machine: these tests
  // are about what an answer does, not about time.
  const ample = 10_000;

  it('is left alone when it answers with an error of its own', async () => {
    const { client, guard, sent } = guarded(inject('dynamodbEndpoint'), ample);
    const missingTable = await failure(client.send(getItem()));
    expect(missingTable).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(isUnreachable(missingTable)).toBe(false);
    expect(guard.status().state).toBe('healthy');
    await failure(client.send(getItem()));
    expect(sent()).toBe(2);
  });

  it('hands the caller the client it wrapped, unchanged, with only `send` guarded', () => {
    const { client, raw } = guarded(inject('dynamodbEndpoint'), ample);
    expect(client).toBeInstanceOf(DynamoDBClient);
    expect(client.config).toBe(raw.config);
    expect(client.middlewareStack).toBe(raw.middlewareStack);
    expect(client.send).not.toBe(raw.send);
    expect(Object.hasOwn(raw, 'send')).toBe(false);
  });
});

describe('a dependency that answers with throttling', () => {
  it('is alive: a call still retrying throttling when its budget ends fails, and starts no back-off', async () => {
    // A client that waits 10 s between attempts: the budget always ends in the SDK's wait, after an answer.
    const slowRetries = new DynamoDBClient({
      endpoint: throttling.proxy.endpoint,
      ...aws,
      retryStrategy: new ConfiguredRetryStrategy(3, 10_000),
    });
    const { client, guard, sent } = guarded(throttling.proxy.endpoint, options.callTimeoutMs, slowRetries);
    const before = throttledAttempts();
    const throttled = await failure(client.send(getItem()));
    expect(throttled).toMatchObject({ reason: 'timed_out' });
    expect(throttledAttempts() - before).toBe(1);
    expect(guard.status().state).toBe('healthy');
    await failure(client.send(getItem()));
    expect(sent()).toBe(2);
    expect(backoffs()).toEqual([]);
    slowRetries.destroy();
  });

  it("is retried by the project's DynamoDB client within the default budget, every attempt, and answered", async () => {
    const raw = createDynamoDbClient({
      endpoint: throttling.proxy.endpoint,
      region: aws.region,
      credentials: aws.credentials,
    });
    const { client, guard } = guarded(throttling.proxy.endpoint, 1_000, raw);
    const before = throttledAttempts();
    const throttled = await failure(client.send(getItem()));
    // DynamoDB's throttling error (on-demand or provisioned tables): an answer, not a fault of reachability.
    expect((throttled as Error).name).toMatch(
      /^(ThrottlingException|ProvisionedThroughputExceededException)$/,
    );
    expect(throttledAttempts() - before).toBe(DYNAMODB_RETRY.maxAttempts);
    expect(guard.status().state).toBe('healthy');
    expect(backoffs()).toEqual([]);
    raw.destroy();
  });
});

describe('Secrets Manager through the key pool store', () => {
  it('reads the pool through the guard: a hung read backs off and the next read is not sent', async () => {
    const guard = new DependencyGuard({
      dependency: 'secrets_manager',
      options,
      metrics: new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'guard' })),
      logger,
      now: clock.now,
    });
    const raw = new SecretsManagerClient({ endpoint: hung.endpoint, ...aws });
    const calls = countCommands(raw);
    const pools = new KeyPoolStore(guardClient(raw, guard), {
      secretPrefix: 'guard-test/',
      cacheSeconds: 300,
    });
    await expect(pools.pool('fmp')).rejects.toThrow();
    await expect(pools.pool('fmp')).rejects.toThrow();
    expect(calls.GetSecretValueCommand).toBe(1);
    expect(guard.status().state).toBe('backing_off');
    expect(backoffs()).toEqual([{ value: 1, dependency: 'secrets_manager' }]);
  });
});
