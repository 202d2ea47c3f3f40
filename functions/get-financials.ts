import { parseStatementsQuery } from '../lib/requests.js';
import { marketData } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { dataResponse } from './shared/responses.js';

/** GET /api/data/financials/{symbol}?statement=income|balance|cash&period=annual|quarterly */
export const handler = httpEndpoint(async (event) => {
  const query = parseStatementsQuery(event.pathParameters?.symbol, event.queryStringParameters ?? {});
  return dataResponse(event, await marketData.getStatements(query));
});
