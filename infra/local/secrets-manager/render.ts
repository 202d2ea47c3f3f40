import type { JsonObject } from './input.js';
import type { Secret } from './model.js';

/**
 * The JSON 1.1 protocol sends timestamps as epoch seconds. Optional fields are left `undefined`, which
 * JSON.stringify drops: AWS omits what is not set rather than sending null.
 */
export function epochSeconds(date: Date): number;
export function epochSeconds(date: Date | undefined): number | undefined;
export function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}

/** Labelled versions only: AWS leaves deprecated (label-less) versions out of this map. */
export function stagesByVersion(secret: Secret): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const version of secret.versions.values()) {
    if (version.stages.length > 0) map[version.id] = [...version.stages];
  }
  return map;
}

/** The metadata DescribeSecret and ListSecrets have in common. */
export function secretMetadata(secret: Secret): JsonObject {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: secret.rotation?.enabled,
    RotationLambdaARN: secret.rotation?.lambdaArn,
    RotationRules: secret.rotation?.rules,
    LastRotatedDate: epochSeconds(secret.lastRotatedDate),
    LastChangedDate: epochSeconds(secret.lastChangedDate),
    LastAccessedDate: epochSeconds(secret.lastAccessedDate),
    DeletedDate: epochSeconds(secret.deletion?.requested),
    Tags: secret.tags.length > 0 ? secret.tags : undefined,
    CreatedDate: epochSeconds(secret.createdDate),
  };
}

/** ARN and Name: the pair most operations answer with. */
export function secretIdentity(secret: Secret): JsonObject {
  return { ARN: secret.arn, Name: secret.name };
}
