import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { headKey } from '../../lib/cache/cache-items.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { countCommands } from '../support/call-counter.js';
import { benchContainer, benchDynamoDb, benchSandbox, benchTable } from './bench-container.js';
import { quantile } from './stats.js';

const REQUESTS = 2000;
const WARM_UP = 500;

/**
 * A quote cache hit through the service (the layer alone, no handler): from the container's memory, and
 * from DynamoDB (a container with its memory cache off), beside one raw GetItem of the same item, sampled
 * in turn so load on the machine falls on all three alike. Latency in ms; DynamoDB reads per hit.
 *
 * On DynamoDB Local itself, not through the proxy: this compares latencies, and the proxy (in this
 * process) would add its own hop and CPU to the DynamoDB row and the GetItem alike; what a hit reads
 * does not depend on a replica's lag here, the item being written once, long before.
 */
export async function measureMemoryCache(
  dynamodbLocalEndpoint: string,
  secretsManagerEndpoint: string,
): Promise<string[][]> {
  // A sandbox of its own, so the one miss here touches none of the stack's provider counters.
  const sandbox = await benchSandbox();
  const world = {
    dynamodbEndpoint: dynamodbLocalEndpoint,
    secretsManagerEndpoint,
    tableName: await benchTable(dynamodbLocalEndpoint, 'memory'),
    sandbox,
  };
  const clients = {
    warm: benchDynamoDb(world.dynamodbEndpoint),
    cold: benchDynamoDb(world.dynamodbEndpoint),
  };
  const warm = await benchContainer(world, {}, clients.warm);
  const cold = await benchContainer(world, { CACHE_MEMORY_MAX_ENTRIES: '0' }, clients.cold);
  const raw = benchDynamoDb(world.dynamodbEndpoint);
  const get = new GetItemCommand({ TableName: world.tableName, Key: headKey('quote', 'IBM') });
  const runs = {
    memory: () => workDueBy(Date.now() + 10_000, () => warm.service.getQuote('IBM')),
    dynamodb: () => workDueBy(Date.now() + 10_000, () => cold.service.getQuote('IBM')),
    getItem: () => raw.send(get),
  };
  await runs.memory(); // the miss that fills the cache (and this container's memory)
  for (let i = 0; i < WARM_UP; i++) for (const run of Object.values(runs)) await run();

  const reads = { memory: countCommands(clients.warm), dynamodb: countCommands(clients.cold) };
  const samples = { memory: [] as number[], dynamodb: [] as number[], getItem: [] as number[] };
  for (let i = 0; i < REQUESTS; i++) {
    for (const [name, run] of Object.entries(runs) as [keyof typeof runs, () => Promise<unknown>][]) {
      const started = performance.now();
      await run();
      samples[name].push(performance.now() - started);
    }
  }
  for (const client of [raw, clients.warm, clients.cold]) client.destroy();
  await sandbox.close();

  const perHit = (counts: Record<string, number>) =>
    (((counts.GetItemCommand ?? 0) + (counts.QueryCommand ?? 0)) / REQUESTS).toFixed(2);
  const row = (label: string, ms: number[], dynamodbReads: string) => [
    label,
    quantile(ms, 0.5).toFixed(3),
    quantile(ms, 0.99).toFixed(3),
    dynamodbReads,
  ];
  return [
    row('quote hit from memory (service)', samples.memory, perHit(reads.memory)),
    row('quote hit from DynamoDB (service, memory off)', samples.dynamodb, perHit(reads.dynamodb)),
    row('raw GetItem of the same item (same DynamoDB Local)', samples.getItem, '1.00'),
  ];
}
