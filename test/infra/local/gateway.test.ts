import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalGateway, type ProxyHandler, startLocalGateway } from '../../../infra/local/gateway.js';
import type { RouteDefinition } from '../../../lib/api/routes.js';
import { SECURITY_HEADERS } from '../../../lib/api/security-headers.js';

const KEY = 'gateway-test-key';
const route = (id: string, path: string): RouteDefinition => ({
  id,
  method: 'GET',
  path: `/stand-in/${path}`,
  entry: 'unused',
  auth: 'client',
});
const ROUTES = [route('Echo', 'echo/{symbol}'), route('Throws', 'throws'), route('Garbage', 'garbage')];

/** Handlers standing in for functions: one answers with what it got, the others fail as functions can. */
const events: APIGatewayProxyEvent[] = [];
const handlers: Record<string, ProxyHandler> = {
  Echo: async (event) => {
    events.push(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  },
  Throws: async () => {
    throw new Error('boom');
  },
  Garbage: async () => 'not a proxy result' as never,
};

let gateway: LocalGateway;
beforeAll(async () => {
  gateway = await startLocalGateway({
    routes: ROUTES,
    clientApiKey: KEY,
    operatorKey: 'unused',
    loadHandler: async (r) => handlers[r.id] as ProxyHandler,
  });
});
afterAll(() => gateway.close());

// Paths outside /api/data/: these stand-in routes are not the API the OpenAPI document describes.
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': KEY, ...headers } });

function expectGatewayProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  for (const [name, value] of Object.entries(SECURITY_HEADERS))
    expect(response.headers.get(name)).toBe(value);
  expect(response.headers.get('server')).toBeNull();
  expect(response.headers.get('x-powered-by')).toBeNull();
}

describe('the local gateway', () => {
  it('hands the handler the request headers, If-None-Match included, and its request id', async () => {
    const response = await get('/stand-in/echo/IBM', { 'If-None-Match': '"abc", W/"def"' });
    const event = events.at(-1);
    expect(event?.headers['If-None-Match'] ?? event?.headers['if-none-match']).toBe('"abc", W/"def"');
    expect(response.headers.get('x-amzn-requestid')).toBe(event?.requestContext.requestId);
    expect(response.headers.get('server')).toBeNull();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers a failing function with a 502 problem, as the DEFAULT_5XX gateway response does', async () => {
    for (const path of ['/stand-in/throws', '/stand-in/garbage']) {
      const response = await get(path);
      expectGatewayProblem(response, 502);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        type: 'https://valor-ivx.dev/problems/server-error',
        title: 'Server error',
      });
      expect(body.requestId).toBe(response.headers.get('x-amzn-requestid'));
    }
  });

  it('answers a path that is not valid percent-encoding with a 400 problem, never a 5xx', async () => {
    expectGatewayProblem(await get('/stand-in/echo/%E0%A4%A'), 400);
  });

  it('answers headers too large to read with a 431 problem, not a bare status line', async () => {
    const response = await get('/stand-in/echo/IBM', { 'x-padding': 'x'.repeat(20_000) });
    expectGatewayProblem(response, 431);
    expect(((await response.json()) as { requestId: string }).requestId).toBe(
      response.headers.get('x-amzn-requestid'),
    );
  });
});
