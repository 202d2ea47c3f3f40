import { startLocalStack } from '../../infra/local/local-stack.js';
import { measureBundles } from './bundles.js';
import { measureCacheHit } from './cache-hit.js';
import { formatTable } from './stats.js';

/**
 * `npm run bench`: the figures the foundation promises, printed as tables. Not a test: timings
 * on a shared machine are noisy, so nothing here passes or fails.
 */
const bundleRows = await measureBundles();

process.env.PORT = '0';
const stack = await startLocalStack(process.env);
// Handlers log and emit EMF to stdout on every request; keep the report readable.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;
let latencyRows: (string | number)[][];
try {
  latencyRows = await measureCacheHit(stack);
} finally {
  process.stdout.write = write;
  await stack.close();
}

console.log('\nFunction bundles (esbuild, as CDK bundles them)');
console.log(formatTable(['function', 'size', 'cold init (median)'], bundleRows));
console.log('\nCache-hit latency, in-process handler vs raw GetItem on the same DynamoDB Local (ms)');
console.log(formatTable(['measure', 'median', 'p99'], latencyRows));
