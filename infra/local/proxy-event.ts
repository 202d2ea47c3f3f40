import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API_STAGE, type RouteDefinition } from '../../lib/api/routes.js';

const ACCOUNT_ID = '000000000000';

/** An HTTP request as the gateway received it, once matched to a route. */
export interface GatewayRequest {
  route: RouteDefinition;
  url: URL;
  /** Header names and values in arrival order, as `IncomingMessage.rawHeaders` pairs them. */
  rawHeaders: readonly string[];
  pathParameters: Record<string, string> | null;
  body: string;
  apiKey: string | undefined;
  /** API Gateway's id of the request; a new one when not given. */
  requestId?: string;
  sourceIp?: string;
  httpVersion?: string;
}

/**
 * Builds the REST API (v1) Lambda proxy event API Gateway sends for a request, field for field:
 * decoded path parameters, single- and multi-value headers and query strings, `null` where absent.
 */
export function toProxyEvent(request: GatewayRequest): APIGatewayProxyEvent {
  const { route, url, pathParameters, body, apiKey } = request;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const now = new Date();
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length > 0 ? body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion ?? '1.1'}`,
      httpMethod: route.method,
      path: `/${API_STAGE}${url.pathname}`,
      stage: API_STAGE,
      requestId: request.requestId ?? randomUUID(),
      requestTimeEpoch: now.getTime(),
      resourceId: route.id,
      resourcePath: route.path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: apiKey ?? null,
        apiKeyId: apiKey ? 'local-api-key' : null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null,
        userArn: null,
      },
    },
  };
}
