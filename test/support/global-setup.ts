import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { startSecretsManagerEmulator } from '../../infra/local/secrets-manager-emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    secretsManagerEndpoint: string;
  }
}

/**
 * Starts the real local services once for the whole run: Amazon's DynamoDB Local and the Secrets
 * Manager emulator. Each test file makes its own table and secrets, so files never share state.
 */
export default async function setup(project: TestProject) {
  // The SDK warns about Node 20 on every run; Lambda runs Node 22, so the warning is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamodb, secretsManager] = await Promise.all([startDynamoDbLocal(), startSecretsManagerEmulator()]);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('secretsManagerEndpoint', secretsManager.endpoint);
  return async () => {
    await Promise.all([dynamodb.close(), secretsManager.close()]);
  };
}
