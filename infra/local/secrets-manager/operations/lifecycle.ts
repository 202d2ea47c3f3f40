import type { Operation } from '../context.js';
import { invalidParameter, markedForDeletion } from '../errors.js';
import { optionalBoolean, optionalInteger, requiredString } from '../input.js';
import { epochSeconds, secretIdentity } from '../render.js';
import { findSecret } from '../store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RECOVERY_DAYS = 30;

/**
 * DeleteSecret: schedules deletion after a 7–30 day recovery window (30 by default), or deletes at
 * once with ForceDeleteWithoutRecovery. A forced delete of a missing secret succeeds, as AWS documents.
 */
export const deleteSecret: Operation = (input, { store, now }) => {
  const secretId = requiredString(input, 'SecretId');
  const force = optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false;
  const days = optionalInteger(input, 'RecoveryWindowInDays');
  if (force && days !== undefined) {
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (days !== undefined && (days < 7 || days > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const at = now();
  if (force) {
    const secret = store.find(secretId);
    if (!secret) return { DeletionDate: epochSeconds(at) };
    store.remove(secret);
    return { ...secretIdentity(secret), DeletionDate: epochSeconds(at) };
  }
  const secret = findSecret(store, secretId);
  if (secret.deletion) throw markedForDeletion();
  secret.deletion = { requested: at, due: new Date(at.getTime() + (days ?? DEFAULT_RECOVERY_DAYS) * DAY_MS) };
  secret.lastChangedDate = at;
  return { ...secretIdentity(secret), DeletionDate: epochSeconds(secret.deletion.due) };
};

/** RestoreSecret: cancels a scheduled deletion; restoring a secret that is not scheduled changes nothing. */
export const restoreSecret: Operation = (input, { store, now }) => {
  const secret = findSecret(store, requiredString(input, 'SecretId'));
  if (secret.deletion) {
    secret.deletion = undefined;
    secret.lastChangedDate = now();
  }
  return secretIdentity(secret);
};
