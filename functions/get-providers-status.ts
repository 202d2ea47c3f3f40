import { providerStatuses } from '../lib/services/provider-status.js';
import { breaker, keyPools, sources } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/providers/status (operators): providers, their priority, breakers and key pools. */
export const handler = httpEndpoint(async () => {
  const providers = await providerStatuses({ breaker, keyPools, sources });
  return readingResponse(providers);
});
