import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROUTE_FUNCTION_SIZE } from '../../../infra/function-settings.js';
import { ensureDataTable } from '../../../infra/local/data-table.js';
import { startDynamoDbLocal } from '../../../infra/local/dynamodb-local.js';
import { seedKeyPools } from '../../../infra/local/key-pool-seed.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../../infra/local/local-aws.js';
import { startMarketSandbox } from '../../../infra/local/sandbox/server.js';
import { startSecretsManagerEmulator } from '../../../infra/local/secrets-manager-emulator.js';
import { PROVIDER_IDS } from '../../../lib/model/provider-ids.js';
import { FakeClock, sandboxBaseUrlEnv } from '../../support/data-layer.js';
import { costPerMillion, PRICES } from '../prices.js';
import { quantile } from '../stats.js';
import { type AnswerOutcome, type Container, serve, startContainer } from './containers.js';
import { upstreamFloor } from './floor.js';
import { buildWorkload, DEFAULT_WORKLOAD, type ScheduledRequest } from './requests.js';

/** Lambda's own START, END and REPORT lines per invocation (text format), which every request also ingests. */
const LAMBDA_PLATFORM_LOG_BYTES = 300;
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 6);
const DEADLINE_MS = 19_000;

/**
 * The workload (issue 9): a Zipf mix over 500 symbols across two simulated trading days with a
 * burst at each open, served by several containers sharing one DynamoDB Local, on one simulated clock
 * that the sandbox shares. Returns the table rows.
 */
export async function measureWorkload(): Promise<string[][]> {
  const clock = new FakeClock();
  // SDK clients built anywhere in this process read region and credentials from here, as on Lambda.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
  });
  const [dynamodb, secrets] = await Promise.all([startDynamoDbLocal(), startSecretsManagerEmulator()]);
  const sandbox = await startMarketSandbox({ now: () => clock.date() });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    DATA_TABLE_NAME: 'valor-ivx-workload',
    ...sandboxBaseUrlEnv(sandbox),
  };
  const admin = new DynamoDBClient({ endpoint: dynamodb.endpoint });
  await ensureDataTable(admin, 'valor-ivx-workload');
  const secretsAdmin = new SecretsManagerClient({ endpoint: secrets.endpoint });
  await seedKeyPools(secretsAdmin, {}, new Set(PROVIDER_IDS));

  const shape = {
    ...DEFAULT_WORKLOAD,
    requestsPerDay: Number(process.env.BENCH_REQUESTS_PER_DAY ?? DEFAULT_WORKLOAD.requestsPerDay),
  };
  const schedule = buildWorkload(clock.now(), shape);
  const first = schedule[0]?.at ?? clock.now();
  clock.advance(first - clock.now());
  const containers = Array.from({ length: CONTAINERS }, () => startContainer(env, clock));

  // Both streams: EMF and info lines go to stdout, Powertools' warnings and errors to stderr.
  let logBytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  const writeError = process.stderr.write.bind(process.stderr);
  const meter = ((chunk: string | Uint8Array) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = meter;
  process.stderr.write = meter;
  const outcomes: AnswerOutcome[] = [];
  const durations: number[] = [];
  const timed = async (container: Container, item: ScheduledRequest) => {
    const started = performance.now();
    outcomes.push(...(await serve(container, item.request, clock.now() + DEADLINE_MS)));
    durations.push(performance.now() - started);
  };
  try {
    let next = 0;
    for (let i = 0; i < schedule.length; ) {
      const item = schedule[i] as ScheduledRequest;
      if (item.at > clock.now()) clock.advance(item.at - clock.now());
      if (!item.burst) {
        await timed(containers[next++ % containers.length] as Container, item);
        i++;
        continue;
      }
      // A burst: every container serves its share one request at a time, all containers at once.
      const burst: ScheduledRequest[] = [];
      while (i < schedule.length && schedule[i]?.burst && schedule[i]?.at === item.at)
        burst.push(schedule[i++] as ScheduledRequest);
      await Promise.all(
        containers.map(async (container, c) => {
          for (let k = c; k < burst.length; k += containers.length)
            await timed(container, burst[k] as ScheduledRequest);
        }),
      );
    }
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeError;
    await sandbox.close();
    await Promise.all([dynamodb.close(), secrets.close()]);
  }

  const requests = schedule.length;
  const upstream = Object.values(sandbox.stats().calls).reduce((sum, n) => sum + n, 0);
  const floor = upstreamFloor(schedule);
  const sum = (pick: (c: Container) => number) => containers.reduce((total, c) => total + pick(c), 0);
  const perRequest = (n: number) => n / requests;
  const served = outcomes.filter((o) => o !== 'error').length;
  const hits = outcomes.filter((o) => o === 'hit' || o === 'stale').length;
  const billedMs = durations.reduce((total, ms) => total + Math.max(1, Math.ceil(ms)), 0) / requests;
  const bytes = logBytes / requests + LAMBDA_PLATFORM_LOG_BYTES;
  const cost = costPerMillion({
    billedMs,
    memoryMb: ROUTE_FUNCTION_SIZE.memoryMb,
    readUnits: perRequest(sum((c) => c.meter.readUnits)),
    writeUnits: perRequest(sum((c) => c.meter.writeUnits)),
    logBytes: bytes,
  });
  const usd = (n: number) => `$${n.toFixed(2)}`;
  return [
    [
      'requests (answers)',
      `${requests} (${outcomes.length}), ${CONTAINERS} containers, ${shape.tradingDays} days`,
    ],
    ['answers served / errors', `${served} / ${outcomes.length - served}`],
    ['cache hit ratio (fresh + stale)', `${((hits / Math.max(1, served)) * 100).toFixed(1)} %`],
    ['upstream calls per 1000 requests', ((upstream / requests) * 1000).toFixed(1)],
    ['floor per 1000 (keys × freshness windows)', ((floor.calls / requests) * 1000).toFixed(1)],
    ['upstream ÷ floor', (upstream / Math.max(1, floor.calls)).toFixed(3)],
    [
      'DynamoDB reads / writes per request',
      `${perRequest(sum((c) => c.meter.reads)).toFixed(2)} / ${perRequest(sum((c) => c.meter.writes)).toFixed(2)}`,
    ],
    [
      'DynamoDB RRU / WRU per request',
      `${perRequest(sum((c) => c.meter.readUnits)).toFixed(2)} / ${perRequest(sum((c) => c.meter.writeUnits)).toFixed(2)}`,
    ],
    ['log bytes per request (incl. ~300 B Lambda lines)', bytes.toFixed(0)],
    [
      'handler ms p50 / p99 / billed mean',
      `${quantile(durations, 0.5).toFixed(1)} / ${quantile(durations, 0.99).toFixed(1)} / ${billedMs.toFixed(1)}`,
    ],
    [
      `cost per 1M requests beyond API Gateway (${PRICES.region}, prices of ${PRICES.asOf})`,
      `${usd(cost.total)} = Lambda ${usd(cost.lambda)} (${ROUTE_FUNCTION_SIZE.memoryMb} MB arm64) + DynamoDB ${usd(cost.dynamodb)} + Logs ${usd(cost.logs)}`,
    ],
  ];
}
