import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { toProxyEvent } from '../../infra/local/proxy-event.js';
import { ROUTES } from '../../lib/api/routes.js';

/**
 * Calls the real quote handler in this process, as the local gateway would, and returns its result;
 * with a Lambda context of its own, or the one given (to know its request id).
 */
export async function quoteInvoker(
  clientApiKey: string,
): Promise<(symbol: string, context?: Context) => Promise<APIGatewayProxyResult>> {
  const route = ROUTES.find((r) => r.id === 'GetStockQuote');
  if (!route) throw new Error('no quote route');
  const { handler } = await import('../../functions/get-stock-quote.js');
  return (symbol, context = lambdaContext(`valor-ivx-${route.id}`, 20_000)) =>
    handler(
      toProxyEvent({
        route,
        url: new URL(`http://localhost/api/data/stock/${symbol}`),
        rawHeaders: ['x-api-key', clientApiKey],
        pathParameters: { symbol },
        body: '',
        apiKey: clientApiKey,
      }),
      context,
    );
}
