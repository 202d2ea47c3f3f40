import { PROVIDER_IDS } from '../lib/model/provider-ids.js';
import { breaker } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/circuit-breakers (operators): every provider's breaker, read fresh. */
export const handler = httpEndpoint(async () => {
  const circuits = await breaker.describeAll(PROVIDER_IDS);
  return readingResponse(circuits);
});
