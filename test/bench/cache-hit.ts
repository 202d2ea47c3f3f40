import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { headKey } from '../../lib/cache/cache-items.js';
import { countCommands } from '../support/call-counter.js';
import { quoteInvoker } from './invoke.js';
import { quantile, timeEach } from './stats.js';

const REQUESTS = 2000;
const MISSES = 200;
const WARM_UP = 1000;

/**
 * The cache-hit request through the real quote handler, beside one raw GetItem on the same
 * DynamoDB Local, as a ratio; and the DynamoDB reads and writes a healthy request costs.
 */
export async function measureCacheHit(stack: LocalStack) {
  const invoke = await quoteInvoker(stack.clientApiKey);
  const ok = async (symbol: string) => {
    const result = await invoke(symbol);
    if (result.statusCode !== 200) throw new Error(`quote answered ${result.statusCode}: ${result.body}`);
  };
  const { clients } = await import('../../functions/shared/container.js');
  const calls = countCommands(clients.dynamodb);

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
  const raw = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint });
  const get = new GetItemCommand({
    TableName: process.env.DATA_TABLE_NAME,
    Key: headKey('quote', 'IBM'),
  });
  // Both paths warmed first (JIT, connections), so neither is measured cold against the other warm.
  await timeEach(WARM_UP, () => ok('IBM'));
  await timeEach(WARM_UP, () => raw.send(get));

  perRequest(1);
  const handlerMs = await timeEach(REQUESTS, () => ok('IBM'));
  const hitCalls = perRequest(REQUESTS);
  const getItemMs = await timeEach(REQUESTS, () => raw.send(get));
  raw.destroy();
  for (let i = 0; i < MISSES; i++) await ok(`MISS${i}`);
  const missCalls = perRequest(MISSES);

  const row = (label: string, samples: number[]) => [
    label,
    quantile(samples, 0.5).toFixed(2),
    quantile(samples, 0.99).toFixed(2),
  ];
  return {
    latency: [
      row('cache-hit request (handler)', handlerMs),
      row('raw GetItem', getItemMs),
      [
        'ratio handler / GetItem',
        (quantile(handlerMs, 0.5) / quantile(getItemMs, 0.5)).toFixed(2),
        (quantile(handlerMs, 0.99) / quantile(getItemMs, 0.99)).toFixed(2),
      ],
    ],
    dynamodbCalls: [
      ['cache hit', ...hitCalls],
      ['cache miss, healthy provider', ...missCalls],
    ],
  };
}
