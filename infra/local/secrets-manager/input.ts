import { AwsError, invalidParameter, validationError } from './errors.js';
import type { SecretValue, Tag } from './model.js';

/** A request body: the operation's input structure as the SDK serialised it. */
export type JsonObject = Record<string, unknown>;

/** A member of the wrong JSON type is a deserialisation failure on AWS, not a validation one. */
function wrongType(member: string, expected: string): AwsError {
  return new AwsError('SerializationException', `Member ${member} must be ${expected}.`);
}

export function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(member, 'a string');
  return value;
}

export function requiredString(input: JsonObject, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) throw validationError(member, undefined, 'Member must not be null');
  return value;
}

export function optionalBoolean(input: JsonObject, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(member, 'a boolean');
  return value;
}

export function optionalInteger(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer');
  return value;
}

export function optionalObject(input: JsonObject, member: string): JsonObject | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(member, 'a structure');
  return value as JsonObject;
}

function optionalList(input: JsonObject, member: string): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(member, 'a list');
  return value;
}

export function optionalStringList(input: JsonObject, member: string): string[] | undefined {
  const list = optionalList(input, member);
  if (list?.some((item) => typeof item !== 'string')) throw wrongType(member, 'a list of strings');
  return list as string[] | undefined;
}

export function requiredStringList(input: JsonObject, member: string): string[] {
  const list = optionalStringList(input, member);
  if (list === undefined) throw validationError(member, undefined, 'Member must not be null');
  return list;
}

/** A list of structures, each checked as an object so its members can be read with the functions above. */
export function optionalObjectList(input: JsonObject, member: string): JsonObject[] | undefined {
  const list = optionalList(input, member);
  if (list?.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw wrongType(member, 'a list of structures');
  }
  return list as JsonObject[] | undefined;
}

export function optionalTags(input: JsonObject, member = 'Tags'): Tag[] | undefined {
  return optionalObjectList(input, member)?.map((tag) => ({
    Key: requiredString(tag, 'Key'),
    Value: optionalString(tag, 'Value') ?? '',
  }));
}

export function requiredTags(input: JsonObject, member = 'Tags'): Tag[] {
  const tags = optionalTags(input, member);
  if (tags === undefined) throw validationError(member, undefined, 'Member must not be null');
  return tags;
}

/** `MaxResults` as the list operations constrain it: 1 to 100. */
export function optionalMaxResults(input: JsonObject): number | undefined {
  const value = optionalInteger(input, 'MaxResults');
  if (value !== undefined && (value < 1 || value > 100)) {
    throw validationError('MaxResults', value, 'Member must have value between 1 and 100');
  }
  return value;
}

/**
 * The value of a new version. Either member, not both; an empty one counts as absent, since AWS
 * refuses an empty secret value rather than storing it.
 */
export function optionalSecretValue(input: JsonObject): SecretValue | undefined {
  const text = optionalString(input, 'SecretString');
  const base64 = optionalString(input, 'SecretBinary');
  if (text !== undefined && base64 !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (text) return { kind: 'string', text };
  // Re-encoding normalises the base64, so two requests with the same bytes compare equal.
  const bytes = base64 === undefined ? undefined : Buffer.from(base64, 'base64');
  if (bytes?.length) return { kind: 'binary', base64: bytes.toString('base64') };
  return undefined;
}

/** `ClientRequestToken` is 32 to 64 characters in the model; the SDK fills in a UUID when it is left out. */
export function optionalToken(input: JsonObject): string | undefined {
  const token = optionalString(input, 'ClientRequestToken');
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw validationError('ClientRequestToken', token, 'Member must have length between 32 and 64');
  }
  return token;
}
