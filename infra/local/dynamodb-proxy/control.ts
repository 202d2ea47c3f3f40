import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ControlEndpoints,
  serveControl as serveControlEndpoints,
  type ControlTarget as Target,
} from '../control-endpoints.js';
import { type DynamoDbProxyKnobs, type DynamoDbProxyKnobsPatch, parseKnobsPatch } from './knobs.js';

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

export type ControlTarget = Target<DynamoDbProxyKnobs, DynamoDbProxyKnobsPatch, DynamoDbProxyStats>;

const ENDPOINTS: ControlEndpoints<DynamoDbProxyKnobsPatch> = {
  prefix: CONTROL_PREFIX,
  writeMethod: 'POST',
  parsePatch: parseKnobsPatch,
};

export function serveControl(
  req: IncomingMessage,
  res: ServerResponse,
  target: ControlTarget,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://proxy').pathname;
  return serveControlEndpoints(req, res, path, ENDPOINTS, target);
}
