import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ControlEndpoints,
  serveControl as serveControlEndpoints,
  type ControlTarget as Target,
} from '../control-endpoints.js';
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

/** What the sandbox's control endpoints act on. */
export type ControlTarget = Target<SandboxKnobs, SandboxKnobsPatch, SandboxStats>;

const ENDPOINTS: ControlEndpoints<SandboxKnobsPatch> = {
  prefix: '/__sandbox/',
  writeMethod: 'PUT',
  parsePatch: parseKnobsPatch,
};

/** Serves `GET|PUT|DELETE /__sandbox/knobs` and `GET|DELETE /__sandbox/stats`. */
export const serveControl = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  target: ControlTarget,
) => serveControlEndpoints(req, res, path, ENDPOINTS, target);
