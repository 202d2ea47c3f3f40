import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { OperationContext, RotationFunction } from './context.js';
import { AwsError } from './errors.js';
import type { JsonObject } from './input.js';
import { OPERATIONS } from './operations/index.js';
import { SecretStore } from './store.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
/** Used when a request carries no SigV4 credential scope to read the region from. */
const DEFAULT_REGION = 'us-east-1';

export interface HandlerOptions {
  now: () => Date;
  rotate?: RotationFunction;
}

/**
 * The emulator's HTTP side: AWS JSON 1.1 requests (`POST /`, operation in `x-amz-target`) in, JSON
 * out. Signatures are not checked; the credential scope only says which region's secrets to use.
 */
export function createRequestListener(options: HandlerOptions): RequestListener {
  const stores = new Map<string, SecretStore>();
  const storeFor = (region: string): SecretStore => {
    const store = stores.get(region) ?? new SecretStore(region, options.now);
    stores.set(region, store);
    return store;
  };
  return (request, response) => {
    const context = { store: storeFor(regionOf(request)), now: options.now, rotate: options.rotate };
    void respond(request, response, context);
  };
}

async function respond(request: IncomingMessage, response: ServerResponse, context: OperationContext) {
  try {
    const body = await readBody(request);
    const output = await dispatch(request.headers['x-amz-target'], body, context);
    send(response, 200, output);
  } catch (error) {
    const failure =
      error instanceof AwsError
        ? error
        : new AwsError('InternalServiceError', error instanceof Error ? error.message : String(error), 500);
    send(response, failure.status, { __type: failure.type, Message: failure.message });
  }
}

async function dispatch(
  target: string | string[] | undefined,
  body: string,
  context: OperationContext,
): Promise<JsonObject> {
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (!operation) {
    throw new AwsError('UnknownOperationException', `Operation ${String(target)} is not supported.`);
  }
  return operation(parseInput(body), context);
}

function parseInput(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

/** The region in the SigV4 credential scope: `Credential=<key>/<date>/<region>/secretsmanager/aws4_request`. */
function regionOf(request: IncomingMessage): string {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(request.headers.authorization ?? '');
  return match?.[1] ?? DEFAULT_REGION;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: JsonObject): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(payload);
}
