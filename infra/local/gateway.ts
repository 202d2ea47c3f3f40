import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { problemResponse } from '../../functions/shared/responses.js';
import { ROUTE_FUNCTION_SIZE } from '../function-settings.js';
import type { RouteDefinition } from '../routes.js';
import { lambdaContext } from './lambda-context.js';
import { toProxyEvent } from './proxy-event.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalGatewayOptions {
  routes: readonly RouteDefinition[];
  /** The client key the usage plan accepts on `client` routes. */
  clientApiKey: string;
  /** Stands in for IAM on `operator` routes. */
  operatorKey: string;
  loadHandler: (route: RouteDefinition) => Promise<ProxyHandler>;
  port?: number;
  host?: string;
  log?: (line: string) => void;
}

export interface LocalGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

/**
 * A local API Gateway for the route table: matches the route, enforces keys as the usage plan (client
 * routes) and IAM (operator routes) would, turns the request into the proxy event API Gateway sends,
 * runs the real handler with a Lambda context, and maps its result back.
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const compiled = options.routes.map(compileRoute);
  const handlers = new Map<string, Promise<ProxyHandler>>();
  const handlerFor = (route: RouteDefinition) => {
    let handler = handlers.get(route.id);
    if (!handler) {
      handler = options.loadHandler(route);
      handlers.set(route.id, handler);
    }
    return handler;
  };

  const server = createServer((request, response) => {
    const started = performance.now();
    serve(request, compiled, options, handlerFor)
      .then((result) => {
        writeResult(response, result);
        options.log?.(
          `${request.method} ${request.url?.split('?')[0]} ${result.statusCode} ${Math.round(performance.now() - started)} ms`,
        );
      })
      .catch(() =>
        writeResult(response, {
          statusCode: 502,
          body: JSON.stringify({ message: 'Internal server error' }),
        }),
      );
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  request: IncomingMessage,
  routes: CompiledRoute[],
  options: LocalGatewayOptions,
  handlerFor: (route: RouteDefinition) => Promise<ProxyHandler>,
): Promise<APIGatewayProxyResult> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = matchRoute(routes, request.method ?? 'GET', url.pathname);
  // API Gateway answers an unknown route with 403 "Missing Authentication Token"; so does this.
  if (!match)
    return problemResponse('forbidden', 'The request has no valid credentials, or no such route exists.');

  const apiKey = headerValue(request, 'x-api-key');
  const expectedKey = match.route.auth === 'client' ? options.clientApiKey : options.operatorKey;
  if (apiKey !== expectedKey)
    return problemResponse('forbidden', 'a valid API key is required for this route');

  // API Gateway's request validator refuses a request without a required query parameter.
  const absent = (match.route.requiredQuery ?? []).filter((name) => !url.searchParams.get(name));
  if (absent.length > 0)
    return problemResponse('badRequest', `Missing required request parameters: [${absent.join(', ')}]`);

  const body = await readBody(request);
  const event = toProxyEvent({
    route: match.route,
    url,
    rawHeaders: request.rawHeaders,
    pathParameters: match.pathParameters,
    body,
    apiKey,
    sourceIp: request.socket.remoteAddress,
    httpVersion: request.httpVersion,
  });
  const handler = await handlerFor(match.route);
  const timeoutMs = ROUTE_FUNCTION_SIZE.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<APIGatewayProxyResult>((resolve) => {
    timer = setTimeout(
      // API Gateway's INTEGRATION_TIMEOUT gateway response (infra/constructs/problem-responses.ts).
      () => resolve(problemResponse('gatewayTimeout', 'Endpoint request timed out')),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([
      handler(event, lambdaContext(`valor-ivx-${match.route.id}`, timeoutMs, ROUTE_FUNCTION_SIZE.memoryMb)),
      timedOut,
    ]);
    return isProxyResult(result)
      ? result
      : { statusCode: 502, body: JSON.stringify({ message: 'Internal server error' }) };
  } finally {
    clearTimeout(timer);
  }
}

function compileRoute(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

function matchRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const { route, pattern, params } of routes) {
    const found = route.method === method ? pattern.exec(path) : null;
    if (!found) continue;
    const values = params.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')] as const);
    return { route, pathParameters: values.length > 0 ? Object.fromEntries(values) : null };
  }
  return undefined;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { statusCode?: unknown }).statusCode === 'number'
  );
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
