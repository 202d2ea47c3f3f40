import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { dataCacheControl, entityTag, ifNoneMatchMatches } from '../../lib/api/http-caching.js';
import {
  type FixedStatusProblemKind,
  PROBLEMS,
  type Problem,
  problemTypeUri,
} from '../../lib/api/problems.js';
import { DEFAULT_CACHE_CONTROL, SECURITY_HEADERS } from '../../lib/api/security-headers.js';
import { requestHeader } from './request.js';

/** A JSON answer. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** An operator endpoint's answer: the data as just read, and when it was read. */
export function readingResponse(data: unknown, statusCode = 200): APIGatewayProxyResult {
  return jsonResponse(statusCode, { data, meta: { readAt: new Date().toISOString() } });
}

/**
 * A data answer, cacheable by the client that asked: a strong `ETag` over its data and
 * `Cache-Control: private, max-age=<freshness left>` (0 when stale); `304 Not Modified` with no body
 * when the request's `If-None-Match` already names that data.
 */
export function dataResponse(
  request: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>,
  answer: { data: unknown; meta: { stale: boolean; freshForSeconds: number } },
): APIGatewayProxyResult {
  const etag = entityTag(answer.data);
  const caching = {
    etag,
    'cache-control': dataCacheControl(answer.meta.stale ? 0 : answer.meta.freshForSeconds),
  };
  // RFC 9110 §15.4.5: a 304 repeats the validators and caching headers a 200 would carry, and has no
  // content, so no Content-Type (strict clients such as Prism fail to parse an empty "JSON" body).
  if (ifNoneMatchMatches(requestHeader(request, 'if-none-match'), etag))
    return { statusCode: 304, headers: caching, body: '' };
  return jsonResponse(200, answer, caching);
}

/**
 * An RFC 9457 problem answer. `detail` must be safe to show: never a stack, a URL with a key, a key,
 * or the client's own input echoed back. Never stored by any cache; carries the security headers
 * itself, so problems that never pass the functions' middleware (the local gateway's) have them too.
 */
export function problemResponse(
  kind: FixedStatusProblemKind,
  detail: string,
  extra: { requestId: string; headers?: Record<string, string>; fields?: Partial<Problem> },
): APIGatewayProxyResult {
  const { status, title } = PROBLEMS[kind];
  const body: Problem = {
    type: problemTypeUri(kind),
    title,
    status,
    detail,
    requestId: extra.requestId,
    ...extra.fields,
  };
  return withSecurityHeaders({
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...extra.headers },
    body: JSON.stringify(body),
  });
}

/**
 * The answer with the OWASP security headers, and `Cache-Control: no-store` unless it says otherwise.
 * The answer's own headers win only for `Cache-Control`: security headers are not the handlers' call.
 */
export function withSecurityHeaders(result: APIGatewayProxyResult): APIGatewayProxyResult {
  const own = result.headers ?? {};
  const saysCaching = Object.keys(own).some((name) => name.toLowerCase() === 'cache-control');
  return {
    ...result,
    headers: {
      ...(saysCaching ? {} : { 'cache-control': DEFAULT_CACHE_CONTROL }),
      ...own,
      ...SECURITY_HEADERS,
    },
  };
}
