import type { Operation } from '../context.js';
import { AwsError, invalidParameter } from '../errors.js';
import { optionalBoolean, optionalMaxResults, optionalString, requiredString } from '../input.js';
import { paginate } from '../listing.js';
import { AWSCURRENT, type Secret, type SecretVersion } from '../model.js';
import { epochSeconds, secretIdentity } from '../render.js';
import { findLiveSecret, findSecret } from '../store.js';
import { attachStage, removeStage, versionWithStage } from '../versions.js';

function existingVersion(secret: Secret, versionId: string): SecretVersion {
  const version = secret.versions.get(versionId);
  if (!version) {
    throw new AwsError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret version: ${versionId}`,
    );
  }
  return version;
}

/**
 * UpdateSecretVersionStage: moves or removes one label. A label already on another version moves only
 * when RemoveFromVersionId names that version, so a caller cannot take a label it did not know about.
 */
export const updateSecretVersionStage: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const stage = requiredString(input, 'VersionStage');
  const moveTo = optionalString(input, 'MoveToVersionId');
  const removeFrom = optionalString(input, 'RemoveFromVersionId');
  const holder = versionWithStage(secret, stage);
  if (removeFrom !== undefined) checkRemoveFrom(secret, stage, holder, removeFrom);
  if (moveTo !== undefined) {
    const target = existingVersion(secret, moveTo);
    if (holder && holder !== target && removeFrom === undefined) {
      throw invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to ` +
          `version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    attachStage(secret, target, stage);
  } else if (holder && removeFrom !== undefined) {
    // Every secret with a value keeps a current version, so AWSCURRENT can move but never just go.
    if (stage === AWSCURRENT) {
      throw invalidParameter(`You can't remove the staging label ${AWSCURRENT}; move it to another version.`);
    }
    removeStage(holder, stage);
  } else {
    throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
  }
  secret.lastChangedDate = now();
  return secretIdentity(secret);
};

function checkRemoveFrom(
  secret: Secret,
  stage: string,
  holder: SecretVersion | undefined,
  removeFrom: string,
) {
  existingVersion(secret, removeFrom);
  if (holder?.id !== removeFrom) {
    throw invalidParameter(
      `The staging label ${stage} is not attached to version ${removeFrom}` +
        (holder ? `; it is attached to version ${holder.id}.` : '.'),
    );
  }
}

/** ListSecretVersionIds: labelled versions, plus deprecated (label-less) ones when asked. */
export const listSecretVersionIds: Operation = (input, { store }) => {
  const secret = findSecret(store, requiredString(input, 'SecretId'));
  const includeDeprecated = optionalBoolean(input, 'IncludeDeprecated') ?? false;
  const versions = [...secret.versions.values()].filter(
    (version) => includeDeprecated || version.stages.length > 0,
  );
  const { page, NextToken } = paginate(
    versions,
    optionalMaxResults(input),
    optionalString(input, 'NextToken'),
  );
  return {
    ...secretIdentity(secret),
    Versions: page.map((version) => ({
      VersionId: version.id,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
      LastAccessedDate: epochSeconds(version.lastAccessedDate),
    })),
    NextToken,
  };
};
