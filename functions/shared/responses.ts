import type { APIGatewayProxyResult } from 'aws-lambda';
import { type FixedStatusProblemKind, PROBLEMS, problemTypeUri } from './problem-types.js';

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

/** An RFC 9457 problem answer. `detail` must be safe to show: never a stack, a URL with a key, or a key. */
export function problemResponse(
  kind: FixedStatusProblemKind,
  detail: string,
  extra: { instance?: string; headers?: Record<string, string>; fields?: Record<string, unknown> } = {},
): APIGatewayProxyResult {
  const { status, title } = PROBLEMS[kind];
  const body = {
    type: problemTypeUri(kind),
    title,
    status,
    detail,
    instance: extra.instance,
    ...extra.fields,
  };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...extra.headers },
    body: JSON.stringify(body),
  };
}
