import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The control endpoints the local fakes (market sandbox, DynamoDB proxy) share, so that people (curl) and
 * other processes can drive them: `GET|<write>|DELETE <prefix>knobs` (a JSON patch, validated strictly:
 * an unknown knob is a 400; DELETE goes back to the start-up knobs) and `GET|DELETE <prefix>stats`; other
 * paths under the prefix get 404 and other methods 405, always with a JSON `error`. Never data calls.
 */

/** What the control endpoints act on. */
export interface ControlTarget<Knobs, Patch, Stats> {
  knobs(): Knobs;
  setKnobs(patch: Patch): void;
  resetKnobs(): void;
  stats(): Stats;
  resetStats(): void;
}

/** A fake's control endpoints: where they live, how a knobs patch is written and checked. */
export interface ControlEndpoints<Patch> {
  /** `/__sandbox/`, `/__proxy/`. */
  prefix: string;
  /** The method that patches the knobs. */
  writeMethod: 'PUT' | 'POST';
  parsePatch(input: unknown): { ok: true; patch: Patch } | { ok: false; error: string };
}

const MAX_BODY_BYTES = 64 * 1024;

/** Writes a JSON answer (a fake's own answers, never a provider's or DynamoDB's wire format). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads a whole request body, or undefined past `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function patchKnobs<Knobs, Patch, Stats>(
  req: IncomingMessage,
  res: ServerResponse,
  endpoints: ControlEndpoints<Patch>,
  target: ControlTarget<Knobs, Patch, Stats>,
): Promise<void> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return sendJson(res, 413, { error: `Body larger than ${MAX_BODY_BYTES} bytes` });
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'Body is not valid JSON' });
  }
  const parsed = endpoints.parsePatch(input);
  if (!parsed.ok) return sendJson(res, 400, { error: 'Invalid knobs', details: parsed.error });
  target.setKnobs(parsed.patch);
  sendJson(res, 200, target.knobs());
}

/** Serves one control call at `path` (a path under `endpoints.prefix`). */
export async function serveControl<Knobs, Patch, Stats>(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  endpoints: ControlEndpoints<Patch>,
  target: ControlTarget<Knobs, Patch, Stats>,
): Promise<void> {
  const method = req.method ?? 'GET';
  const { prefix, writeMethod } = endpoints;
  if (path === `${prefix}knobs`) {
    if (method === 'GET') return sendJson(res, 200, target.knobs());
    if (method === writeMethod) return patchKnobs(req, res, endpoints, target);
    if (method === 'DELETE') {
      target.resetKnobs();
      return sendJson(res, 200, target.knobs());
    }
    return sendJson(res, 405, {
      error: `${method} not allowed on ${path}; use GET, ${writeMethod} or DELETE`,
    });
  }
  if (path === `${prefix}stats`) {
    if (method === 'GET') return sendJson(res, 200, target.stats());
    if (method === 'DELETE') {
      target.resetStats();
      return sendJson(res, 200, target.stats());
    }
    return sendJson(res, 405, { error: `${method} not allowed on ${path}; use GET or DELETE` });
  }
  sendJson(res, 404, { error: `No control endpoint ${path}; see ${prefix}knobs and ${prefix}stats` });
}
