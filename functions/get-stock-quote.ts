import { parseHistoryQuery } from '../lib/requests.js';
import { parseSymbol } from '../lib/symbols.js';
import { marketData } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { dataResponse } from './shared/responses.js';

/**
 * GET /api/data/stock/{symbol}: the latest quote; with `?history=daily&from=&to=&adjustment=`, daily
 * bars. Any history parameter routes to history, whose parsing refuses one without `history=daily`.
 */
export const handler = httpEndpoint(async (event) => {
  const params = event.queryStringParameters ?? {};
  const historyParams = [params.history, params.from, params.to, params.adjustment];
  if (historyParams.some((value) => value !== undefined)) {
    const query = parseHistoryQuery(event.pathParameters?.symbol, params, new Date());
    return dataResponse(event, await marketData.getDailyHistory(query));
  }
  const symbol = parseSymbol(event.pathParameters?.symbol);
  return dataResponse(event, await marketData.getQuote(symbol));
});
