import { randomUUID } from 'node:crypto';
import type { Operation, RotationFunction, RotationStep } from '../context.js';
import { invalidParameter, invalidRequest } from '../errors.js';
import {
  type JsonObject,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalToken,
  requiredString,
} from '../input.js';
import { AWSCURRENT, AWSPENDING, type RotationRules, type Secret } from '../model.js';
import { secretIdentity } from '../render.js';
import { findLiveSecret } from '../store.js';
import { addPlaceholderVersion, versionWithStage } from '../versions.js';

const STEPS: readonly RotationStep['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

function readRotationRules(input: JsonObject): RotationRules | undefined {
  const rules = optionalObject(input, 'RotationRules');
  if (!rules) return undefined;
  const read: RotationRules = {
    AutomaticallyAfterDays: optionalInteger(rules, 'AutomaticallyAfterDays'),
    Duration: optionalString(rules, 'Duration'),
    ScheduleExpression: optionalString(rules, 'ScheduleExpression'),
  };
  if (read.AutomaticallyAfterDays !== undefined && read.ScheduleExpression !== undefined) {
    throw invalidParameter('You cannot specify both rotation frequency and schedule expression together.');
  }
  return read;
}

/** AWSPENDING on a version that is not also AWSCURRENT means a rotation started and did not finish. */
function rotationInProgress(secret: Secret): boolean {
  const pending = versionWithStage(secret, AWSPENDING);
  return pending !== undefined && !pending.stages.includes(AWSCURRENT);
}

/**
 * RotateSecret: stores the rotation configuration and, when the emulator has a rotation function and
 * RotateImmediately is not false, rotates now. Like AWS, it first adds a value-less AWSPENDING version
 * whose id is the token, then runs the four steps; the function stores the value and moves the labels.
 */
export const rotateSecret: Operation = async (input, { store, now, rotate }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const token = optionalToken(input) ?? randomUUID();
  const lambdaArn = optionalString(input, 'RotationLambdaARN') ?? secret.rotation?.lambdaArn;
  const rules = readRotationRules(input) ?? secret.rotation?.rules;
  const immediately = optionalBoolean(input, 'RotateImmediately') ?? true;
  if (!lambdaArn) {
    throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  }
  if (rotationInProgress(secret)) {
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  // The same token again after a finished rotation is a retry: answer it without rotating twice.
  if (secret.versions.has(token)) return { ...secretIdentity(secret), VersionId: token };
  secret.rotation = { enabled: true, lambdaArn, rules };
  secret.lastChangedDate = now();
  if (!immediately || !rotate) return secretIdentity(secret);
  addPlaceholderVersion(secret, token, AWSPENDING, now());
  await runSteps(rotate, secret, token);
  secret.lastRotatedDate = now();
  return { ...secretIdentity(secret), VersionId: token };
};

/**
 * AWS runs rotation in the background and reports failures only in the function's logs; the emulator
 * runs it in the request so a failure reaches the caller, as InvalidRequestException naming the step.
 * Labels stay as the failed step left them, which blocks the next rotation exactly as on AWS.
 */
async function runSteps(rotate: RotationFunction, secret: Secret, token: string): Promise<void> {
  for (const step of STEPS) {
    try {
      await rotate({ SecretId: secret.arn, ClientRequestToken: token, Step: step });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw invalidRequest(`Rotation step ${step} failed for version ${token}: ${reason}`);
    }
  }
  if (!secret.versions.get(token)?.stages.includes(AWSCURRENT)) {
    throw invalidRequest(`Rotation did not finish: finishSecret left ${AWSCURRENT} off version ${token}.`);
  }
}
