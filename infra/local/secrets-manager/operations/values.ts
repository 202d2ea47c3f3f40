import { randomUUID } from 'node:crypto';
import type { Operation } from '../context.js';
import {
  AwsError,
  invalidParameter,
  invalidRequest,
  secretValueNotFound,
  validationError,
} from '../errors.js';
import {
  type JsonObject,
  optionalSecretValue,
  optionalString,
  optionalStringList,
  optionalTags,
  optionalToken,
  requiredString,
} from '../input.js';
import { AWSCURRENT, type Secret, type SecretValue, type SecretVersion } from '../model.js';
import { epochSeconds, secretIdentity } from '../render.js';
import { findLiveSecret } from '../store.js';
import { putVersion, recordAccess, sameValue, versionWithStage } from '../versions.js';

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;

function validateName(name: string): void {
  if (name.length < 1 || name.length > 512) {
    throw validationError('Name', name, 'Member must have length between 1 and 512');
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalidParameter(
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
}

/** CreateSecret: a new secret, with a first AWSCURRENT version when a value is given. */
export const createSecret: Operation = (input, { store, now }) => {
  const name = requiredString(input, 'Name');
  validateName(name);
  const value = optionalSecretValue(input);
  const token = optionalToken(input) ?? randomUUID();
  const existing = store.find(name);
  if (existing?.deletion) {
    throw invalidRequest(
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
  }
  if (existing) return retriedCreate(existing, token, value);
  const at = now();
  const secret: Secret = {
    arn: store.arnFor(name),
    name,
    description: optionalString(input, 'Description'),
    kmsKeyId: optionalString(input, 'KmsKeyId') || undefined,
    tags: optionalTags(input) ?? [],
    versions: new Map(),
    createdDate: at,
    lastChangedDate: at,
  };
  store.add(secret);
  if (!value) return secretIdentity(secret);
  putVersion(secret, { token, value, stages: [AWSCURRENT] }, at);
  return { ...secretIdentity(secret), VersionId: token };
};

/** A retry of a CreateSecret that succeeded (same token, same value) is answered, not refused. */
function retriedCreate(secret: Secret, token: string, value: SecretValue | undefined): JsonObject {
  const stored = secret.versions.get(token)?.value;
  if (!stored || !value || !sameValue(stored, value)) {
    throw new AwsError(
      'ResourceExistsException',
      `The operation failed because the secret ${secret.name} already exists.`,
    );
  }
  return { ...secretIdentity(secret), VersionId: token };
}

/** GetSecretValue: by VersionId, VersionStage or both (which must agree); AWSCURRENT by default. */
export const getSecretValue: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const version = selectVersion(
    secret,
    optionalString(input, 'VersionId'),
    optionalString(input, 'VersionStage'),
  );
  recordAccess(secret, version, now());
  const value = version.value;
  return {
    ...secretIdentity(secret),
    VersionId: version.id,
    SecretString: value?.kind === 'string' ? value.text : undefined,
    SecretBinary: value?.kind === 'binary' ? value.base64 : undefined,
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.createdDate),
  };
};

function selectVersion(secret: Secret, versionId?: string, stage?: string): SecretVersion {
  if (versionId === undefined) {
    const label = stage ?? AWSCURRENT;
    const version = versionWithStage(secret, label);
    // A value-less version (a rotation's placeholder) reads as missing, which rotation functions rely on.
    if (!version?.value) throw secretValueNotFound(`staging label: ${label}`);
    return version;
  }
  const version = secret.versions.get(versionId);
  if (!version?.value) throw secretValueNotFound(`VersionId: ${versionId}`);
  if (stage !== undefined && !version.stages.includes(stage)) {
    throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
  }
  return version;
}

/** PutSecretValue: a new version, labelled AWSCURRENT unless VersionStages says otherwise. */
export const putSecretValue: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const value = optionalSecretValue(input);
  if (!value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
  const requested = optionalStringList(input, 'VersionStages');
  const stages = requested?.length ? requested : [AWSCURRENT];
  const token = optionalToken(input) ?? randomUUID();
  const version = putVersion(secret, { token, value, stages }, now());
  return { ...secretIdentity(secret), VersionId: version.id, VersionStages: [...version.stages] };
};

/** UpdateSecret: metadata changes, and a new AWSCURRENT version when a value is given. */
export const updateSecret: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const value = optionalSecretValue(input);
  const description = optionalString(input, 'Description');
  const kmsKeyId = optionalString(input, 'KmsKeyId');
  const at = now();
  if (description !== undefined) secret.description = description;
  // An empty KmsKeyId switches the secret back to the AWS managed key.
  if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId || undefined;
  secret.lastChangedDate = at;
  if (!value) return secretIdentity(secret);
  const token = optionalToken(input) ?? randomUUID();
  const version = putVersion(secret, { token, value, stages: [AWSCURRENT] }, at);
  return { ...secretIdentity(secret), VersionId: version.id };
};
