import { parseBatchRequest } from '../lib/requests.js';
import { batchPrices } from '../lib/services/batch-prices.js';
import { batchDeps } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { requestHeader } from './shared/request.js';
import { jsonResponse } from './shared/responses.js';

/** POST /api/data/batch/prices with `{ "symbols": [...] }` (at most 100) → `{ results, missing, errors }`. */
export const handler = httpEndpoint(async (event) => {
  const symbols = parseBatchRequest(event.body, requestHeader(event, 'content-type'));
  return jsonResponse(200, await batchPrices(symbols, batchDeps));
});
