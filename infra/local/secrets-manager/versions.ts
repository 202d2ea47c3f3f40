import { AwsError } from './errors.js';
import { AWSCURRENT, AWSPREVIOUS, type Secret, type SecretValue, type SecretVersion } from './model.js';

/** The version a label is attached to; a label is on at most one version of a secret. */
export function versionWithStage(secret: Secret, stage: string): SecretVersion | undefined {
  return [...secret.versions.values()].find((version) => version.stages.includes(stage));
}

export function removeStage(version: SecretVersion, stage: string): void {
  version.stages = version.stages.filter((label) => label !== stage);
}

/**
 * Attaches `stage` to `target`, taking it from whichever version had it. Moving AWSCURRENT also moves
 * AWSPREVIOUS to the version that lost AWSCURRENT, as AWS does on every path that moves it.
 */
export function attachStage(secret: Secret, target: SecretVersion, stage: string): void {
  const holder = versionWithStage(secret, stage);
  if (holder === target) return;
  if (holder) removeStage(holder, stage);
  target.stages = [...target.stages, stage];
  if (stage === AWSCURRENT && holder) attachStage(secret, holder, AWSPREVIOUS);
}

export function sameValue(a: SecretValue, b: SecretValue): boolean {
  return a.kind === 'string' && b.kind === 'string'
    ? a.text === b.text
    : a.kind === 'binary' && b.kind === 'binary' && a.base64 === b.base64;
}

export interface NewVersion {
  /** The ClientRequestToken, which becomes the VersionId. */
  token: string;
  value: SecretValue;
  stages: readonly string[];
}

/**
 * Stores a value under the request's token with AWS's idempotency rules: the same token and value
 * again changes nothing; the same token with another value is refused, since versions are immutable.
 * A token naming RotateSecret's value-less placeholder fills it in, which is how rotation functions
 * store the pending value.
 */
export function putVersion(secret: Secret, request: NewVersion, now: Date): SecretVersion {
  const existing = secret.versions.get(request.token);
  if (existing?.value) {
    if (sameValue(existing.value, request.value)) return existing;
    throw new AwsError(
      'ResourceExistsException',
      "You can't modify an existing version, you can only create new versions.",
    );
  }
  const version = existing ?? { id: request.token, stages: [], createdDate: now };
  version.value = request.value;
  secret.versions.set(version.id, version);
  for (const stage of request.stages) attachStage(secret, version, stage);
  secret.lastChangedDate = now;
  return version;
}

/** The placeholder version a rotation starts from: labelled, with no value yet. */
export function addPlaceholderVersion(secret: Secret, token: string, stage: string, now: Date): void {
  const version: SecretVersion = { id: token, stages: [], createdDate: now };
  secret.versions.set(token, version);
  attachStage(secret, version, stage);
  secret.lastChangedDate = now;
}

/** AWS records access at day resolution, so repeated reads within a day do not churn the field. */
export function recordAccess(secret: Secret, version: SecretVersion, now: Date): void {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  secret.lastAccessedDate = day;
  version.lastAccessedDate = day;
}
