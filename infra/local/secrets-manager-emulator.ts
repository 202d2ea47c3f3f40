import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RotationFunction } from './secrets-manager/context.js';
import { createRequestListener } from './secrets-manager/http.js';

export type { RotationFunction, RotationStep } from './secrets-manager/context.js';

/** A running emulator. Point the SDK at `endpoint` (or set `AWS_ENDPOINT_URL_SECRETS_MANAGER` to it). */
export interface SecretsManagerEmulator {
  /** Base URL of the server, e.g. `http://127.0.0.1:54321`. */
  endpoint: string;
  port: number;
  /** Stops the server, dropping open keep-alive connections so it closes at once. */
  close(): Promise<void>;
}

export interface SecretsManagerEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; `127.0.0.1` by default. */
  host?: string;
  /** Clock for every date the emulator records, so tests can fix or advance time. */
  now?: () => Date;
  /**
   * Stands in for the rotation Lambda. When given, RotateSecret (unless RotateImmediately is false)
   * calls it for `createSecret`, `setSecret`, `testSecret` and `finishSecret` in order, as AWS invokes
   * the function; it is expected to use the SDK against this emulator to store and promote the value.
   */
  rotate?: RotationFunction;
}

/**
 * Starts an in-memory AWS Secrets Manager that the unmodified `@aws-sdk/client-secrets-manager`
 * talks to over the real wire protocol (AWS JSON 1.1). Any region and any credentials work; each
 * region has its own secrets. State lives only as long as the emulator.
 */
export async function startSecretsManagerEmulator(
  options: SecretsManagerEmulatorOptions = {},
): Promise<SecretsManagerEmulator> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(
    createRequestListener({ now: options.now ?? (() => new Date()), rotate: options.rotate }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    endpoint: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
