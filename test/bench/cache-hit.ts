import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { headKey } from '../../lib/cache/cache-items.js';
import { countCommands } from '../support/call-counter.js';
import { benchDynamoDb } from './bench-container.js';
import { quoteInvoker } from './invoke.js';
import { meterByKind, missCostRows, perRequest as unitsPerRequest } from './miss-cost.js';
import { quantile } from './stats.js';

const REQUESTS = 2000;
const MISSES = 200;
const WARM_UP = 1000;

/** What the runs wrote to stdout and stderr, as CloudWatch Logs would ingest it, and the CPU they took. */
function meterRuns() {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  let bytes = 0;
  let documents = 0;
  let lines = 0;
  for (const stream of streams)
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      bytes += Buffer.byteLength(text);
      for (const line of text.split('\n'))
        if (line.includes('"_aws"')) documents++;
        else if (line.length > 0) lines++;
      rest.find((arg): arg is () => void => typeof arg === 'function')?.();
      return true;
    }) as typeof stream.write;
  let cpu = process.cpuUsage();
  return {
    /** Per request since the last read, then starts counting afresh. */
    read(requests: number) {
      const used = process.cpuUsage(cpu);
      const figures = {
        bytes: bytes / requests,
        documents: documents / requests,
        lines: lines / requests,
        cpuMs: (used.user + used.system) / 1000 / requests,
      };
      bytes = documents = lines = 0;
      cpu = process.cpuUsage();
      return figures;
    },
    stop() {
      streams.forEach((stream, i) => {
        stream.write = writes[i] as typeof stream.write;
      });
    },
  };
}

/**
 * The cache-hit request through the real quote handler, beside one raw GetItem on the same endpoint
 * (the stack's: the DynamoDB proxy in front of DynamoDB Local), as a ratio, and one raw GetItem on
 * DynamoDB Local itself (what the proxy's hop adds); the DynamoDB reads and writes, log bytes and CPU a
 * request costs.
 */
export async function measureCacheHit(stack: LocalStack, dynamodbLocalEndpoint: string) {
  const invoke = await quoteInvoker(stack.clientApiKey);
  const ok = async (symbol: string) => {
    const result = await invoke(symbol);
    if (result.statusCode !== 200) throw new Error(`quote answered ${result.statusCode}: ${result.body}`);
  };
  const { clients } = await import('../../functions/shared/container.js');
  const calls = countCommands(clients.dynamodb);
  const units = meterByKind(clients.dynamodb);

  await ok('IBM'); // the miss that fills the cache
  const perRequest = (count: number) => {
    const snapshot = { ...calls };
    for (const name of Object.keys(calls)) calls[name] = 0;
    const of = (...names: string[]) =>
      (names.reduce((sum, n) => sum + (snapshot[n] ?? 0), 0) / count).toFixed(2);
    return [
      of('GetItemCommand', 'QueryCommand', 'BatchGetItemCommand'),
      of('PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand'),
      Object.entries(snapshot)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name.replace('Command', '')} ${(n / count).toFixed(2)}`)
        .join(', '),
    ];
  };
  const raw = benchDynamoDb(stack.dynamodbEndpoint);
  const direct = benchDynamoDb(dynamodbLocalEndpoint);
  const get = new GetItemCommand({
    TableName: process.env.DATA_TABLE_NAME,
    Key: headKey('quote', 'IBM'),
  });
  const rawGet = () => raw.send(get);
  const directGet = () => direct.send(get);
  // All warmed first (JIT, connections), then sampled in turn, so load on the machine falls on all alike.
  for (let i = 0; i < WARM_UP; i++) {
    await ok('IBM');
    await rawGet();
    await directGet();
  }
  const handlerMs: number[] = [];
  const getItemMs: number[] = [];
  const directMs: number[] = [];
  const timed = async (samples: number[], run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  };
  for (let i = 0; i < REQUESTS; i++) {
    await timed(handlerMs, () => ok('IBM'));
    await timed(getItemMs, rawGet);
    await timed(directMs, directGet);
  }

  perRequest(1);
  const meter = meterRuns();
  let hit: ReturnType<typeof meter.read>;
  let hitCalls: string[];
  let getItem: ReturnType<typeof meter.read>;
  let miss: ReturnType<typeof meter.read>;
  let missCalls: string[];
  let hitUnits: ReturnType<typeof unitsPerRequest>;
  let missUnits: ReturnType<typeof unitsPerRequest>;
  try {
    const beforeHits = structuredClone(units);
    for (let i = 0; i < REQUESTS; i++) await ok('IBM');
    hit = meter.read(REQUESTS);
    hitCalls = perRequest(REQUESTS);
    hitUnits = unitsPerRequest(units, beforeHits, REQUESTS);
    for (let i = 0; i < REQUESTS; i++) await directGet();
    getItem = meter.read(REQUESTS);
    const beforeMisses = structuredClone(units);
    for (let i = 0; i < MISSES; i++) await ok(`MISS${i}`);
    miss = meter.read(MISSES);
    missCalls = perRequest(MISSES);
    missUnits = unitsPerRequest(units, beforeMisses, MISSES);
  } finally {
    meter.stop();
    raw.destroy();
    direct.destroy();
  }

  const row = (label: string, samples: number[]) => [
    label,
    quantile(samples, 0.5).toFixed(2),
    quantile(samples, 0.99).toFixed(2),
  ];
  const logRow = (label: string, figures: typeof hit) => [
    label,
    figures.bytes.toFixed(0),
    figures.documents.toFixed(2),
    figures.lines.toFixed(2),
  ];
  const { rss, heapUsed } = process.memoryUsage();
  return {
    latency: [
      row('cache-hit request (handler, through the proxy)', handlerMs),
      row('raw GetItem through the proxy', getItemMs),
      row('raw GetItem on DynamoDB Local itself', directMs),
      [
        'ratio handler / GetItem through the proxy',
        (quantile(handlerMs, 0.5) / quantile(getItemMs, 0.5)).toFixed(2),
        (quantile(handlerMs, 0.99) / quantile(getItemMs, 0.99)).toFixed(2),
      ],
    ],
    dynamodbCalls: [
      ['cache hit (a warm container: from its memory)', ...hitCalls],
      ['cache miss, healthy provider', ...missCalls],
    ],
    cost: missCostRows('cache hit (a warm container: from its memory)', hitUnits, missUnits),
    logs: [logRow('cache hit', hit), logRow('cache miss, healthy provider', miss)],
    cpu: [
      ["cache hit (handler, from the container's memory)", hit.cpuMs.toFixed(2)],
      ['raw GetItem on DynamoDB Local itself (SDK client alone)', getItem.cpuMs.toFixed(2)],
      [
        'cache miss, healthy provider (the in-process sandbox and DynamoDB proxy included)',
        miss.cpuMs.toFixed(2),
      ],
      [
        'process after the runs: RSS / heap used (local stack included)',
        `${(rss / 2 ** 20).toFixed(0)} MB / ${(heapUsed / 2 ** 20).toFixed(0)} MB`,
      ],
    ],
  };
}
