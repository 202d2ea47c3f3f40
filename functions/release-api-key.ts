import { InvalidRequestError } from '../lib/errors.js';
import { parseProviderId } from '../lib/providers/provider-ids.js';
import { keyStatuses } from '../lib/services/key-status.js';
import { keyStates, keyStatusDeps, logger } from './shared/container.js';
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
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(keyId)) {
    throw new InvalidRequestError('invalid key id', ['keyId must be 1-64 letters, digits, ".", "_" or "-"']);
  }
  await keyStates.release(provider, keyId);
  logger.info('provider key released', { provider, keyId, actor: operatorIdentity(event) });
  const status = (await keyStatuses(keyStatusDeps)).find((pool) => pool.provider === provider);
  return jsonResponse(200, { data: status?.keys.find((key) => key.id === keyId) ?? null });
});
