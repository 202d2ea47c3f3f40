import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { problemResponse, withSecurityHeaders } from '../../functions/shared/responses.js';
import { PROBLEMS, problemTypeUri } from '../../lib/api/problems.js';
import type { RouteDefinition } from '../../lib/api/routes.js';
import { ROUTE_FUNCTION_SIZE } from '../function-settings.js';
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
    // API Gateway's request id: in the event, in the problems it writes, and in `x-amzn-RequestId`.
    const requestId = randomUUID();
    serve(request, requestId, compiled, options, handlerFor)
      .then((result) => {
        writeResult(response, result, requestId);
        options.log?.(
          `${request.method} ${request.url?.split('?')[0]} ${result.statusCode} ${Math.round(performance.now() - started)} ms ${requestId}`,
        );
      })
      .catch(() => writeResult(response, badGateway(requestId), requestId));
  });
  // Requests Node's parser refuses (headers over its 16 KB, malformed request lines) get a problem too,
  // not Node's bare status line: API Gateway's DEFAULT_4XX gateway response answers those on AWS.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const requestId = randomUUID();
    const problem = catchAllProblem('clientError', status, 'The request could not be read.', requestId);
    socket.end(rawAnswer({ ...problem, headers: { ...problem.headers, 'x-amzn-requestid': requestId } }));
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
  requestId: string,
  routes: CompiledRoute[],
  options: LocalGatewayOptions,
  handlerFor: (route: RouteDefinition) => Promise<ProxyHandler>,
): Promise<APIGatewayProxyResult> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = matchRoute(routes, request.method ?? 'GET', url.pathname);
  if (match === 'undecodable')
    return problemResponse('badRequest', 'The request path is not valid percent-encoded UTF-8.', {
      requestId,
    });
  // API Gateway answers an unknown route with 403 "Missing Authentication Token"; so does this.
  if (!match)
    return problemResponse('forbidden', 'The request has no valid credentials, or no such route exists.', {
      requestId,
    });

  const apiKey = headerValue(request, 'x-api-key');
  const expectedKey = match.route.auth === 'client' ? options.clientApiKey : options.operatorKey;
  if (apiKey !== expectedKey)
    return problemResponse('forbidden', 'a valid API key is required for this route', { requestId });

  // API Gateway's request validator refuses a request without a required query parameter.
  const absent = (match.route.requiredQuery ?? []).filter((name) => !url.searchParams.get(name));
  if (absent.length > 0)
    return problemResponse('badRequest', `Missing required request parameters: [${absent.join(', ')}]`, {
      requestId,
    });

  const body = await readBody(request);
  const event = toProxyEvent({
    route: match.route,
    url,
    rawHeaders: request.rawHeaders,
    pathParameters: match.pathParameters,
    body,
    apiKey,
    requestId,
    sourceIp: request.socket.remoteAddress,
    httpVersion: request.httpVersion,
  });
  const handler = await handlerFor(match.route);
  const timeoutMs = ROUTE_FUNCTION_SIZE.timeoutSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<APIGatewayProxyResult>((resolve) => {
    timer = setTimeout(
      // API Gateway's INTEGRATION_TIMEOUT gateway response (infra/constructs/problem-responses.ts).
      () => resolve(problemResponse('gatewayTimeout', 'Endpoint request timed out', { requestId })),
      timeoutMs,
    );
  });
  try {
    const result = await Promise.race([
      handler(event, lambdaContext(`valor-ivx-${match.route.id}`, timeoutMs, ROUTE_FUNCTION_SIZE.memoryMb)),
      timedOut,
    ]);
    return isProxyResult(result) ? result : badGateway(requestId);
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
    try {
      const values = params.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')] as const);
      return { route, pathParameters: values.length > 0 ? Object.fromEntries(values) : null };
    } catch {
      // `%E0%A4%A` and the like: not a path API Gateway could hand to a function.
      return 'undecodable' as const;
    }
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

/**
 * What API Gateway answers when the function fails or answers something that is not a proxy
 * result: a 502, shaped by the DEFAULT_5XX gateway response (infra/constructs/problem-responses.ts).
 */
function badGateway(requestId: string): APIGatewayProxyResult {
  return catchAllProblem('serverError', 502, 'Internal server error', requestId);
}

/** A problem of a catch-all kind, as the DEFAULT_4XX/5XX gateway responses write it: no `status` member. */
function catchAllProblem(
  kind: 'clientError' | 'serverError',
  statusCode: number,
  detail: string,
  requestId: string,
): APIGatewayProxyResult {
  const body = { type: problemTypeUri(kind), title: PROBLEMS[kind].title, detail, requestId };
  return withSecurityHeaders({
    statusCode,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  });
}

/** An answer as raw HTTP/1.1, for a socket the HTTP server has given up on. */
function rawAnswer(result: APIGatewayProxyResult): string {
  const body = Buffer.from(result.body, 'utf8');
  const headers = { ...result.headers, 'content-length': body.length, connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`);
  return `HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${result.body}`;
}

/** Statuses that carry no content (RFC 9110 §15.3.5, §15.4.5), so no `Content-Type` either. */
const WITHOUT_CONTENT = new Set([204, 304]);

function writeResult(response: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers: Record<string, string | string[]> = {
    // A proxy result that names no type is JSON, as API Gateway assumes; an answer with no content has none.
    ...(WITHOUT_CONTENT.has(result.statusCode) ? {} : { 'content-type': 'application/json' }),
    'x-amzn-requestid': requestId,
  };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.map(String);
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
