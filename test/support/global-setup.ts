import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { proxyKnobsFromEnv, startDynamoDbProxy } from '../../infra/local/dynamodb-proxy.js';
import { startSecretsManagerEmulator } from '../../infra/local/secrets-manager-emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The DynamoDB every test uses by default: the proxy with a lagging replica, in front of DynamoDB Local. */
    dynamodbEndpoint: string;
    /** DynamoDB Local itself, strongly consistent: for a file's own proxy (`dynamoDbProxyForFile`). */
    dynamodbLocalEndpoint: string;
    secretsManagerEndpoint: string;
  }
}

/** The services' endpoints, and how to stop them. */
interface LocalServices {
  dynamodbEndpoint: string;
  dynamodbLocalEndpoint: string;
  secretsManagerEndpoint: string;
  close(): Promise<void>;
}

/**
 * Starts the real local services: Amazon's DynamoDB Local behind the DynamoDB proxy, and the Secrets Manager
 * emulator. Each test file makes its own table and secrets, so files never share state. Reads are eventually
 * consistent as on DynamoDB: the proxy's replica lags `DYNAMODB_REPLICA_LAG_MS` (default 1000) on the
 * machine's real clock, whatever fake clock a test runs its layer on.
 */
async function startLocalServices(): Promise<LocalServices> {
  // The SDK warns about Node 20 on every run; Lambda runs Node 22, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamodb, secretsManager] = await Promise.all([startDynamoDbLocal(), startSecretsManagerEmulator()]);
  const { replicaLagMs } = proxyKnobsFromEnv({
    DYNAMODB_REPLICA_LAG_MS: process.env.DYNAMODB_REPLICA_LAG_MS,
  });
  const proxy = await startDynamoDbProxy({ target: dynamodb.endpoint, knobs: { replicaLagMs } });
  return {
    dynamodbEndpoint: proxy.endpoint,
    dynamodbLocalEndpoint: dynamodb.endpoint,
    secretsManagerEndpoint: secretsManager.endpoint,
    close: async () => {
      await proxy.close();
      await Promise.all([dynamodb.close(), secretsManager.close()]);
    },
  };
}

/**
 * The `integration` and `e2e` projects' global setup. Vitest runs each project's global setup in its main
 * process, one after the other, so a run of both shares one set of services (one Java process, not two on a
 * 2-core machine): the first project to start them keeps them on `globalThis`, the last to finish stops them.
 */
const SHARED = Symbol.for('valor-ivx.local-services');
type Holder = { [SHARED]?: { services: Promise<LocalServices>; users: number } };

export default async function setup(project: TestProject) {
  const holder = globalThis as Holder;
  holder[SHARED] ??= { services: startLocalServices(), users: 0 };
  const shared = holder[SHARED];
  shared.users += 1;
  const { close, ...endpoints } = await shared.services;
  project.provide('dynamodbEndpoint', endpoints.dynamodbEndpoint);
  project.provide('dynamodbLocalEndpoint', endpoints.dynamodbLocalEndpoint);
  project.provide('secretsManagerEndpoint', endpoints.secretsManagerEndpoint);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete holder[SHARED];
    await close();
  };
}
