import { Agent, type IncomingMessage, request } from 'node:http';
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

  /**
   * Sends a call as it came (method, path, headers with the signature: Local does not check it), with the
   * given body and its length.
   */
  send(call: IncomingMessage, body: Buffer, signal: AbortSignal): Promise<WireAnswer> {
    const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...kept } = call.headers;
    return new Promise((resolve, reject) => {
      const sent = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method: call.method,
          path: call.url,
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
      sent.on('error', reject);
      sent.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
