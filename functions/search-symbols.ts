import { parseSearchQuery } from '../lib/requests.js';
import { marketData } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { dataResponse } from './shared/responses.js';

/** GET /api/data/search?q=: listings matching a name or ticker. */
export const handler = httpEndpoint(async (event) => {
  const query = parseSearchQuery(event.queryStringParameters ?? {});
  return dataResponse(event, await marketData.search(query));
});
