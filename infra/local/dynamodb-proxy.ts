import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody } from './control-endpoints.js';
import { CONTROL_PREFIX, type DynamoDbProxyStats, serveControl } from './dynamodb-proxy/control.js';
import { FaultDraws } from './dynamodb-proxy/fault-draws.js';
import {
  type DynamoDbProxyKnobs,
  type DynamoDbProxyKnobsPatch,
  defaultKnobs,
  mergeKnobs,
  parseKnobsPatch,
} from './dynamodb-proxy/knobs.js';
import { ReplicaHistory, readIdentity } from './dynamodb-proxy/replica-lag.js';
import {
  consistentTables,
  isEventuallyConsistentRead,
  type Json,
  partitionsOf,
  splitBatch,
  tableOf,
  transactItemPartitions,
  withUnprocessed,
} from './dynamodb-proxy/request-items.js';
import { cancelledTransactionAnswer, throttlingAnswer } from './dynamodb-proxy/throttling.js';
import { Upstream } from './dynamodb-proxy/upstream.js';
import {
  jsonAnswer,
  jsonOf,
  operationOf,
  sendAnswer,
  type WireAnswer,
  withJsonBody,
} from './dynamodb-proxy/wire.js';

export type { DynamoDbProxyStats } from './dynamodb-proxy/control.js';
export type { DynamoDbProxyKnobs, DynamoDbProxyKnobsPatch } from './dynamodb-proxy/knobs.js';
export { proxyKnobsFromEnv } from './dynamodb-proxy/knobs.js';

/**
 * A proxy in front of DynamoDB Local that gives it DynamoDB's real semantics where Local is kinder:
 * eventually consistent reads that lag, throttling with DynamoDB's own error (whole calls, or some keys of
 * a batch as unprocessed), writes applied whose reply is lost, and latency. Every call goes to DynamoDB
 * Local unchanged (signature included) and its answer comes back unchanged unless a knob says otherwise.
 * DynamoDB Local honours TransactWriteItems' `ClientRequestToken` itself (a repeat is a no-op success, a
 * repeat with other parameters an IdempotentParameterMismatchException), so the proxy leaves that to it.
 */
export interface DynamoDbProxy {
  /** `http://127.0.0.1:PORT`: the endpoint for SDK clients, and the base of `/__proxy/knobs` and `/__proxy/stats`. */
  endpoint: string;
  knobs(): DynamoDbProxyKnobs;
  /** Applies a patch (validated; throws a TypeError on a bad knob) and restarts the seeded draws. */
  setKnobs(patch: DynamoDbProxyKnobsPatch): void;
  /** Back to the start-up knobs; forgets the recorded reads (the replica has caught up). */
  resetKnobs(): void;
  stats(): DynamoDbProxyStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface DynamoDbProxyOptions {
  /** DynamoDB Local's endpoint. */
  target: string;
  /** Port on 127.0.0.1; 0 or unset picks a free one. */
  port?: number;
  /** The clock the replica lag runs on (ms). Default: the machine's. Latency always waits real time. */
  now?: () => number;
  /** Knobs over the defaults at start (and restored by `resetKnobs`). */
  knobs?: DynamoDbProxyKnobsPatch;
}

// DynamoDB's own limit on a request (BatchWriteItem's 16 MB); anything larger is not a DynamoDB call.
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

function emptyStats(): DynamoDbProxyStats {
  return { calls: {}, throttled: 0, unprocessed: 0, dropped: 0, staleReads: 0 };
}

function checked(patch: DynamoDbProxyKnobsPatch): DynamoDbProxyKnobsPatch {
  const parsed = parseKnobsPatch(patch);
  if (!parsed.ok) throw new TypeError(`Invalid DynamoDB proxy knobs:\n${parsed.error}`);
  return parsed.patch;
}

export async function startDynamoDbProxy(options: DynamoDbProxyOptions): Promise<DynamoDbProxy> {
  const now = options.now ?? Date.now;
  const startKnobs = mergeKnobs(defaultKnobs(), checked(options.knobs ?? {}));
  const upstream = new Upstream(options.target);
  const history = new ReplicaHistory();
  let knobs = startKnobs;
  let draws = new FaultDraws(knobs);
  let stats = emptyStats();

  const control = {
    knobs: () => structuredClone(knobs),
    setKnobs: (patch: DynamoDbProxyKnobsPatch) => {
      knobs = mergeKnobs(knobs, checked(patch));
      draws = new FaultDraws(knobs);
    },
    resetKnobs: () => {
      knobs = startKnobs;
      draws = new FaultDraws(knobs);
      history.clear();
    },
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
  };

  /** What a replica `replicaLagMs` behind answers to this read, given the current answer. */
  const replicaAnswer = (operation: string, request: Json, current: WireAnswer): WireAnswer => {
    const { answer, stale } = history.answer(
      readIdentity(operation, request),
      current,
      now(),
      knobs.replicaLagMs,
    );
    if (!stale) return answer;
    stats.staleReads += 1;
    // A BatchGetItem mixing consistent and eventually consistent tables: the consistent ones are current.
    const consistent = operation === 'BatchGetItem' ? consistentTables(request) : [];
    if (consistent.length === 0) return answer;
    const old = jsonOf(answer.body) ?? {};
    const fresh = (jsonOf(current.body)?.Responses ?? {}) as Json;
    const responses = { ...(old.Responses as Json) };
    for (const table of consistent) responses[table] = fresh[table];
    return withJsonBody(answer, { ...old, Responses: responses });
  };

  async function serveDataCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const operation = operationOf(req.headers) ?? '(unknown)';
    stats.calls[operation] = (stats.calls[operation] ?? 0) + 1;
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === undefined) return sendAnswer(res, jsonAnswer(413, { message: 'Request too large' }));
    // A caller that gives up (its timeout) aborts the wait and the call to DynamoDB Local.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs, undefined, { signal: gone.signal }).catch(() => {});
    if (gone.signal.aborted) return;

