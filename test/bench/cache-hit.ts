import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { lambdaContext, toProxyEvent } from '../../infra/local/proxy-event.js';
import { ROUTES } from '../../infra/routes.js';
import { DATA_TABLE } from '../../lib/storage/table-definition.js';
import { countCommands } from '../support/call-counter.js';
import { quantile, timeEach } from './stats.js';

const REQUESTS = 2000;

/**
 * The cache-hit request through the real quote handler, beside one raw GetItem on the same
 * DynamoDB Local, as a ratio; and the DynamoDB calls each hit costs.
 */
export async function measureCacheHit(stack: LocalStack): Promise<(string | number)[][]> {
  const route = ROUTES.find((r) => r.id === 'GetStockQuote');
  if (!route) throw new Error('no quote route');
  const { handler } = await import('../../functions/get-stock-quote.js');
  const { clients } = await import('../../functions/shared/container.js');
  const event = toProxyEvent({
    route,
    url: new URL('http://localhost/api/data/stock/IBM'),
    rawHeaders: ['x-api-key', stack.clientApiKey],
    pathParameters: { symbol: 'IBM' },
    body: '',
    apiKey: stack.clientApiKey,
  });
  const invoke = async () => {
    const result = await handler(event, lambdaContext(route, 20_000));
    if (result.statusCode !== 200) throw new Error(`quote answered ${result.statusCode}: ${result.body}`);
  };
  await invoke(); // the miss that fills the cache
  const calls = countCommands(clients.dynamodb);
  const handlerMs = await timeEach(REQUESTS, invoke);
  const dynamodbCalls = Object.values(calls).reduce((sum, n) => sum + n, 0) / REQUESTS;

  const raw = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint });
  const get = new GetItemCommand({
    TableName: process.env.DATA_TABLE_NAME,
    Key: { [DATA_TABLE.partitionKey]: { S: 'quote#IBM' }, [DATA_TABLE.sortKey]: { S: 'cache#v1' } },
  });
  await raw.send(get);
  const getItemMs = await timeEach(REQUESTS, () => raw.send(get));
  raw.destroy();

  const row = (label: string, samples: number[]) => [
    label,
    quantile(samples, 0.5).toFixed(2),
    quantile(samples, 0.99).toFixed(2),
  ];
  return [
    row('cache-hit request (handler)', handlerMs),
    row('raw GetItem', getItemMs),
    [
      'ratio handler / GetItem',
      (quantile(handlerMs, 0.5) / quantile(getItemMs, 0.5)).toFixed(2),
      (quantile(handlerMs, 0.99) / quantile(getItemMs, 0.99)).toFixed(2),
    ],
    ['DynamoDB calls per cache hit', dynamodbCalls.toFixed(2), ''],
  ];
}
