import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { type DynamoDbProxy, startDynamoDbProxy } from '../../infra/local/dynamodb-proxy.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { createDynamoDbClient } from '../../lib/storage/dynamodb-client.js';
import { countCommands } from '../support/call-counter.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { captureOutput, emfMetrics } from '../support/stdout-capture.js';

// DynamoDB hangs here for real: this file's own DynamoDB Local is stopped with SIGSTOP (the kernel
// still accepts connections, nothing answers). Never the run's shared one, which other files use
// at the same time. Every test thaws it again, whatever happens. The containers reach it through
// the DynamoDB proxy with the run's one-second replica lag, on the clock each describe block runs on.
let dynamodbLocal: DynamoDbLocal;
let proxy: DynamoDbProxy;
let lagClock: () => number = Date.now;
beforeAll(async () => {
  dynamodbLocal = await startDynamoDbLocal();
  proxy = await startDynamoDbProxy({
    target: dynamodbLocal.endpoint,
    now: () => lagClock(),
    knobs: { replicaLagMs: 1_000 },
  });
});
afterAll(async () => {
  dynamodbLocal?.thaw();
  await proxy?.close();
  await dynamodbLocal?.close();
});

/**
 * Runs `during` with DynamoDB frozen, and thaws it after, however `during` ends; returns once DynamoDB
 * Local answers again. A process just woken on a busy machine can take longer than a call's budget to
 * answer its first call, so what follows a thaw never races its wake-up.
 */
async function frozen(during: () => Promise<void>): Promise<void> {
  dynamodbLocal.freeze();
  try {
    await during();
  } finally {
    dynamodbLocal.thaw();
    await answering(dynamodbLocal.endpoint);
  }
}

/** Resolves once DynamoDB Local at `endpoint` answers a call; fails, naming it, if it does not within 30 s. */
async function answering(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new Error('DynamoDB Local did not answer within 30 s of its thaw', { cause: error });
  } finally {
    client.destroy();
  }
}

/** Every command sent to this file's DynamoDB, by the container under test. */
const sentIn = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