    const request = jsonOf(body);
    let forwarded = request;
    let held: Json | undefined;
    if (request && draws.mayThrottle(operation)) {
      if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
        // DynamoDB throttles a batch per key: the throttled ones come back unprocessed, all of them = the error.
        const split = splitBatch(operation, request, (partition) => draws.throttles(operation, [partition]));
        if (split.forward === undefined) {
          stats.throttled += 1;
          return sendAnswer(res, throttlingAnswer(operation, tableOf(request)));
        }
        if (split.unprocessedCount > 0) {
          stats.unprocessed += split.unprocessedCount;
          forwarded = split.forward;
          held = split.unprocessed;
        }
      } else if (draws.throttles(operation, partitionsOf(operation, request))) {
        stats.throttled += 1;
        if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
          const items = transactItemPartitions(request).map((partition) =>
            draws.isThrottledPartition(partition),
          );
          return sendAnswer(res, cancelledTransactionAnswer(items));
        }
        return sendAnswer(res, throttlingAnswer(operation, tableOf(request)));
      }
    }
    const losesReply = draws.dropsReply(operation);

    let answer: WireAnswer;
    try {
      const sent = forwarded === request ? body : Buffer.from(JSON.stringify(forwarded));
      answer = await upstream.send(req, sent, gone.signal);
    } catch {
      // DynamoDB Local unreachable (or the caller gone): the caller sees a broken connection, as it would.
      req.socket.destroy();
      return;
    }
    if (losesReply && answer.status === 200) {
      // Applied by DynamoDB Local, reply lost on the way: the SDK sees a socket error and retries.
      stats.dropped += 1;
      req.socket.destroy();
      return;
    }
    if (forwarded && answer.status === 200 && isEventuallyConsistentRead(operation, forwarded)) {
      answer = replicaAnswer(operation, forwarded, answer);
    }
    if (held && answer.status === 200) {
      answer = withJsonBody(answer, withUnprocessed(operation, jsonOf(answer.body) ?? {}, held));
    }
    sendAnswer(res, answer);
  }

  // Idle client connections stay open a minute (Node's default is 5 s): a client reusing one just as the
  // server closed it would see a reset DynamoDB never causes, and retry a call the proxy never counted.
  const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const handled = (req.url ?? '/').startsWith(CONTROL_PREFIX)
      ? serveControl(req, res, control)
      : serveDataCall(req, res);
    handled.catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...control,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.close();
    },
  };
}
