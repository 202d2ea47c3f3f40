import { keyStatuses } from '../lib/services/key-status.js';
import { keyStatusDeps } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/api-keys/status (operators): provider key pools, usage, budgets, states; never a key value. */
export const handler = httpEndpoint(async () => {
  const providers = await keyStatuses(keyStatusDeps);
  return readingResponse(providers);
});
