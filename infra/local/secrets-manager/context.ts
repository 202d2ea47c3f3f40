import type { JsonObject } from './input.js';
import type { SecretStore } from './store.js';

/** The event a Secrets Manager rotation Lambda receives, once per step. */
export interface RotationStep {
  /** The secret's ARN, as AWS passes it. */
  SecretId: string;
  /** The VersionId of the version being rotated in (AWSPENDING until `finishSecret`). */
  ClientRequestToken: string;
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/** Stands in for the rotation Lambda: called for each step, in order, while RotateSecret runs. */
export type RotationFunction = (step: RotationStep) => Promise<void>;

/** What an operation handler works with besides its input. */
export interface OperationContext {
  /** The secrets of the region the request was signed for. */
  store: SecretStore;
  now: () => Date;
  rotate?: RotationFunction;
}

/** One Secrets Manager operation: its input structure in, its output structure out. */
export type Operation = (input: JsonObject, context: OperationContext) => JsonObject | Promise<JsonObject>;
