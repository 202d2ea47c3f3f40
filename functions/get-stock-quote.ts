import { parseSymbol } from '../lib/symbols.js';
import { marketData } from './shared/container.js';
import { requestDeadline } from './shared/deadline.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { jsonResponse } from './shared/responses.js';

/** GET /api/data/stock/{symbol}: the latest quote. */
export const handler = httpEndpoint(async (event, context) => {
  const symbol = parseSymbol(event.pathParameters?.symbol);
  const answer = await marketData.getQuote(symbol, requestDeadline(event, context));
  return jsonResponse(200, answer);
});
