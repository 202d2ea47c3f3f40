import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../lib/config.js';
import { createDataLayer } from '../../lib/data-layer.js';

/**
 * Everything a container keeps between invocations, built once at module scope: configuration, SDK
 * clients (which honour `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SECRETS_MANAGER`), logger,
 * metrics, and the data layer wired by `createDataLayer`, as the tests wire it.
 */
export const config = loadConfig();
export const logger = new Logger();

/**
 * Bounded SDK calls: the request has a deadline of its own, so a slow DynamoDB or Secrets Manager
 * must fail fast (and the cache and breaker fail open) rather than run into the Lambda timeout.
 */
const sdkLimits = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } };
/** The container's SDK clients, exported so the benchmark can count the calls a request makes. */
export const clients = {
  dynamodb: new DynamoDBClient(sdkLimits),
  secretsManager: new SecretsManagerClient(sdkLimits),
};

export const { metrics, breaker, keyPools, keyStates, sources, marketData, batchDeps, keyStatusDeps } =
  createDataLayer({ config, clients, logger, metrics: new Metrics() });
