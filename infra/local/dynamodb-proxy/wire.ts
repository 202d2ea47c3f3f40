import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';

/**
 * DynamoDB's wire format (AWS JSON 1.0): `POST /` with `x-amz-target: DynamoDB_20120810.<Operation>` and
 * a JSON body; answers are JSON with `x-amzn-requestid` and `x-amz-crc32` (the CRC32 of the body) headers.
 */

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** One HTTP answer, held whole so that it can be kept (replica lag) or changed (partial throttling). */
export interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The operation a request names (`GetItem`), or undefined when it is not a DynamoDB call. */
export function operationOf(headers: IncomingHttpHeaders): string | undefined {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX)
    ? target.slice(TARGET_PREFIX.length)
    : undefined;
}

/** A JSON answer with the headers DynamoDB sends (a fresh request id, the body's CRC32). */
export function jsonAnswer(status: number, body: unknown): WireAnswer {
  const bytes = Buffer.from(JSON.stringify(body));
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'x-amz-crc32': String(crc32(bytes)),
    },
    body: bytes,
  };
}

/** The same answer with another JSON body (its CRC32 and length follow the new body). */
export function withJsonBody(answer: WireAnswer, body: unknown): WireAnswer {
  const bytes = Buffer.from(JSON.stringify(body));
  return { ...answer, headers: { ...answer.headers, 'x-amz-crc32': String(crc32(bytes)) }, body: bytes };
}

/** Parses an answer's JSON body; undefined when it is not a JSON object. */
export function jsonOf(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

// Hop-by-hop headers belong to one connection; the answer is re-framed with its own content-length.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export function sendAnswer(res: ServerResponse, answer: WireAnswer): void {
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name)),
  );
  res.writeHead(answer.status, { ...headers, 'content-length': answer.body.length });
  res.end(answer.body);
}
