import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROUTES, type RouteDefinition } from '../../lib/api/routes.js';
import { PROVIDER_ENV_PREFIX, type ProviderId } from '../../lib/model/provider-ids.js';
import { DATA_TABLE, DATA_TABLE_ENV } from '../../lib/storage/table-definition.js';
import { FUNCTION_ENVIRONMENT, KEY_ROTATION_FUNCTION_SIZE } from '../function-settings.js';
import { ensureDataTable } from './data-table.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { type DynamoDbProxy, proxyKnobsFromEnv, startDynamoDbProxy } from './dynamodb-proxy.js';
import { type ProxyHandler, startLocalGateway } from './gateway.js';
import { seedKeyPools } from './key-pool-seed.js';
import { lambdaContext } from './lambda-context.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from './local-aws.js';
import { knobsFromEnv, type MarketSandbox, plansFromEnv, startMarketSandbox } from './sandbox/server.js';
import { type RotationStep, startSecretsManagerEmulator } from './secrets-manager-emulator.js';

export const DEFAULT_LOCAL_API_KEY = 'local-client-key';
export const DEFAULT_LOCAL_OPERATOR_KEY = 'local-operator-key';

/** The local stack as it runs: where to call it, with which keys, and how to stop it. */
export interface LocalStack {
  baseUrl: string;
  clientApiKey: string;
  operatorKey: string;
  dynamodbEndpoint: string;
  /** The DynamoDB proxy in front of the DynamoDB Local this stack started; none on a given DynamoDB. */
  dynamodbProxy?: DynamoDbProxy;
  secretsManagerEndpoint: string;
  sandbox: MarketSandbox;
  /** Which services this stack started itself, and which it found already running. */
  started: { dynamodb: boolean; secretsManager: boolean; table: 'created' | 'existing' };
  close(): Promise<void>;
}

/**
 * Starts everything the handlers need on 127.0.0.1 and runs them behind a local API Gateway.
 * The handlers read their configuration from `process.env`, as on Lambda, so this sets the same
 * variables the CDK stack sets, plus the standard SDK endpoint variables pointing at local services.
 */
export async function startLocalStack(
  env: NodeJS.ProcessEnv = process.env,
  log = (_: string) => {},
): Promise<LocalStack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of closers.reverse()) await stop().catch(() => {});
  };
  try {
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    env.AWS_REGION ??= LOCAL_AWS_REGION;
    env.AWS_ACCESS_KEY_ID ??= LOCAL_AWS_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY ??= LOCAL_AWS_CREDENTIALS.secretAccessKey;
    env.POWERTOOLS_SERVICE_NAME ??= FUNCTION_ENVIRONMENT.POWERTOOLS_SERVICE_NAME;
    env.POWERTOOLS_METRICS_NAMESPACE ??= FUNCTION_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE;

    const startsDynamoDb = !env.AWS_ENDPOINT_URL_DYNAMODB;
    let dynamodbEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB;
    let dynamodbProxy: DynamoDbProxy | undefined;
    if (!dynamodbEndpoint) {
      const proxyKnobs = proxyKnobsFromEnv(env);
      const dynamodb = await startDynamoDbLocal();
      closers.push(dynamodb.close);
      // DynamoDB Local is strongly consistent and never throttles; the proxy gives it DynamoDB's ways.
      dynamodbProxy = await startDynamoDbProxy({ target: dynamodb.endpoint, knobs: proxyKnobs });
      closers.push(dynamodbProxy.close);
      dynamodbEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB = dynamodbProxy.endpoint;
    }
    const startsSecrets = !env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    let secretsManagerEndpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    if (!secretsManagerEndpoint) {
      // RotateSecret runs the real rotation Lambda's four steps, as Secrets Manager does on AWS.
      const secrets = await startSecretsManagerEmulator({ rotate: invokeRotationFunction });
      closers.push(secrets.close);
      secretsManagerEndpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    }

    const sandbox = await startMarketSandbox({ knobs: knobsFromEnv(env), plans: plansFromEnv(env) });
    closers.push(sandbox.close);
    const sandboxProviders = new Set<ProviderId>();
    for (const [provider, baseUrl] of Object.entries(sandbox.baseUrls) as [ProviderId, string][]) {
      const variable = `${PROVIDER_ENV_PREFIX[provider]}_BASE_URL`;
      if (env[variable]) continue;
      env[variable] = baseUrl;
      sandboxProviders.add(provider);
    }

    env[DATA_TABLE_ENV] ??= DATA_TABLE.defaultName;
    const tableName = env[DATA_TABLE_ENV];
    const dynamodbClient = new DynamoDBClient({ endpoint: dynamodbEndpoint });
    const secretsClient = new SecretsManagerClient({ endpoint: secretsManagerEndpoint });
    const table = await ensureDataTable(dynamodbClient, tableName);
    await seedKeyPools(secretsClient, env, sandboxProviders, env.KEY_POOL_SECRET_PREFIX);
    dynamodbClient.destroy();
    secretsClient.destroy();

    const clientApiKey = env.LOCAL_API_KEY || DEFAULT_LOCAL_API_KEY;
    const operatorKey = env.LOCAL_OPERATOR_KEY || DEFAULT_LOCAL_OPERATOR_KEY;
    const gateway = await startLocalGateway({
      routes: ROUTES,
      clientApiKey,
      operatorKey,
      loadHandler: importHandler,
      port: env.PORT ? Number(env.PORT) : 3000,
      log,
    });
    closers.push(gateway.close);

    return {
      baseUrl: gateway.url,
      clientApiKey,
      operatorKey,
      dynamodbEndpoint,
      ...(dynamodbProxy ? { dynamodbProxy } : {}),
      secretsManagerEndpoint,
      sandbox,
      started: { dynamodb: startsDynamoDb, secretsManager: startsSecrets, table },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs one step of the key-pool rotation function, loaded once, as Secrets Manager invokes it. */
async function invokeRotationFunction(step: RotationStep): Promise<void> {
  const { handler } = await import('../../functions/rotate-provider-keys.js');
  const { memoryMb, timeoutSeconds } = KEY_ROTATION_FUNCTION_SIZE;
  await handler(step, lambdaContext('valor-ivx-rotate-provider-keys', timeoutSeconds * 1000, memoryMb));
}

/** Imports a route's handler module as Lambda would load it: once per container, at first use. */
async function importHandler(route: RouteDefinition): Promise<ProxyHandler> {
  const module = (await import(new URL(`../../${route.entry}`, import.meta.url).href)) as {
    handler: ProxyHandler;
  };
  return module.handler;
}
