/**
 * Why a key rotation failed: the `reason` dimension of `provider_key_rotation_failures_total`,
 * shared by the rotation (which raises it) and the metrics (which count it).
 */
export type RotationFailureReason =
  | 'not_rotatable'
  | 'invalid_pool'
  | 'no_spare_keys'
  | 'key_test_failed'
  | 'pool_changed'
  | 'internal_error';
