import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { buildOpenApiDocument, type OpenApiDocument } from '../../../lib/api/openapi.js';
import { OPERATIONS } from '../../../lib/api/operations.js';
import { API_STAGE, ROUTES } from '../../../lib/api/routes.js';

const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });
const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document for @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is refused by the same validator once it is broken, so the check above is not a formality', async () => {
    const broken = structuredClone(document) as unknown as Record<string, unknown>;
    delete broken.info;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has one operation per route of the route table, with the route id as operationId', () => {
    const listed = operationsOf(document).map(({ path, method, operation }) => [
      operation.operationId,
      method.toUpperCase(),
      path,
    ]);
    expect(listed.sort()).toEqual(ROUTES.map((route) => [route.id, route.method, route.path]).sort());
    expect(ROUTES.map((route) => route.id)).toContain('GetOpenApi');
    // No contract outlives its route.
    expect(Object.keys(OPERATIONS).sort()).toEqual(ROUTES.map((route) => route.id).sort());
  });

  it('asks client routes for the client key and operator routes for IAM (SigV4)', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.security, route.id).toEqual([
        { [route.auth === 'client' ? 'clientApiKey' : 'operatorIam']: [] },
      ]);
    }
    expect(document.components.securitySchemes.clientApiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
    });
    expect(document.components.securitySchemes.operatorIam).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('documents the required query parameters the route table makes API Gateway insist on', () => {
    for (const route of ROUTES) {
      const parameters = (document.paths[route.path]?.[route.method.toLowerCase()]?.parameters ?? []) as {
        name: string;
        in: string;
        required: boolean;
      }[];
      const required = parameters.filter((p) => p.in === 'query' && p.required).map((p) => p.name);
      expect(required, route.id).toEqual([...(route.requiredQuery ?? [])]);
    }
  });

  it('takes the answer schemas from the zod schemas that build the answers', () => {
    const quote = document.components.schemas.Quote as { properties: Record<string, unknown> };
    expect(Object.keys(quote.properties)).toContain('tradingDay');
    expect(document.components.schemas.AnswerMeta).toMatchObject({
      required: expect.arrayContaining(['provider', 'cache', 'stale', 'freshForSeconds', 'quality']),
    });
    // A problem answer with status 404 may only be of the kinds answered with 404.
    expect(document.components.schemas.Problem404).toMatchObject({
      properties: {
        type: {
          enum: [
            'https://valor-ivx.dev/problems/symbol-not-found',
            'https://valor-ivx.dev/problems/client-error',
          ],
        },
      },
    });
  });

  it('documents the security headers on every answer and no-store on every problem', () => {
    for (const { operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(Object.keys(response.headers ?? {}), `${operation.operationId} ${status}`).toEqual(
          expect.arrayContaining(['X-Content-Type-Options', 'X-Frame-Options', 'Cache-Control']),
        );
        if (response.content?.['application/problem+json'])
          expect(response.headers?.['Cache-Control']).toEqual({
            $ref: '#/components/headers/CacheControlNoStore',
          });
      }
    }
  });

  it('documents ETag, private Cache-Control and 304 on the cacheable data routes only', () => {
    for (const route of ROUTES) {
      const responses = document.paths[route.path]?.[route.method.toLowerCase()]?.responses ?? {};
      const cacheable = OPERATIONS[route.id]?.cacheable === true;
      expect('304' in responses, route.id).toBe(cacheable);
      expect(responses['200']?.headers?.ETag !== undefined, route.id).toBe(cacheable);
    }
  });

  it('refuses a route with no contract, or whose path parameters or required query differ', () => {
    const route = ROUTES[0];
    if (!route) throw new Error('no route');
    const contract = OPERATIONS[route.id];
    if (!contract) throw new Error('no contract');
    expect(() => buildOpenApiDocument({ routes: [{ ...route, id: 'Nope' }], stage: 'v1' })).toThrow(
      /no operation contract/,
    );
    expect(() =>
      buildOpenApiDocument({ routes: [{ ...route, path: '/api/data/stock/{ticker}' }], stage: 'v1' }),
    ).toThrow(/path parameters/);
    expect(() =>
      buildOpenApiDocument({
        routes: [{ ...route, requiredQuery: ['history'] }],
        stage: 'v1',
        operations: { [route.id]: { ...contract, query: z.object({ history: z.optional(z.string()) }) } },
      }),
    ).toThrow(/requires \[history\]/);
  });
});