describe('one container while DynamoDB hangs (the production wiring, on a fake clock)', () => {
  let sandbox: MarketSandbox;
  const clock = new FakeClock();
  beforeAll(async () => {
    sandbox = await startMarketSandbox({ now: () => clock.date() });
    lagClock = clock.now;
  });
  afterAll(() => sandbox?.close());

  it('answers from the providers, skips DynamoDB until its back-off ends, and caches again within 5 s of a thaw', async () => {
    const dynamodb = createDynamoDbClient({
      endpoint: proxy.endpoint,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const tableName = await freshDataTable(dynamodb, 'freeze');
    const layer = await buildDataLayer({
      dynamodb,
      secretsManager: localSecretsManager(),
      tableName,
      sandbox,
      clock,
    });
    const calls = countCommands(dynamodb);
    const sent = () => sentIn(calls);
    const quote = (symbol: string) => workDueBy(clock.now() + 19_000, () => layer.service.getQuote(symbol));
    const { backoffMs, maxBackoffMs } = layer.config.dependencyGuard;

    expect((await quote('IBM')).meta.cache).toBe('miss');
    expect((await quote('IBM')).meta.cache).toBe('hit');

    await frozen(async () => {
      const before = sent();
      // The first call to hang times out at its budget and starts the back-off: the request goes on
      // without DynamoDB, as when it refuses connections. (Symbols this container has not seen: a
      // seen one may be answered from its memory, without asking DynamoDB.)
      const first = await quote('MSFT');
      expect(first.meta).toMatchObject({ cache: 'miss', stale: false });
      expect(first.meta.provider).toBeDefined();
      const afterFirst = sent();
      expect(afterFirst).toBeGreaterThan(before);
      expect(layer.guards.dynamodb.status().state).toBe('backing_off');

      for (const symbol of ['AAPL', 'NVDA', 'GOOGL', 'META']) {
        clock.advance(backoffMs / 5 - 1);
        expect((await quote(symbol)).meta.cache).toBe('miss');
      }
      expect(sent()).toBe(afterFirst);

      // Past the back-off one call probes; DynamoDB still hangs, so the back-off doubles.
      clock.advance(backoffMs);
      await quote('AMZN');
      expect(sent()).toBe(afterFirst + 1);
      expect(layer.guards.dynamodb.status()).toMatchObject({
        state: 'backing_off',
        backoffSeconds: (2 * backoffMs) / 1000,
      });
      clock.advance(backoffMs);
      await quote('ORCL');
      expect(sent()).toBe(afterFirst + 1);

      // The next probe hangs too: the back-off reaches its cap, the longest a thaw can go unnoticed.
      clock.advance(backoffMs);
      await quote('INTC');
      expect(sent()).toBe(afterFirst + 2);
      expect(layer.guards.dynamodb.status()).toMatchObject({
        state: 'backing_off',
        backoffSeconds: maxBackoffMs / 1000,
      });
    });

    // Thawed right after a failed probe at the longest back-off: the back-off ends within 5 s, the
    // next call probes, is answered, and the cache works again.
    expect(maxBackoffMs).toBeLessThan(5_000);
    clock.advance(maxBackoffMs);
    expect((await quote('TSLA')).meta.cache).toBe('miss');
    expect(layer.guards.dynamodb.status().state).toBe('healthy');
    // Cached in DynamoDB, not only in this container's memory: another container finds it there,
    // once the replica has caught up.
    clock.advance(1_100);
    const other = await buildDataLayer({
      dynamodb,
      secretsManager: localSecretsManager(),
      tableName,
      sandbox,
      clock,
    });
    expect((await workDueBy(clock.now() + 19_000, () => other.service.getQuote('TSLA'))).meta.cache).toBe(
      'hit',
    );
    dynamodb.destroy();
  }, 90_000);
});

describe('the local stack while DynamoDB hangs (real time)', () => {
  const run = randomUUID().slice(0, 8);
  const CLIENT_KEY = `freeze-client-${run}`;
  let stack: LocalStack;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    lagClock = Date.now;
    output = captureOutput();
    // This describe block is one Lambda container on this file's DynamoDB Local. It runs in real
    // time (the stack's handlers read the machine's clock), so its back-off is an hour: longer than
    // the test can run, however slow the machine, so no probe can come in by chance while the test
    // counts the calls sent during it. (The back-off's own course is the fake-clock block's test.)
    Object.assign(process.env, {
      DEPENDENCY_BACKOFF_SECONDS: '3600',
      DEPENDENCY_MAX_BACKOFF_SECONDS: '3600',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('secretsManagerEndpoint'),
      DATA_TABLE_NAME: `e2e-freeze-${run}`,
      KEY_POOL_SECRET_PREFIX: `e2e-freeze-${run}/`,
      PORT: '0',
      LOCAL_API_KEY: CLIENT_KEY,
    });
    stack = await startLocalStack(process.env);
  });
  afterAll(async () => {
    output?.restore();
    await stack?.close();
  });

  async function get(path: string) {
    const response = await fetch(`${stack.baseUrl}${path}`, { headers: { 'x-api-key': CLIENT_KEY } });
    // biome-ignore lint/suspicious/noExplicitAny: the tests assert on the parsed JSON's shape
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('answers quotes 200 without a DynamoDB call after the first timeout, and health reports the back-off', async () => {
    const { clients } = await import('../../functions/shared/container.js');
    const calls = countCommands(clients.dynamodb);
    expect((await get('/api/data/stock/IBM')).status).toBe(200);
    const healthy = await get('/api/data/health');
    expect(healthy.body.data.checks.dynamodb).toMatchObject({
      ok: true,
      guard: { state: 'healthy', until: null },
    });

    await frozen(async () => {
      const first = await get('/api/data/stock/MSFT');
      expect(first.status).toBe(200);
      expect(first.body.meta.cache).toBe('miss');
      const afterFirst = sentIn(calls);

      // Symbols this container has not seen: a seen one may be answered from its memory.
      for (const symbol of ['AAPL', 'NVDA', 'GOOGL']) {
        const answer = await get(`/api/data/stock/${symbol}`);
        expect(answer.status).toBe(200);
        expect(answer.body.meta.cache).toBe('miss');
      }
      const health = await get('/api/data/health');
      expect(sentIn(calls)).toBe(afterFirst);

      expect(health.status).toBe(200);
      expect(health.body.data.status).toBe('degraded');
      expect(health.body.data.checks.dynamodb).toMatchObject({
        ok: false,
        detail: 'DependencyUnavailableError',
        guard: { state: 'backing_off', backoffSeconds: 3600 },
      });
      expect(Date.parse(health.body.data.checks.dynamodb.guard.until)).toBeGreaterThan(Date.now());
      expect(health.body.data.checks.secrets.guard.state).toBe('healthy');
    });

    const backoffs = emfMetrics(output.lines()).filter((m) => m.name === 'dependency_backoffs_total');
    expect(backoffs.map((m) => [m.value, m.dimensions.dependency])).toEqual([[1, 'dynamodb']]);
  }, 60_000);
});
