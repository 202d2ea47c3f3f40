import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

/**
 * The local stack as this test file's one Lambda container: the handlers read `process.env`, as on
 * Lambda, so the settings go there. Its own table and key pools (named after `name`) on the run's
 * DynamoDB Local and Secrets Manager emulator, and a free port; `env` adds the file's settings.
 */
export function startContainerStack(name: string, env: Record<string, string> = {}): Promise<LocalStack> {
  const run = randomUUID().slice(0, 8);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: inject('secretsManagerEndpoint'),
    DATA_TABLE_NAME: `e2e-${name}-${run}`,
    KEY_POOL_SECRET_PREFIX: `e2e-${name}-${run}/`,
    PORT: '0',
    ...env,
  });
  return startLocalStack(process.env);
}
