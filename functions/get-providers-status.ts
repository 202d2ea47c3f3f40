import { providerStatuses } from '../lib/services/provider-status.js';
import { providerStatusDeps } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/**
 * GET /api/data/providers/status (operators): providers, their priority, breakers, key pools and
 * measured agreement with the other providers.
 */
export const handler = httpEndpoint(async () => {
  const providers = await providerStatuses(providerStatusDeps);
  return readingResponse(providers);
});
