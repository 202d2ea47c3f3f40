import type { FailureKind } from '../providers/provider.js';
import type { KeyState } from './key-states.js';

/**
 * When a key the provider rejects leaves service, and when it is tried again: the policy behind
 * `KEY_QUARANTINE_THRESHOLD`, `KEY_QUARANTINE_WINDOW_SECONDS` and `KEY_RETEST_SECONDS`. Decisions as
 * values, no I/O: the broker acts on them, the key states store them.
 */
export interface KeyQuarantineOptions {
  /** Invalid-key answers, fleet-wide, with no success of the key between them, that quarantine it. */
  threshold: number;
  /** How long a run of invalid-key answers counts: an older first answer starts the count anew. */
  windowMs: number;
  /** How long a quarantined key waits before one request tries it again. */
  retestMs: number;
}

/**
 * Three answers in an hour: one odd 401 (a proxy, a provider's blip) is not a verdict, and a key
 * that is really revoked answers every call alike, so a busy provider reaches three in seconds and
 * a quiet one within the hour. A success of the key clears the count, so sporadic 401s among good
 * answers never add up. A quarantined key is tried again hourly: a provider that restores a key
 * (a paid plan renewed, a proxy fixed) gets it back within the hour, at one call an hour fleet-wide.
 */
export const DEFAULT_KEY_QUARANTINE: KeyQuarantineOptions = {
  threshold: 3,
  windowMs: 3_600_000,
  retestMs: 3_600_000,
};

/** Whether a quarantine's re-test is due: `retestAt` once one was claimed, else an interval after the quarantine. */
export function isRetestDue(
  quarantine: Required<Pick<KeyState, 'quarantinedAt'>> & Pick<KeyState, 'retestAt'>,
  now: number,
  retestMs: number,
): boolean {
  return (quarantine.retestAt ?? quarantine.quarantinedAt + retestMs) <= now;
}

/** The outcomes that prove the provider accepted the key: it answered the question asked. */
export function provesKeyAccepted(outcome: 'ok' | FailureKind): boolean {
  return outcome === 'ok' || outcome === 'unknown_symbol';
}

/**
 * What a re-test call says: `released` when the provider accepted the key, `rejected` when it
 * refused it again, `inconclusive` when the call said nothing about the key (throttled, timed out,
 * the provider down): the key then waits for the next re-test.
 */
export function retestVerdict(outcome: 'ok' | FailureKind): 'released' | 'rejected' | 'inconclusive' {
  if (provesKeyAccepted(outcome)) return 'released';
  return outcome === 'invalid_key' ? 'rejected' : 'inconclusive';
}
