import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ensureDataTable } from '../../infra/local/data-table.js';
import { startDynamoDbProxy } from '../../infra/local/dynamodb-proxy.js';
import { LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import { mulberry32 } from '../../infra/local/sandbox/random.js';
import { loadConfig } from '../../lib/config.js';
import { createDataLayer } from '../../lib/data-layer.js';
import { MAX_CLOCK_SKEW_MS } from '../../lib/resilience/breaker-run.js';
import { BREAKER_PARTITION } from '../../lib/resilience/breaker-store.js';
import { countWritesToPartition } from '../support/call-counter.js';
import { quietLogger } from '../support/data-layer.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';
import { benchDynamoDb } from './bench-container.js';

const CALLS = Number(process.env.BENCH_BREAKER_FLEET_CALLS ?? 10_000);
const CONTAINERS = 4;
const CIRCUIT = 'alpha-vantage';
/** Up to 50 ms between calls on the shared clock: about 40 calls a second across the fleet. */
const MAX_GAP_MS = 50;

/**
 * Breaker opens and writes per request across a fleet of four containers, each the breaker of its own
 * `createDataLayer` (default configuration, its own DynamoDB client, its clock skewed by up to
 * ±200 ms from one shared clock), sharing one table on DynamoDB Local behind the proxy, whose replicas
 * lag 1 s on the shared clock (a container's snapshot of the breakers misses what others wrote in the
 * last second, as on DynamoDB). Calls go to a random container
 * each, in real-time order, and fail at random at the given rate (seeded): the breaker alone is driven
 * (acquire, the call's outcome, release), so 10 000 calls take seconds, not the minutes whole
 * requests would. Goal: 0 opens at a 5 % error rate (five failures in a row are then a
 * 1-in-3-million event), ≤ 0.02 breaker writes per request at 1 %.
 */
export async function measureBreakerFleet(dynamodbLocalEndpoint: string): Promise<string[][]> {
  const rows: string[][] = [];
  for (const errorRate of [0.01, 0.05]) {
    const { opens, writes, held } = await runFleet(dynamodbLocalEndpoint, errorRate);
    const rate = `${(errorRate * 100).toFixed(0)} %`;
    rows.push(
      [`breaker opens at ${rate} (${CALLS} calls)`, String(opens)],
      [`calls held or refused at ${rate}`, String(held)],
      [`breaker writes per request at ${rate}`, (writes / CALLS).toFixed(4)],
    );
  }
  return rows;
}

async function runFleet(dynamodbLocalEndpoint: string, errorRate: number) {
  let shared = Date.now();
  const proxy = await startDynamoDbProxy({
    target: dynamodbLocalEndpoint,
    now: () => shared,
    knobs: { replicaLagMs: 1_000 },
  });
  const clients: ReturnType<typeof benchDynamoDb>[] = [];
  const client = () => {
    const made = benchDynamoDb(proxy.endpoint);
    clients.push(made);
    return made;
  };
  const tableName = `bench-fleet-${randomUUID().slice(0, 8)}`;
  await ensureDataTable(client(), tableName);
  const random = mulberry32(Math.round(errorRate * 1000));
  const counters: { writes: number }[] = [];
  const breakers = Array.from({ length: CONTAINERS }, () => {
    const dynamodb = client();
    counters.push(countWritesToPartition(dynamodb, BREAKER_PARTITION));
    const skew = Math.round((random() * 2 - 1) * MAX_CLOCK_SKEW_MS);
    return createDataLayer({
      config: loadConfig({ DATA_TABLE_NAME: tableName }),
      // The breaker never calls Secrets Manager; the layer needs a client to be built.
      clients: { dynamodb, secretsManager: new SecretsManagerClient({ region: LOCAL_AWS_REGION }) },
      logger: quietLogger,
      metrics: new Metrics({ namespace: 'Bench', serviceName: 'breaker-fleet' }),
      clock: { now: () => shared + skew },
    }).breaker;
  });
  let held = 0;
  const stdout = captureStdout();
  try {
    for (let n = 0; n < CALLS; n++) {
      shared += Math.floor(random() * MAX_GAP_MS);
      const breaker = breakers[Math.floor(random() * CONTAINERS)];
      if (!breaker) continue;
      const decision = await breaker.acquire(CIRCUIT);
      if (!decision.allowed) {
        held++;
        continue;
      }
      if (random() < errorRate) await breaker.recordFailure(decision.permit, 100);
      else await breaker.recordSuccess(decision.permit, 100);
      await breaker.release(decision.permit);
    }
  } finally {
    stdout.restore();
    for (const made of clients) made.destroy();
    await proxy.close();
  }
  const opens = emfMetrics(stdout.lines()).filter(
    (m) => m.name === 'circuit_breaker_state_changes_total' && m.dimensions.state === 'OPEN',
  ).length;
  return { opens, held, writes: counters.reduce((sum, c) => sum + c.writes, 0) };
}
