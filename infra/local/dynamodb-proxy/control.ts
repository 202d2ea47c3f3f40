import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../sandbox/control.js';
import { type DynamoDbProxyKnobs, type DynamoDbProxyKnobsPatch, parseKnobsPatch } from './knobs.js';
import { readBody } from './wire.js';

/**
 * HTTP control under `/__proxy/`, so that another process (the local stack's user, a bench) can drive the
 * proxy: `GET|POST|DELETE /__proxy/knobs` (POST a JSON patch, validated strictly: an unknown knob is a
 * 400; DELETE goes back to the start-up knobs) and `GET|DELETE /__proxy/stats`. Never counted as calls.
 */

export const CONTROL_PREFIX = '/__proxy/';

/** Calls seen since the last reset. */
export interface DynamoDbProxyStats {
  /** Data calls received per operation name, throttled and dropped ones included (every SDK attempt). */
  calls: Record<string, number>;
  /** Calls answered with the throttling error. */
  throttled: number;
  /** Batch keys or write requests handed back unprocessed (partial throttling of a batch). */
  unprocessed: number;
  /** Writes applied whose reply was lost (client socket destroyed). */
  dropped: number;
  /** Eventually consistent reads answered with an older state than the current one. */
  staleReads: number;
}

export interface ControlTarget {
  knobs(): DynamoDbProxyKnobs;
  setKnobs(patch: DynamoDbProxyKnobsPatch): void;
  resetKnobs(): void;
  stats(): DynamoDbProxyStats;
  resetStats(): void;
}

const MAX_BODY_BYTES = 64 * 1024;

async function postKnobs(req: IncomingMessage, res: ServerResponse, target: ControlTarget): Promise<void> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return sendJson(res, 413, { error: `Body larger than ${MAX_BODY_BYTES} bytes` });
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'Body is not valid JSON' });
  }
  const parsed = parseKnobsPatch(input);
  if (!parsed.ok) return sendJson(res, 400, { error: 'Invalid knobs', details: parsed.error });
  target.setKnobs(parsed.patch);
  sendJson(res, 200, target.knobs());
}

export async function serveControl(req: IncomingMessage, res: ServerResponse, target: ControlTarget) {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://proxy').pathname;
  if (path === `${CONTROL_PREFIX}knobs`) {
    if (method === 'GET') return sendJson(res, 200, target.knobs());
    if (method === 'POST') return postKnobs(req, res, target);
    if (method === 'DELETE') {
      target.resetKnobs();
      return sendJson(res, 200, target.knobs());
    }
    return sendJson(res, 405, { error: `${method} not allowed on ${path}; use GET, POST or DELETE` });
  }
  if (path === `${CONTROL_PREFIX}stats`) {
    if (method === 'GET') return sendJson(res, 200, target.stats());
    if (method === 'DELETE') {
      target.resetStats();
      return sendJson(res, 200, target.stats());
    }
    return sendJson(res, 405, { error: `${method} not allowed on ${path}; use GET or DELETE` });
  }
  sendJson(res, 404, { error: `No control endpoint ${path}; see /__proxy/knobs and /__proxy/stats` });
}
