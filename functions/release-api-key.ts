import { parseProviderId } from '../lib/requests.js';
import { releaseProviderKey } from '../lib/services/key-status.js';
import { keyStatusDeps, logger } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { operatorIdentity } from './shared/operator.js';
import { jsonResponse } from './shared/responses.js';

/**
 * POST /api/data/api-keys/{provider}/{keyId}/release (operators): lifts a key's parking or quarantine,
 * for instance after the provider confirmed a key it had refused is valid again. Recorded in the log.
 */
export const handler = httpEndpoint(async (event) => {
  const provider = parseProviderId(event.pathParameters?.provider);
  const keyId = event.pathParameters?.keyId ?? '';
  const status = await releaseProviderKey(provider, keyId, operatorIdentity(event), {
    ...keyStatusDeps,
    logger,
  });
  return jsonResponse(200, { data: status });
});
