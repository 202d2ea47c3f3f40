import { FUNCTION_ENVIRONMENT } from '../../infra/function-settings.js';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { startDynamoDbProxy } from '../../infra/local/dynamodb-proxy.js';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { PAID_PLANS } from './bench-container.js';
import { measureBreakerFleet } from './breaker-fleet.js';
import { measureBreakerWrites } from './breaker-writes.js';
import { measureBundles } from './bundles.js';
import { measureCacheHit } from './cache-hit.js';
import { measureDynamoDbFreeze } from './dynamodb-freeze.js';
import { measureFillLag } from './fill-lag.js';
import { measureMemoryCache } from './memory-cache.js';
import { MISS_COST_HEADER } from './miss-cost.js';
import { measureOutage } from './outage.js';
import { PRICES } from './prices.js';
import { formatTable } from './stats.js';
import { measureWorkload } from './workload/run-workload.js';

/**
 * `npm run bench`: the figures the issues promise, printed as tables. Not a test: timings on a
 * shared machine are noisy, so nothing here passes or fails.
 */
const RECOVERY_TIMEOUT_SECONDS = Number(process.env.BENCH_RECOVERY_TIMEOUT ?? 10);

const bundles = await measureBundles();

Object.assign(process.env, {
  PORT: '0',
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: String(RECOVERY_TIMEOUT_SECONDS),
  RETRY_BASE_DELAY: '0.1',
  // The deployed functions' log settings, so the log bytes measured are the ones CloudWatch would ingest.
  POWERTOOLS_LOG_LEVEL: FUNCTION_ENVIRONMENT.POWERTOOLS_LOG_LEVEL,
  POWERTOOLS_LOGGER_SAMPLE_RATE: FUNCTION_ENVIRONMENT.POWERTOOLS_LOGGER_SAMPLE_RATE,
  // Every provider on its paid plan, for the stack's layer, sandbox and key pools alike (they all read
  // `<PROVIDER>_PLAN`): the sections send thousands of misses (3000 for the breaker writes alone, an
  // outage at 5 a second), far past the free plans' 25 Alpha Vantage calls a day, and measure the
  // layer's throughput, writes and latency, not the plans. No section measures plan behaviour.
  ...PAID_PLANS,
});
// The bench's own DynamoDB Local, started here rather than by the stack, so it can be frozen; the stack
// reaches it through the DynamoDB proxy (eventually consistent reads lag 1 s, as DynamoDB's may).
const dynamodb = await startDynamoDbLocal();
const proxy = await startDynamoDbProxy({ target: dynamodb.endpoint, knobs: { replicaLagMs: 1_000 } });
process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
const stack = await startLocalStack(process.env);
// Handlers log and emit EMF on both streams; keep the report readable.
const write = process.stdout.write.bind(process.stdout);
const writeError = process.stderr.write.bind(process.stderr);
process.stdout.write = (() => true) as typeof process.stdout.write;
process.stderr.write = (() => true) as typeof process.stderr.write;
let hits: Awaited<ReturnType<typeof measureCacheHit>>;
let outage: string[][];
let freeze: Awaited<ReturnType<typeof measureDynamoDbFreeze>>;
let breakerWrites: string[][];
let breakerFleet: string[][];
let memoryHits: string[][];
let fillLag: string[][];
try {
  hits = await measureCacheHit(stack, dynamodb.endpoint);
  memoryHits = await measureMemoryCache(dynamodb.endpoint, stack.secretsManagerEndpoint);
  fillLag = await measureFillLag(dynamodb.endpoint, stack.secretsManagerEndpoint);
  breakerWrites = await measureBreakerWrites(stack);
  breakerFleet = await measureBreakerFleet(dynamodb.endpoint);
  outage = await measureOutage(stack, RECOVERY_TIMEOUT_SECONDS);
  freeze = await measureDynamoDbFreeze(stack, dynamodb);
} finally {
  process.stdout.write = write;
  process.stderr.write = writeError;
  await stack.close();
  await proxy.close();
  await dynamodb.close();
}

console.log(
  '\nFunction bundles (esbuild, as CDK bundles them), the AWS SDK bundled or left to the runtime; cold init: median of 7 imports',
);
console.log(formatTable(bundles.header, bundles.rows));
console.log(
  "\nCache-hit latency: the quote handler in-process vs a raw GetItem on the same endpoint (the stack's DynamoDB proxy), and on DynamoDB Local itself (ms, 2000 each)",
);
console.log(formatTable(['measure', 'median', 'p99'], hits.latency));
console.log(
  "\nQuote cache hit through the service: from the container's memory, from DynamoDB (memory off), raw GetItem, all on DynamoDB Local itself (ms, 2000 each)",
);
console.log(formatTable(['measure', 'median', 'p99', 'DynamoDB reads per hit'], memoryHits));
console.log(
  '\nCache fills with a 1 s replica lag (DynamoDB proxy): 4 containers x 5 concurrent misses, 20 fills (goal 1.00 call per fill)',
);
console.log(
  formatTable(['DynamoDB', 'provider calls per fill', 'failed', 'p50 ms', 'max ms', 'proxy'], fillLag),
);
console.log('\nDynamoDB calls per request');
console.log(formatTable(['request', 'reads', 'writes', 'by command'], hits.dynamodbCalls));
console.log(
  `\nDynamoDB request units and on-demand dollars per million requests, a quote hit and a miss, and the mix at the seed's hit ratio (${PRICES.region}, prices of ${PRICES.asOf})`,
);
console.log(formatTable(MISS_COST_HEADER, hits.cost));
console.log(
  '\nLog written per request (stdout + stderr at the deployed log settings; Lambda adds ~300 B of its own)',
);
console.log(formatTable(['request', 'bytes', 'EMF documents', 'other lines'], hits.logs));
console.log('\nCPU per request in this process (ms; Lambda gives a function memory/1769 MB of a vCPU)');
console.log(formatTable(['measure', 'value'], hits.cpu));
const workload = await measureWorkload();
console.log(
  '\nWorkload: Zipf mix over 500 symbols, bursts at the open, containers sharing DynamoDB Local behind the proxy (1 s replica lag)',
);
console.log(formatTable(['measure', 'value'], workload));
console.log('\nBreaker writes at a 1 % background error rate on every provider (goal ≤ 0.02 per request)');
console.log(formatTable(['measure', 'value'], breakerWrites));
console.log(
  '\nBreaker across four containers, random errors (goal: 0 opens at 5 %, ≤ 0.02 writes per request at 1 %)',
);
console.log(formatTable(['measure', 'value'], breakerFleet));
console.log('\nAlpha Vantage outage at 5 requests a second (real time)');
console.log(formatTable(['interval', 'seconds'], outage));
console.log(
  '\nDynamoDB frozen (SIGSTOP) under quote misses at 5 requests a second, default dependency guard (ms)',
);
console.log(formatTable(['DynamoDB', 'p50', 'p99', 'max'], freeze.latency));
console.log(formatTable(['measure', 'value'], freeze.facts));
