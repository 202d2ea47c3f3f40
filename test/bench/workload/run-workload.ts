import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROUTE_FUNCTION_SIZE } from '../../../infra/function-settings.js';
import { ensureDataTable } from '../../../infra/local/data-table.js';
import { startDynamoDbLocal } from '../../../infra/local/dynamodb-local.js';
import { startDynamoDbProxy } from '../../../infra/local/dynamodb-proxy.js';
import { seedKeyPools } from '../../../infra/local/key-pool-seed.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../../infra/local/local-aws.js';
import { plansFromEnv, startMarketSandbox } from '../../../infra/local/sandbox/server.js';
import { startSecretsManagerEmulator } from '../../../infra/local/secrets-manager-emulator.js';
import { loadConfig } from '../../../lib/config.js';
import { PROVIDER_IDS } from '../../../lib/model/provider-ids.js';
import { batchEndpointsInOrder } from '../../../lib/providers/registry.js';
import type { Agreement } from '../../../lib/services/agreement-tally.js';
import { FakeClock, sandboxBaseUrlEnv } from '../../support/data-layer.js';
import { benchDynamoDb, PAID_PLANS } from '../bench-container.js';
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
 * burst at each open, served by several containers sharing one DynamoDB Local behind the DynamoDB proxy
 * (eventually consistent reads lag 1 s, as DynamoDB's may), on one simulated clock that the sandbox and
 * the proxy share. Every provider on its paid plan (`PAID_PLANS`: the free plans' 25 calls a day would
 * decide the upstream figures). Returns the table rows.
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
  const proxy = await startDynamoDbProxy({
    target: dynamodb.endpoint,
    now: clock.now,
    knobs: { replicaLagMs: 1_000 },
  });
  const sandbox = await startMarketSandbox({ now: () => clock.date(), plans: plansFromEnv(PAID_PLANS) });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...PAID_PLANS,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    DATA_TABLE_NAME: 'valor-ivx-workload',
    ...sandboxBaseUrlEnv(sandbox),
  };
  const admin = benchDynamoDb(proxy.endpoint);
  await ensureDataTable(admin, 'valor-ivx-workload');
  admin.destroy();
  const secretsAdmin = new SecretsManagerClient({ endpoint: secrets.endpoint });
  await seedKeyPools(secretsAdmin, env, new Set(PROVIDER_IDS));

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
  let agreement: Agreement[] = [];
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
    // The fleet-wide tally every container added to: what providers/status shows.
    agreement = (await containers[0]?.layer.providerStatusDeps.agreement.readAll()) ?? [];
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeError;
    await sandbox.close();
    await proxy.close();
    await Promise.all([dynamodb.close(), secrets.close()]);
  }

  const requests = schedule.length;
  const upstream = Object.values(sandbox.stats().calls).reduce((sum, n) => sum + n, 0);
  const floor = upstreamFloor(schedule, symbolsPerBatchCall(env));
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
    ['errors by kind', errorsByKind(containers)],
    ['cache hit ratio (fresh + stale)', `${((hits / Math.max(1, served)) * 100).toFixed(1)} %`],
    ['upstream calls per 1000 requests', ((upstream / requests) * 1000).toFixed(1)],
    ['floor per 1000 (keys × freshness windows)', ((floor.calls / requests) * 1000).toFixed(1)],
    ['upstream ÷ floor', (upstream / Math.max(1, floor.calls)).toFixed(3)],
    ['DynamoDB reads answered stale by the proxy (1 s replica lag)', String(proxy.stats().staleReads)],
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
    ...agreementRows(agreement),
  ];
}

/**
 * Each provider's measured agreement with the others (fills against the other provider's cached
 * value, and the audited share of fills), per data type: `quote 41/41 (100.0 %)`.
 */
function agreementRows(tallies: readonly Agreement[]): string[][] {
  return PROVIDER_IDS.map((provider) => {
    const own = tallies.filter((tally) => tally.provider === provider);
    const shown = own.map(
      ({ dataType, compared, agreed }) =>
        `${dataType} ${agreed}/${compared} (${((agreed / Math.max(1, compared)) * 100).toFixed(1)} %)`,
    );
    return [
      `agreement of ${provider} (agreed/compared)`,
      shown.length === 0 ? 'none compared' : shown.join(', '),
    ];
  });
}

/** `quote: ProvidersUnavailableError 3, batch: internal_error 2`, most first; `none` without errors. */
function errorsByKind(containers: readonly Container[]): string {
  const total: Record<string, number> = {};
  for (const { errors } of containers)
    for (const [kind, n] of Object.entries(errors)) total[kind] = (total[kind] ?? 0) + n;
  const kinds = Object.entries(total).sort(([, a], [, b]) => b - a);
  return kinds.length === 0 ? 'none' : kinds.map(([kind, n]) => `${kind} ${n}`).join(', ');
}

/** Quotes one provider call can fill for a batch, as the configured plans and quote order give it. */
function symbolsPerBatchCall(env: NodeJS.ProcessEnv): number {
  const { providerOrder, providerPlans } = loadConfig(env);
  const endpoints = batchEndpointsInOrder(providerOrder.quote, providerPlans);
  return endpoints.length === 0 ? 1 : Math.min(...endpoints.map((endpoint) => endpoint.maxSymbols));
}
