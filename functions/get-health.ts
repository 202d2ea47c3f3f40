import { checkHealth } from '../lib/services/health.js';
import { healthDeps } from './shared/container.js';
import { httpEndpoint } from './shared/http-endpoint.js';
import { readingResponse } from './shared/responses.js';

/** GET /api/data/health: deep health; 503 when no provider can be called at all. */
export const handler = httpEndpoint(async () => {
  const report = await checkHealth(healthDeps);
  return readingResponse(report, report.status === 'down' ? 503 : 200);
});
