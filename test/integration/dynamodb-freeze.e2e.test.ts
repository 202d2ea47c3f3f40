import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { countCommands } from '../support/call-counter.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { captureOutput, emfMetrics } from '../support/stdout-capture.js';

// DynamoDB hangs here for real: this file's own DynamoDB Local is stopped with SIGSTOP (the kernel
// still accepts connections, nothing answers). Never the run's shared one, which other files use
// at the same time. Every test thaws it again, whatever happens.
let dynamodbLocal: DynamoDbLocal;
beforeAll(async () => {
  dynamodbLocal = await startDynamoDbLocal();
});
afterAll(async () => {
  dynamodbLocal?.thaw();
  await dynamodbLocal?.close();
});

/** Runs `during` with DynamoDB frozen, and thaws it after, however `during` ends. */
async function frozen(during: () => Promise<void>): Promise<void> {
  dynamodbLocal.freeze();
  try {
    await during();
  } finally {
    dynamodbLocal.thaw();
  }
}

/** Every command sent to this file's DynamoDB, by the container under test. */
const sentIn = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

describe('one container while DynamoDB hangs (the production wiring, on a fake clock)', () => {
  let sandbox: MarketSandbox;
  const clock = new FakeClock();
  beforeAll(async () => {
    sandbox = await startMarketSandbox({ now: () => clock.date() });
  });
  afterAll(() => sandbox?.close());

  it('answers from the providers, skips DynamoDB until its back-off ends, and caches again once it answers', async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: dynamodbLocal.endpoint,
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
    const quote = (symbol: string) => layer.service.getQuote(symbol, clock.now() + 19_000);
    const { backoffMs } = layer.config.dependencyGuard;

    expect((await quote('IBM')).meta.cache).toBe('miss');
    expect((await quote('IBM')).meta.cache).toBe('hit');

    await frozen(async () => {
      const before = sent();
      // The first call to hang times out at its budget and starts the back-off: the request goes on
      // without DynamoDB, as when it refuses connections.
      const first = await quote('IBM');
      expect(first.meta).toMatchObject({ cache: 'miss', stale: false });
      expect(first.meta.provider).toBeDefined();
      const afterFirst = sent();
      expect(afterFirst).toBeGreaterThan(before);
      expect(layer.guards.dynamodb.status().state).toBe('backing_off');

      for (const symbol of ['MSFT', 'AAPL', 'IBM', 'NVDA']) {
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
      await quote('AMZN');
      expect(sent()).toBe(afterFirst + 1);
    });

    // Thawed: past the back-off the next call probes, is answered, and the cache works again.
    clock.advance(2 * backoffMs);
    expect((await quote('TSLA')).meta.cache).toBe('miss');
    expect(layer.guards.dynamodb.status().state).toBe('healthy');
    expect((await quote('TSLA')).meta.cache).toBe('hit');
    dynamodb.destroy();
  }, 90_000);
});

describe('the local stack while DynamoDB hangs (real time)', () => {
  const run = randomUUID().slice(0, 8);
  const CLIENT_KEY = `freeze-client-${run}`;
  let stack: LocalStack;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    output = captureOutput();
    // This describe block is one Lambda container on this file's DynamoDB Local.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbLocal.endpoint,
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

      for (const symbol of ['AAPL', 'IBM', 'NVDA']) {
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
        guard: { state: 'backing_off', backoffSeconds: 5 },
      });
      expect(Date.parse(health.body.data.checks.dynamodb.guard.until)).toBeGreaterThan(Date.now());
      expect(health.body.data.checks.secrets.guard.state).toBe('healthy');
    });

    const backoffs = emfMetrics(output.lines()).filter((m) => m.name === 'dependency_backoffs_total');
    expect(backoffs.map((m) => [m.value, m.dimensions.dependency])).toEqual([[1, 'dynamodb']]);
  }, 60_000);
});
