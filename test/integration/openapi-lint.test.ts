import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type OpenApiDocument } from '../../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../../lib/api/routes.js';

/**
 * Spectral (`spectral:oas` and OWASP's API Security ruleset, as `.spectral.yaml` configures them) on
 * the document the API serves. What must hold: no error about a request input (parameters, request
 * bodies and the schemas they name) or a server. Errors about answer schemas are reported by
 * Spectral but are not this test's concern.
 */
interface Finding {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

const ERROR = 0;
const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Spectral's findings on a document, through its CLI (it exits 1 when it found errors). */
async function lint(doc: OpenApiDocument, name: string): Promise<Finding[]> {
  const file = join(folder, `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  const args = ['lint', '--ruleset', '.spectral.yaml', '--format', 'json', '--quiet', file];
  const { stdout } = await promisify(execFile)('node_modules/.bin/spectral', args).catch(
    (failed: { stdout?: string; code?: number }) => {
      if (failed.code !== 1 || !failed.stdout) throw failed;
      return { stdout: failed.stdout };
    },
  );
  return JSON.parse(stdout) as Finding[];
}

/** Component schemas a request body names, and those they name in turn. */
function requestSchemas(doc: OpenApiDocument): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object')
      for (const [key, inner] of Object.entries(value)) {
        const name =
          key === '$ref' && typeof inner === 'string'
            ? /^#\/components\/schemas\/(.+)$/.exec(inner)?.[1]
            : undefined;
        if (name && !names.has(name)) {
          names.add(name);
          visit(doc.components.schemas[name]);
        } else visit(inner);
      }
  };
  for (const item of Object.values(doc.paths))
    for (const operation of Object.values(item)) visit(operation.requestBody);
  return names;
}

/** Whether a finding is about a request input or a server. */
function aboutInputsOrServers(doc: OpenApiDocument): (finding: Finding) => boolean {
  const bodies = requestSchemas(doc);
  return ({ path }) =>
    path[0] === 'servers' ||
    (path[0] === 'paths' && (path[3] === 'parameters' || path[3] === 'requestBody')) ||
    (path[0] === 'components' && path[1] === 'schemas' && bodies.has(path[2] ?? ''));
}

const errorsOnInputsOrServers = (findings: Finding[], doc: OpenApiDocument) =>
  findings
    .filter((finding) => finding.severity === ERROR && aboutInputsOrServers(doc)(finding))
    .map(({ code, path }) => `${code} at ${path.join('.')}`);

describe('Spectral with the OAS and OWASP rulesets on the OpenAPI document', () => {
  it('reports no error about a request input or a server', async () => {
    const findings = await lint(document, 'served');
    expect(errorsOnInputsOrServers(findings, document)).toEqual([]);
    // The filter looks at real findings: Spectral ran and read the document.
    expect(findings.length).toBeGreaterThan(0);
  }, 60_000);

  it('reports an unbounded symbol, an unbounded batch, a server of no environment and a public http server', async () => {
    const broken = structuredClone(document);
    const symbol = (broken.paths['/api/data/company/{symbol}']?.get?.parameters?.[0] ?? {}) as {
      schema: Record<string, unknown>;
    };
    symbol.schema = { type: 'string' };
    const batch = broken.components.schemas.BatchPricesRequest as {
      properties: { symbols: Record<string, unknown> };
    };
    delete batch.properties.symbols.maxItems;
    broken.servers = [{ url: 'http://api.example.com/v1', description: 'The API' }];

    const errors = errorsOnInputsOrServers(await lint(broken, 'broken'), broken);
    expect(errors).toEqual(
      expect.arrayContaining([
        'owasp:api4:2023-string-limit at paths./api/data/company/{symbol}.get.parameters.0.schema',
        'owasp:api4:2023-array-limit at components.schemas.BatchPricesRequest.properties.symbols',
        'owasp:api9:2023-inventory-environment at servers.0.description',
        'owasp:api9:2023-inventory-access at servers.0',
        'owasp:api8:2023-no-server-http at servers.0.url',
      ]),
    );
  }, 60_000);
});
