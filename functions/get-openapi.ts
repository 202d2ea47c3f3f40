import { buildOpenApiDocument } from '../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../lib/api/routes.js';
import { httpEndpoint } from './shared/http-endpoint.js';

/** Built and serialized once per container: it depends on nothing but the code deployed. */
const body = JSON.stringify(buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE }));

/** GET /api/data/openapi.json: the API's OpenAPI 3.1 description, generated from the route table and schemas. */
export const handler = httpEndpoint(async () => ({
  statusCode: 200,
  // Private like every answer to a key holder; it changes only with a deployment.
  headers: { 'content-type': 'application/json', 'cache-control': 'private, max-age=300' },
  body,
}));
