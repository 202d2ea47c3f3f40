import { PROVIDER_IDS } from '../lib/model/provider-ids.js';
import { breakerOperator } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/circuit-breakers (operators): every provider's breaker, read fresh. */
export const handler = httpEndpoint(async () => {
  const circuits = await breakerOperator.describeAll(PROVIDER_IDS);
  return readingResponse(circuits);
});
