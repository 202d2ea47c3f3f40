import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { WireAnswer } from './wire.js';

/**
 * The proxy's side towards DynamoDB Local: each call sent whole, its answer read whole, over kept-alive
 * connections. A call whose caller went away is aborted, so nothing waits on a frozen DynamoDB Local for
 * longer than the client does.
 */
export class Upstream {
  readonly #agent = new Agent({ keepAlive: true });
  readonly #target: URL;

  constructor(target: string) {
    this.#target = new URL(target);
  }

  /** Sends a call with its headers unchanged (signature included; Local does not check it) but its length. */
  send(headers: IncomingHttpHeaders, body: Buffer, signal: AbortSignal): Promise<WireAnswer> {
    const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _te, ...kept } = headers;
    return new Promise((resolve, reject) => {
      const call = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: 'POST',
          path: '/',
          agent: this.#agent,
          signal,
          headers: { ...kept, 'content-length': body.length },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      call.on('error', reject);
      call.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
