import { parseSymbol } from '../lib/symbols.js';
import { marketData } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { dataResponse } from './shared/responses.js';

/** GET /api/data/corporate-actions/{symbol}: the symbol's splits and cash dividends. */
export const handler = httpEndpoint(async (event) => {
  const symbol = parseSymbol(event.pathParameters?.symbol);
  return dataResponse(event, await marketData.getCorporateActions(symbol));
});
