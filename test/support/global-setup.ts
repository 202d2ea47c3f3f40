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

/**
 * Starts the real local services once for the whole run: Amazon's DynamoDB Local behind the DynamoDB proxy,
 * and the Secrets Manager emulator. Each test file makes its own table and secrets, so files never share
 * state. Reads are eventually consistent as on DynamoDB: the proxy's replica lags `DYNAMODB_REPLICA_LAG_MS`
 * (default 1000) on the machine's real clock, whatever fake clock a test runs its layer on.
 */
export default async function setup(project: TestProject) {
  // The SDK warns about Node 20 on every run; Lambda runs Node 22, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamodb, secretsManager] = await Promise.all([startDynamoDbLocal(), startSecretsManagerEmulator()]);
  const { replicaLagMs } = proxyKnobsFromEnv({
    DYNAMODB_REPLICA_LAG_MS: process.env.DYNAMODB_REPLICA_LAG_MS,
  });
  const proxy = await startDynamoDbProxy({ target: dynamodb.endpoint, knobs: { replicaLagMs } });
  project.provide('dynamodbEndpoint', proxy.endpoint);
  project.provide('dynamodbLocalEndpoint', dynamodb.endpoint);
  project.provide('secretsManagerEndpoint', secretsManager.endpoint);
  return async () => {
    await proxy.close();
    await Promise.all([dynamodb.close(), secretsManager.close()]);
  };
}
