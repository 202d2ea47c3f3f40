import { DataLayerError } from '../errors.js';

/** Why a rotation failed: the `reason` dimension of `provider_key_rotation_failures_total`. */
export type RotationFailureReason =
  | 'not_rotatable'
  | 'invalid_pool'
  | 'no_spare_keys'
  | 'key_test_failed'
  | 'pool_changed'
  | 'internal_error';

/** A rotation step refused to go on. Messages name secrets, versions and key ids, never a key value. */
export class RotationError extends DataLayerError {
  override name = 'RotationError';
  constructor(
    message: string,
    readonly reason: Exclude<RotationFailureReason, 'internal_error'>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
