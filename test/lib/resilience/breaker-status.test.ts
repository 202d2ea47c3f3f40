import { describe, expect, it } from 'vitest';
import {
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import { CircuitStatusSchema, describeBreaker, iso } from '../../../lib/resilience/breaker-status.js';

const NOW = Date.UTC(2026, 5, 1, 15);
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({ ...closedRecord('fmp'), ...fields });
const at = (ms: number) => new Date(ms).toISOString();

describe('describeBreaker', () => {
  it('shows a closed breaker with nothing counted as null times and zeros', () => {
    const status = describeBreaker(closedRecord('fmp'), NOW, options);
    expect(status).toEqual({
      name: 'fmp',
      state: 'CLOSED',
      consecutiveFailures: 0,
      windowCalls: 0,
      windowFailures: 0,
      windowSlowCalls: 0,
      openedAt: null,
      nextProbeAt: null,
      openCount: 0,
      forcedOpen: false,
      lastOverride: null,
      probeLeaseUntil: null,
    });
    expect(CircuitStatusSchema.safeParse(status).success).toBe(true);
  });

  it("shows the current window's counts, and none once the window has lapsed", () => {
    const counted = { windowCalls: 9, windowFailures: 4, windowSlowCalls: 2 };
    const current = record({ ...counted, windowStart: NOW - options.windowMs + 1 });
    expect(describeBreaker(current, NOW, options)).toMatchObject(counted);
    const lapsed = record({ ...counted, windowStart: NOW - options.windowMs });
    expect(describeBreaker(lapsed, NOW, options)).toMatchObject({
      windowCalls: 0,
      windowFailures: 0,
      windowSlowCalls: 0,
    });
  });

  it('gives an open breaker its opening, its next probe and its override as ISO times', () => {
    const status = describeBreaker(
      record({
        state: 'OPEN',
        consecutiveFailures: 5,
        openedAt: NOW - 1_000,
        openUntil: NOW + 29_000,
        openCount: 2,
        lastOverride: { action: 'force-open', actor: 'ops', at: NOW - 500 },
        forcedOpen: true,
        // A lease left from an earlier probe is not shown on an open breaker.
        probeLeaseUntil: NOW + 5_000,
      }),
      NOW,
      options,
    );
    expect(status).toMatchObject({
      state: 'OPEN',
      consecutiveFailures: 5,
      openedAt: at(NOW - 1_000),
      nextProbeAt: at(NOW + 29_000),
      openCount: 2,
      forcedOpen: true,
      lastOverride: { action: 'force-open', actor: 'ops', at: at(NOW - 500) },
      probeLeaseUntil: null,
    });
    expect(CircuitStatusSchema.safeParse(status).success).toBe(true);
  });

  it('shows a half-open breaker its probe lease and no next probe', () => {
    const status = describeBreaker(
      record({ state: 'HALF_OPEN', openUntil: NOW - 1, probeLeaseUntil: NOW + 3_000 }),
      NOW,
      options,
    );
    expect(status).toMatchObject({ nextProbeAt: null, probeLeaseUntil: at(NOW + 3_000) });
  });

  it('shows an open breaker forced open without a probe time as null', () => {
    expect(describeBreaker(record({ state: 'OPEN' }), NOW, options).nextProbeAt).toBeNull();
  });
});

describe('iso', () => {
  it('writes epoch ms as ISO 8601 and an absent time as null, 0 included as a time', () => {
    expect(iso(undefined)).toBeNull();
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(NOW)).toBe(at(NOW));
  });
});
