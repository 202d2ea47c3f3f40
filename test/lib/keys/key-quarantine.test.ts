import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEY_QUARANTINE,
  isRetestDue,
  provesKeyAccepted,
  retestVerdict,
} from '../../../lib/keys/key-quarantine.js';
import { FAILURE_KINDS, type FailureKind } from '../../../lib/providers/provider.js';

const T0 = Date.UTC(2026, 10, 26, 15);
const HOUR = 3_600_000;
/** Every way a provider call can end. */
const OUTCOMES: ('ok' | FailureKind)[] = ['ok', ...FAILURE_KINDS];

describe('the quarantine policy', () => {
  it('quarantines at three invalid-key answers within an hour and re-tests hourly by default', () => {
    expect(DEFAULT_KEY_QUARANTINE).toEqual({ threshold: 3, windowMs: HOUR, retestMs: HOUR });
  });

  it('holds a quarantined key for one re-test interval after its quarantine, then its re-test is due', () => {
    const quarantine = { quarantinedAt: T0 };
    expect(isRetestDue(quarantine, T0 + HOUR - 1, HOUR)).toBe(false);
    expect(isRetestDue(quarantine, T0 + HOUR, HOUR)).toBe(true);
  });

  it('makes the next re-test due at the time the last claimed one set, however old the quarantine', () => {
    const claimed = { quarantinedAt: T0 - 10 * HOUR, retestAt: T0 + HOUR };
    expect(isRetestDue(claimed, T0, HOUR)).toBe(false);
    expect(isRetestDue(claimed, T0 + HOUR, HOUR)).toBe(true);
  });

  it('takes only an answer to the question asked as proof the provider accepted a key', () => {
    const accepting = OUTCOMES.filter((outcome) => provesKeyAccepted(outcome));
    expect(accepting).toEqual(['ok', 'unknown_symbol']);
  });

  it('releases a re-tested key the provider accepts, keeps one it rejects, and reads anything else as saying nothing', () => {
    const verdicts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, retestVerdict(outcome)]));
    expect(verdicts).toEqual({
      ok: 'released',
      unknown_symbol: 'released',
      invalid_key: 'rejected',
      throttled: 'inconclusive',
      quota_exhausted: 'inconclusive',
      plan_restricted: 'inconclusive',
      bad_data: 'inconclusive',
      upstream_error: 'inconclusive',
      timeout: 'inconclusive',
      network: 'inconclusive',
      no_key: 'inconclusive',
    });
  });
});
