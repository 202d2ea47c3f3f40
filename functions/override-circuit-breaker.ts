import { parseProviderId } from '../lib/requests.js';
import { breakerOperator } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { operatorIdentity } from './shared/operator.js';
import { jsonResponse } from './shared/responses.js';

/**
 * POST /api/data/circuit-breakers/{name}/reset and /open (operators): close a breaker with its counts
 * cleared, or force it open for maintenance (no probe until reset). Each override is recorded with
 * who made it.
 */
export const handler = httpEndpoint(async (event) => {
  const name = parseProviderId(event.pathParameters?.name);
  const actor = operatorIdentity(event);
  if (event.resource.endsWith('/open')) await breakerOperator.forceOpen(name, actor);
  else await breakerOperator.reset(name, actor);
  const [status] = await breakerOperator.describeAll([name]);
  return jsonResponse(200, { data: status });
});
