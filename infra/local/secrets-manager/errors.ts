/**
 * An error the emulator returns on the wire as AWS does: `{"__type": type, "Message": message}`.
 * The SDK turns `__type` into the error's `name`, so callers can branch on it as against AWS.
 */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** The secret does not exist (or was force-deleted, or its recovery window ran out). */
export function secretNotFound(): AwsError {
  return new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
}

/** No version holds a value for the requested id or label; `what` is e.g. `staging label: AWSPENDING`. */
export function secretValueNotFound(what: string): AwsError {
  return new AwsError(
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for ${what}`,
  );
}

/** Most operations refuse a secret that is scheduled for deletion until it is restored. */
export function markedForDeletion(): AwsError {
  return new AwsError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );
}

export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

export function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequestException', message);
}

/**
 * AWS checks the model's constraints (required members, lengths, ranges) before the operation runs,
 * and names the member in camelCase in its message.
 */
export function validationError(member: string, value: unknown, constraint: string): AwsError {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  const shown = value === undefined ? 'null' : `'${String(value)}'`;
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${name}' failed to satisfy constraint: ${constraint}`,
  );
}
