import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { PROVIDER_IDS, type ProviderId } from '../model/provider-ids.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { KeyTester } from './key-tester.js';
import { RotationError } from './rotation-error.js';
import { keysLostSince, newKeysIn, planRotation } from './rotation-plan.js';
import { type KeyPool, KeyPoolSchema } from './secrets-layout.js';

/**
 * Rotation of a provider's key pool, in Secrets Manager's four steps. Providers have no API to mint
 * keys, so a rotation promotes the keys an operator staged in the pool's `spare` list and retires
 * keys past their maximum age; a pool with nothing staged fails loudly instead of keeping old keys.
 */

/** The staging labels Secrets Manager gives meaning to. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** The steps, in the order Secrets Manager invokes them. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** One invocation: which secret, which version (the token is its VersionId), which step. */
export interface RotationRequest {
  secretId: string;
  token: string;
  step: RotationStep;
}

/** Keys older than this many days are retired, once a replacement is promoted (`KEY_MAX_AGE_DAYS`). */
export const DEFAULT_MAX_KEY_AGE_DAYS = 90;

/** A secret outside the key-pool naming can still be rotated when it carries this tag naming its provider. */
export const PROVIDER_TAG = 'valor-ivx:provider';

/** The provider a secret holds the keys of: from its name under the key-pool prefix, else from its tag. */
export function providerOfSecret(
  secret: Pick<DescribeSecretCommandOutput, 'Name' | 'Tags'>,
  prefix: string,
): ProviderId | undefined {
  const name = secret.Name ?? '';
  const fromName = name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
  const fromTag = secret.Tags?.find((tag) => tag.Key === PROVIDER_TAG)?.Value;
  return [fromName, fromTag].find(isProviderId);
}

function isProviderId(value: string | undefined): value is ProviderId {
  return (PROVIDER_IDS as readonly (string | undefined)[]).includes(value);
}

/** Reads a stored pool. Errors name the version and the fields at fault, never the content. */
export function parseKeyPool(text: string | undefined, version: string): KeyPool {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    // JSON.parse's message quotes the text, which is the secret: say only that it is not JSON.
    throw new RotationError(`the ${version} key pool is not JSON`, 'invalid_pool');
  }
  const parsed = z.safeParse(KeyPoolSchema, raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new RotationError(
      `the ${version} key pool does not match the key pool layout (${fields.join(', ')})`,
      'invalid_pool',
    );
  }
  return parsed.data;
}

/** Settings of the rotation. */
export interface RotationOptions {
  maxKeyAgeDays: number;
  /** The key-pool name prefix (`KEY_POOL_SECRET_PREFIX`), to tell the provider from a secret's name. */
  secretPrefix: string;
}

/** What the rotation works with; tests hand in clients on the local emulator and a fake clock. */
export interface KeyPoolRotationDeps {
  secrets: SecretsManagerClient;
  tester: KeyTester;
  metrics: Pick<DataLayerMetrics, 'rotationFailed' | 'rotationCompleted'>;
  logger: DomainLogger;
  now: () => Date;
  options: RotationOptions;
}

/**
 * The four rotation steps for provider key pools, each safe to run again with the same token (AWS
 * retries failed invocations): a step that finds its work done does nothing. Any failure leaves
 * AWSCURRENT where it was, so the data path keeps its keys, and counts in
 * `provider_key_rotation_failures_total`.
 */
export class KeyPoolRotation {
  constructor(private readonly deps: KeyPoolRotationDeps) {}

