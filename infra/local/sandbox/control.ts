import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseKnobsPatch, type SandboxKnobs, type SandboxKnobsPatch } from './knobs.js';

/**
 * HTTP control endpoints under `/__sandbox/`, for people (curl) and for other processes (an end-to-end
 * test in another process, the local stack): read and change knobs, read and reset stats. They are not
 * data calls and are never counted in the stats.
 */

/** Call counts since the last reset. */
export interface SandboxStats {
  /** Data calls per provider id. */
  calls: Record<string, number>;
  /** Data calls per provider id, then per API key value (`(none)` for calls without a key). */
  callsByKey: Record<string, Record<string, number>>;
  /**
   * Data calls a free plan refused, per provider id, then per refusal (`outputsize=full`, `premium
   * function`, ...): each is a call the layer spent on an answer its plan could not give.
   */
  planRefusals: Record<string, Record<string, number>>;
}

/** What the control endpoints act on. */
export interface ControlTarget {
  knobs(): SandboxKnobs;
  setKnobs(patch: SandboxKnobsPatch): void;
  resetKnobs(): void;
  stats(): SandboxStats;
  resetStats(): void;
}

const MAX_BODY_BYTES = 64 * 1024;

/** Writes a JSON answer (used for the sandbox's own answers, never for provider wire formats). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function putKnobs(req: IncomingMessage, res: ServerResponse, target: ControlTarget): Promise<void> {
  const text = await readBody(req);
  if (text === undefined) return sendJson(res, 413, { error: `Body larger than ${MAX_BODY_BYTES} bytes` });
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return sendJson(res, 400, { error: 'Body is not valid JSON' });
  }
  const parsed = parseKnobsPatch(input);
  if (!parsed.ok) return sendJson(res, 400, { error: 'Invalid knobs', details: parsed.error });
  target.setKnobs(parsed.patch);
  sendJson(res, 200, target.knobs());
}

/**
 * Serves `GET|PUT|DELETE /__sandbox/knobs` and `GET|DELETE /__sandbox/stats`; other paths under
 * `/__sandbox/` get 404 and other methods 405, always with a JSON `error`.
 */
export async function serveControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  target: ControlTarget,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/__sandbox/knobs') {
    if (method === 'GET') return sendJson(res, 200, target.knobs());
    if (method === 'PUT') return putKnobs(req, res, target);
    if (method === 'DELETE') {
      target.resetKnobs();
      return sendJson(res, 200, target.knobs());
    }
    return sendJson(res, 405, { error: `${method} not allowed on ${path}; use GET, PUT or DELETE` });
  }
  if (path === '/__sandbox/stats') {
    if (method === 'GET') return sendJson(res, 200, target.stats());
    if (method === 'DELETE') {
      target.resetStats();
      return sendJson(res, 200, target.stats());
    }
    return sendJson(res, 405, { error: `${method} not allowed on ${path}; use GET or DELETE` });
  }
  sendJson(res, 404, { error: `No control endpoint ${path}; see /__sandbox/knobs and /__sandbox/stats` });
}
