import { keyStatuses } from '../lib/services/key-status.js';
import { keyStatusDeps } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { jsonResponse } from './shared/responses.js';

/** GET /api/data/api-keys/status (operators): provider key pools, usage, budgets, states; never a key value. */
export const handler = httpEndpoint(async () => {
  const providers = await keyStatuses(keyStatusDeps);
  return jsonResponse(200, { data: providers, meta: { readAt: new Date().toISOString() } });
});