  /** Runs one step, after checking (as AWS's rotation template does) that the secret and version may rotate. */
  async run(request: RotationRequest): Promise<void> {
    const secret = await this.deps.secrets.send(new DescribeSecretCommand({ SecretId: request.secretId }));
    const provider = providerOfSecret(secret, this.deps.options.secretPrefix);
    if (provider === undefined) {
      throw new RotationError(`secret ${secret.Name} is not a provider key pool`, 'not_rotatable');
    }
    try {
      if (versionState(secret, request.token) === 'current') {
        this.deps.logger.info('rotation version is already AWSCURRENT: nothing to do', {
          provider,
          step: request.step,
          versionId: request.token,
        });
        return;
      }
      await this.step(request, provider, secret);
    } catch (error) {
      this.deps.metrics.rotationFailed(
        provider,
        error instanceof RotationError ? error.reason : 'internal_error',
      );
      throw error;
    }
  }

  private async step(request: RotationRequest, provider: ProviderId, secret: DescribeSecretCommandOutput) {
    switch (request.step) {
      case 'createSecret':
        return this.createSecret(request, provider);
      case 'setSecret':
        // Providers have no API to register or revoke keys: the keys already exist at the provider
        // (an operator made them there), so there is nothing to set. Revoking retired keys stays manual.
        return;
      case 'testSecret':
        return this.testSecret(request, provider);
      case 'finishSecret':
        return this.finishSecret(request, provider, secret);
    }
  }

