import { describe, expect, it } from 'vitest';
import {
  admit,
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
  hasFailuresOnRecord,
  nextChanceInMs,
  openTimeoutMs,
  shouldTrip,
} from '../../../lib/resilience/breaker-state.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({
  ...closedRecord('alpha-vantage'),
  ...fields,
});

describe('shouldTrip', () => {
  it('trips at the consecutive-failure threshold, not before', () => {
    expect(shouldTrip(record({ consecutiveFailures: 4, windowCalls: 4, windowFailures: 4 }), options)).toBe(
      false,
    );
    expect(shouldTrip(record({ consecutiveFailures: 5, windowCalls: 5, windowFailures: 5 }), options)).toBe(
      true,
    );
  });

  it('trips on the failure rate once the window holds the minimum calls', () => {
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 10, windowFailures: 5 }), options)).toBe(
      true,
    );
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 10, windowFailures: 4 }), options)).toBe(
      false,
    );
  });

  it('ignores a high failure rate over too few calls', () => {
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 9, windowFailures: 9 }), options)).toBe(
      false,
    );
  });
});

describe('openTimeoutMs', () => {
  it('doubles with every re-open and stops at the cap', () => {
    const timeouts = [0, 1, 2, 3, 4, 5].map((openCount) => openTimeoutMs(openCount, options));
    expect(timeouts).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('stays at the cap when the power overflows', () => {
    expect(openTimeoutMs(5_000, options)).toBe(600_000);
  });
});

describe('hasFailuresOnRecord', () => {
  it('is false for a healthy breaker, so its successes write nothing', () => {
    expect(hasFailuresOnRecord(closedRecord('fmp'), NOW, options.windowMs)).toBe(false);
  });

  it('is true while a run of failures or a current window holds failures', () => {
    expect(hasFailuresOnRecord(record({ consecutiveFailures: 1 }), NOW, options.windowMs)).toBe(true);
    const window = { windowStart: NOW - 1_000, windowCalls: 3, windowFailures: 1 };
    expect(hasFailuresOnRecord(record(window), NOW, options.windowMs)).toBe(true);
  });

  it('forgets the failures of a lapsed window', () => {
    const lapsed = record({ windowStart: NOW - options.windowMs, windowCalls: 3, windowFailures: 1 });
    expect(hasFailuresOnRecord(lapsed, NOW, options.windowMs)).toBe(false);
  });

  it('is false when the breaker is not closed: a late success has nothing to write', () => {
    expect(
      hasFailuresOnRecord(record({ state: 'OPEN', consecutiveFailures: 5 }), NOW, options.windowMs),
    ).toBe(false);
  });
});

describe('admit', () => {
  it('allows every call while closed', () => {
    expect(admit(closedRecord('fmp'), NOW, options)).toEqual({ kind: 'allow' });
  });

  it('rejects while open until the probe time, then offers the half-open race', () => {
    const open = record({ state: 'OPEN', openUntil: NOW + 10_000 });
    expect(admit(open, NOW, options)).toEqual({ kind: 'reject', state: 'OPEN', retryAfterMs: 10_000 });
    expect(admit(open, NOW + 10_000, options)).toEqual({ kind: 'try-half-open' });
  });

  it('never offers a probe on a forced-open breaker', () => {
    const forced = record({ state: 'OPEN', forcedOpen: true });
    expect(admit(forced, NOW + 10 * options.maxRecoveryTimeoutMs, options)).toMatchObject({ kind: 'reject' });
  });

  it('rejects while a probe holds the lease and offers the lease once it is free or expired', () => {
    const leased = record({ state: 'HALF_OPEN', probeOwner: 'p1', probeLeaseUntil: NOW + 5_000 });
    expect(admit(leased, NOW, options)).toEqual({ kind: 'reject', state: 'HALF_OPEN', retryAfterMs: 5_000 });
    expect(admit(leased, NOW + 5_000, options)).toEqual({ kind: 'try-probe-lease' });
    expect(admit(record({ state: 'HALF_OPEN' }), NOW, options)).toEqual({ kind: 'try-probe-lease' });
  });
});

describe('nextChanceInMs', () => {
  it('is the probe time when open, the lease end when half-open, and nothing otherwise', () => {
    expect(nextChanceInMs(record({ state: 'OPEN', openUntil: NOW + 3_000 }), NOW)).toBe(3_000);
    expect(nextChanceInMs(record({ state: 'HALF_OPEN', probeLeaseUntil: NOW + 2_000 }), NOW)).toBe(2_000);
    expect(nextChanceInMs(record({ state: 'OPEN', forcedOpen: true }), NOW)).toBeUndefined();
    expect(nextChanceInMs(closedRecord('fmp'), NOW)).toBeUndefined();
  });
});
