import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { loadRotationConfig } from '../lib/config.js';
import { ProviderKeyTester } from '../lib/keys/key-tester.js';
import { KeyPoolRotation, ROTATION_STEPS } from '../lib/keys/rotation.js';
import { RotationError } from '../lib/keys/rotation-error.js';
import { DataLayerMetrics } from '../lib/observability/metrics.js';
import { requestMetrics } from './shared/request-metrics.js';

/**
 * The Secrets Manager rotation function of the provider key pools. Built once per container; the
 * client honours `AWS_ENDPOINT_URL_SECRETS_MANAGER`, the tester `<PROVIDER>_BASE_URL`.
 */
const config = loadRotationConfig();
const logger = new Logger();
const metrics = new DataLayerMetrics(new Metrics());
const now = () => new Date();

const rotation = new KeyPoolRotation({
  secrets: new SecretsManagerClient({}),
  tester: new ProviderKeyTester({
    baseUrls: config.providerBaseUrls,
    timeoutMs: config.providerTimeoutMs,
    now,
  }),
  metrics,
  logger,
  now,
  options: config,
});

/** The event Secrets Manager sends for each step; tokens are version ids of 32 to 64 characters. */
const RotationEventSchema = z.object({
  SecretId: z.string().check(z.minLength(1), z.maxLength(2048)),
  ClientRequestToken: z.string().check(z.minLength(32), z.maxLength(64)),
  Step: z.enum(ROTATION_STEPS),
});

/**
 * One rotation step. Failures are thrown, not answered: Secrets Manager reads a failed invocation as
 * a failed step, leaves AWSCURRENT alone and retries the rotation later.
 */
export const handler = middy<SecretsManagerRotationEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(requestMetrics(metrics))
  .use({
    // Logged once, structured; the message never holds a key value (the domain errors promise it).
    onError: ({ error }) =>
      logger.error('rotation step failed', error instanceof Error ? error : String(error)),
  })
  .handler(async (event) => {
    const parsed = z.safeParse(RotationEventSchema, event);
    if (!parsed.success) {
      throw new RotationError('the event is not a Secrets Manager rotation step', 'not_rotatable');
    }
    const { SecretId, ClientRequestToken, Step } = parsed.data;
    logger.appendKeys({ secretId: SecretId, versionId: ClientRequestToken, step: Step });
    await rotation.run({ secretId: SecretId, token: ClientRequestToken, step: Step });
  });
