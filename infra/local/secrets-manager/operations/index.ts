import type { Operation } from '../context.js';
import { deleteSecret, restoreSecret } from './lifecycle.js';
import { describeSecret, listSecrets, tagResource, untagResource } from './metadata.js';
import { rotateSecret } from './rotation.js';
import { listSecretVersionIds, updateSecretVersionStage } from './staging.js';
import { createSecret, getSecretValue, putSecretValue, updateSecret } from './values.js';

/** The operations the emulator implements, by the name after `secretsmanager.` in `x-amz-target`. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateSecret: createSecret,
  DeleteSecret: deleteSecret,
  DescribeSecret: describeSecret,
  GetSecretValue: getSecretValue,
  ListSecretVersionIds: listSecretVersionIds,
  ListSecrets: listSecrets,
  PutSecretValue: putSecretValue,
  RestoreSecret: restoreSecret,
  RotateSecret: rotateSecret,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateSecret: updateSecret,
  UpdateSecretVersionStage: updateSecretVersionStage,
};
