import { checkHealth } from '../lib/services/health.js';
import { breaker, clients, config, keyPools } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/health: deep health; 503 when no provider can be called at all. */
export const handler = httpEndpoint(async () => {
  const report = await checkHealth({
    dynamodb: clients.dynamodb,
    tableName: config.tableName,
    keyPools,
    breaker,
  });
  return readingResponse(report, report.status === 'down' ? 503 : 200);
});
