import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument } from '../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../lib/api/routes.js';

/**
 * `npm run openapi [file]`: writes the API's OpenAPI 3.1 document (`openapi.json` by default), the
 * same one `GET /api/data/openapi.json` serves, for client generators and reviewers.
 */
const file = process.argv[2] ?? 'openapi.json';
const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });
await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
console.log(`${file}: OpenAPI ${document.openapi}, ${Object.keys(document.paths).length} paths`);
