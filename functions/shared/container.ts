import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../lib/config.js';
import { createDataLayer } from '../../lib/data-layer.js';
import { createDynamoDbClient } from '../../lib/storage/dynamodb-client.js';

/**
 * Everything a container keeps between invocations, built once at module scope: configuration, SDK
 * clients (which honour `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`), logger,
 * metrics, and the data layer wired by `createDataLayer`, as the tests wire it.
 */
export const config = loadConfig();
export const logger = new Logger();

/**
 * Each SDK call is bounded by the data layer's dependency guards (a per-call budget, the request's
 * end, and a back-off after a timeout: see `DependencyGuard`), through the call's abort signal. Under
 * them the SDK's own limits: DynamoDB's client retries throttling quickly enough to fit the budget
 * (`createDynamoDbClient`); Secrets Manager's makes two attempts, and a connection not made within a
 * second fails. (Its `requestTimeout` would only log a warning in this SDK version.)
 */
const secretsManagerLimits = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000 } };
/**
 * The container's SDK clients as made, exported so the benchmark and the tests can count the calls
 * that reach them; the layer wraps them in its guards (`createDataLayer`), so use the layer's.
 */
export const clients = {
  dynamodb: createDynamoDbClient(),
  secretsManager: new SecretsManagerClient(secretsManagerLimits),
};

export const {
  metrics,
  breakerOperator,
  keyPools,
  keyStates,
  sources,
  marketData,
  batchDeps,
  keyStatusDeps,
  providerStatusDeps,
  healthDeps,
} = createDataLayer({ config, clients, logger, metrics: new Metrics() });
