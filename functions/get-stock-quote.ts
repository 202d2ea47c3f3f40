import { parseHistoryQuery } from '../lib/requests.js';
import { parseSymbol } from '../lib/symbols.js';
import { marketData } from './shared/container.js';
import { requestDeadline } from './shared/deadline.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { dataResponse } from './shared/responses.js';

/** GET /api/data/stock/{symbol}: the latest quote; with `?history=daily&from=&to=`, daily bars. */
export const handler = httpEndpoint(async (event, context) => {
  const deadline = requestDeadline(event, context);
  const params = event.queryStringParameters ?? {};
  if (params.history !== undefined || params.from !== undefined || params.to !== undefined) {
    const query = parseHistoryQuery(event.pathParameters?.symbol, params, new Date());
    return dataResponse(event, await marketData.getDailyHistory(query, deadline));
  }
  const symbol = parseSymbol(event.pathParameters?.symbol);
  return dataResponse(event, await marketData.getQuote(symbol, deadline));
});