  /** Stores the next pool as AWSPENDING under the token, unless a value is already stored there. */
  private async createSecret({ secretId, token }: RotationRequest, provider: ProviderId): Promise<void> {
    if (await this.pendingValueExists(secretId, token)) {
      this.deps.logger.info('createSecret: the pending key pool is already stored', {
        provider,
        versionId: token,
      });
      return;
    }
    const current = parseKeyPool(await this.read(secretId, { VersionStage: AWSCURRENT }), AWSCURRENT);
    const plan = planRotation(current, this.deps.now(), this.deps.options.maxKeyAgeDays);
    if (plan.kind === 'no_spare_keys') {
      throw new RotationError(
        `no spare key is staged for ${provider}: add new keys to the pool's "spare" list, remove ` +
          `${AWSPENDING} from version ${token}, and rotate again ` +
          `(${plan.expired.length} of ${current.keys.length} keys in service are past ` +
          `${this.deps.options.maxKeyAgeDays} days: ${plan.expired.join(', ') || 'none'})`,
        'no_spare_keys',
      );
    }
    try {
      await this.deps.secrets.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: JSON.stringify(plan.pool),
          VersionStages: [AWSPENDING],
        }),
      );
    } catch (error) {
      // A concurrent invocation with the same token stored its value first (with another timestamp):
      // that version stands, and this invocation's work is done.
      if (errorName(error) === 'ResourceExistsException' && (await this.pendingValueExists(secretId, token)))
        return;
      throw error;
    }
    this.deps.logger.info('createSecret: stored the pending key pool', {
      provider,
      versionId: token,
      ...(plan.kind === 'rotate'
        ? { promoted: plan.promoted, retired: plan.retired, keysInService: plan.pool.keys.length }
        : { note: 'the pool has no key and no spare: the provider is not in use' }),
    });
  }

  /** Tests every key the pending pool puts in service that the current one does not; any failure stops the rotation. */
  private async testSecret({ secretId, token }: RotationRequest, provider: ProviderId): Promise<void> {
    const pending = parseKeyPool(
      await this.read(secretId, { VersionId: token, VersionStage: AWSPENDING }),
      AWSPENDING,
    );
    const current = parseKeyPool(await this.read(secretId, { VersionStage: AWSCURRENT }), AWSCURRENT);
    if (pending.keys.length === 0 && current.keys.length > 0) {
      throw new RotationError(
        `the ${AWSPENDING} key pool of ${provider} has no key in service`,
        'invalid_pool',
      );
    }
    const lost = keysLostSince(pending, current, this.deps.now(), this.deps.options.maxKeyAgeDays);
    if (lost.length > 0) {
      throw new RotationError(
        `the ${provider} key pool changed after createSecret (the ${AWSPENDING} pool lacks ${lost.join(', ')}): ` +
          `remove ${AWSPENDING} from version ${token} and rotate again`,
        'pool_changed',
      );
    }
    const fresh = newKeysIn(pending, current);
    const failures: string[] = [];
    // One after another: each key has its own quota, but the provider's per-IP limits are shared.
    for (const key of fresh) {
      const result = await this.deps.tester.test(provider, key);
      if (result.verdict !== 'works') failures.push(`${key.id} (${result.verdict}, ${result.detail})`);
    }
    if (failures.length > 0) {
      throw new RotationError(
        `${failures.length} of ${fresh.length} new ${provider} keys failed their test, ${AWSCURRENT} is ` +
          `unchanged: ${failures.join('; ')}. Stage working keys, remove ${AWSPENDING} from version ${token}, ` +
          'and rotate again',
        'key_test_failed',
      );
    }
    this.deps.logger.info('testSecret: the new keys work', {
      provider,
      versionId: token,
      tested: fresh.map((k) => k.id),
    });
  }

  /** Moves AWSCURRENT to the token's version; Secrets Manager then labels the old one AWSPREVIOUS. */
  private async finishSecret(
    { secretId, token }: RotationRequest,
    provider: ProviderId,
    secret: DescribeSecretCommandOutput,
  ): Promise<void> {
    const currentVersion = Object.entries(secret.VersionIdsToStages ?? {}).find(([, stages]) =>
      stages.includes(AWSCURRENT),
    )?.[0];
    try {
      await this.deps.secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: AWSCURRENT,
          MoveToVersionId: token,
          RemoveFromVersionId: currentVersion,
        }),
      );
    } catch (error) {
      // The SDK's repeat of a move whose reply was lost is refused (AWSCURRENT is no longer on
      // RemoveFromVersionId), though the move it repeats is done: done is success, not a failure.
      if (!(await this.isCurrent(secretId, token))) throw error;
    }
    this.deps.metrics.rotationCompleted(provider);
    this.deps.logger.info('finishSecret: the new key pool is AWSCURRENT', {
      provider,
      versionId: token,
      previousVersionId: currentVersion,
    });
  }

  private async read(
    secretId: string,
    version: { VersionId?: string; VersionStage: string },
  ): Promise<string | undefined> {
    const answer = await this.deps.secrets.send(
      new GetSecretValueCommand({ SecretId: secretId, ...version }),
    );
    return answer.SecretString;
  }

  /** Whether the token's version holds AWSCURRENT now. */
  private async isCurrent(secretId: string, token: string): Promise<boolean> {
    const secret = await this.deps.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
    return secret.VersionIdsToStages?.[token]?.includes(AWSCURRENT) ?? false;
  }

  /** AWS (and the emulator) answer a value-less placeholder version as not found. */
  private async pendingValueExists(secretId: string, token: string): Promise<boolean> {
    try {
      return (await this.read(secretId, { VersionId: token, VersionStage: AWSPENDING })) !== undefined;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return false;
      throw error;
    }
  }
}

/**
 * Where the token's version stands: `current` when a rotation already finished with it, `pending`
 * when it may rotate. Anything else is refused, as in AWS's rotation template: rotation must be
 * enabled, and the token must name a version labelled AWSPENDING.
 */
export function versionState(
  secret: Pick<DescribeSecretCommandOutput, 'Name' | 'RotationEnabled' | 'VersionIdsToStages'>,
  token: string,
): 'current' | 'pending' {
  if (secret.RotationEnabled !== true) {
    throw new RotationError(`rotation is not enabled for secret ${secret.Name}`, 'not_rotatable');
  }
  const stages = secret.VersionIdsToStages?.[token];
  if (stages === undefined) {
    throw new RotationError(`version ${token} is not a version of secret ${secret.Name}`, 'not_rotatable');
  }
  if (stages.includes(AWSCURRENT)) return 'current';
  if (!stages.includes(AWSPENDING)) {
    throw new RotationError(
      `version ${token} of secret ${secret.Name} is not ${AWSPENDING}`,
      'not_rotatable',
    );
  }
  return 'pending';
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
