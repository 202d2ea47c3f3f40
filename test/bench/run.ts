import { FUNCTION_ENVIRONMENT } from '../../infra/function-settings.js';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { measureBundles } from './bundles.js';
import { measureCacheHit } from './cache-hit.js';
import { measureOutage } from './outage.js';
import { formatTable } from './stats.js';
import { measureWorkload } from './workload/run-workload.js';

/**
 * `npm run bench`: the figures the issues promise, printed as tables. Not a test: timings on a
 * shared machine are noisy, so nothing here passes or fails.
 */
const RECOVERY_TIMEOUT_SECONDS = Number(process.env.BENCH_RECOVERY_TIMEOUT ?? 10);

const bundleRows = await measureBundles();

Object.assign(process.env, {
  PORT: '0',
  CIRCUIT_BREAKER_RECOVERY_TIMEOUT: String(RECOVERY_TIMEOUT_SECONDS),
  RETRY_BASE_DELAY: '0.1',
  // The deployed functions' log settings, so the log bytes measured are the ones CloudWatch would ingest.
  POWERTOOLS_LOG_LEVEL: FUNCTION_ENVIRONMENT.POWERTOOLS_LOG_LEVEL,
  POWERTOOLS_LOGGER_SAMPLE_RATE: FUNCTION_ENVIRONMENT.POWERTOOLS_LOGGER_SAMPLE_RATE,
});
const stack = await startLocalStack(process.env);
// Handlers log and emit EMF on both streams; keep the report readable.
const write = process.stdout.write.bind(process.stdout);
const writeError = process.stderr.write.bind(process.stderr);
process.stdout.write = (() => true) as typeof process.stdout.write;
process.stderr.write = (() => true) as typeof process.stderr.write;
let hits: Awaited<ReturnType<typeof measureCacheHit>>;
let outage: string[][];
try {
  hits = await measureCacheHit(stack);
  outage = await measureOutage(stack, RECOVERY_TIMEOUT_SECONDS);
} finally {
  process.stdout.write = write;
  process.stderr.write = writeError;
  await stack.close();
}

console.log('\nFunction bundles (esbuild, as CDK bundles them)');
console.log(formatTable(['function', 'size', 'cold init (median of 7)'], bundleRows));
console.log(
  '\nCache-hit latency: the quote handler in-process vs a raw GetItem on the same DynamoDB Local (ms, 2000 each)',
);
console.log(formatTable(['measure', 'median', 'p99'], hits.latency));
console.log('\nDynamoDB calls per request');
console.log(formatTable(['request', 'reads', 'writes', 'by command'], hits.dynamodbCalls));
console.log(
  '\nLog written per request (stdout + stderr at the deployed log settings; Lambda adds ~300 B of its own)',
);
console.log(formatTable(['request', 'bytes', 'EMF documents', 'other lines'], hits.logs));
console.log('\nCPU per request in this process (ms; Lambda gives a function memory/1769 MB of a vCPU)');
console.log(formatTable(['measure', 'value'], hits.cpu));
const workload = await measureWorkload();
console.log('\nWorkload: Zipf mix over 500 symbols, bursts at the open, containers sharing DynamoDB Local');
console.log(formatTable(['measure', 'value'], workload));
console.log('\nAlpha Vantage outage at 5 requests a second (real time)');
console.log(formatTable(['interval', 'seconds'], outage));
