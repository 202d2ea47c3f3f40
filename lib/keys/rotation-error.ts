import { DataLayerError } from '../errors.js';
import type { RotationFailureReason } from '../model/rotation-failure.js';

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
