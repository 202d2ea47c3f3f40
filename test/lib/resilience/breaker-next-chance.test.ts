import { describe, expect, it } from 'vitest';
import { type BreakerRecord, closedRecord, nextChanceInMs } from '../../../lib/resilience/breaker-state.js';

const NOW = 1_800_000_000_000;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({ ...closedRecord('fmp'), ...fields });

describe('nextChanceInMs: only the time the current state schedules', () => {
  it('has no chance to give for an OPEN breaker without a probe time', () => {
    expect(nextChanceInMs(record({ state: 'OPEN' }), NOW)).toBeUndefined();
  });

  it('gives none for a forced-open breaker, even one that still carries a probe time', () => {
    expect(
      nextChanceInMs(record({ state: 'OPEN', forcedOpen: true, openUntil: NOW + 3_000 }), NOW),
    ).toBeUndefined();
  });

  it('reads the probe lease of a HALF_OPEN breaker, not the probe time it kept from OPEN', () => {
    expect(nextChanceInMs(record({ state: 'HALF_OPEN', openUntil: NOW + 3_000 }), NOW)).toBeUndefined();
    expect(
      nextChanceInMs(
        record({ state: 'HALF_OPEN', openUntil: NOW + 3_000, probeLeaseUntil: NOW + 1_000 }),
        NOW,
      ),
    ).toBe(1_000);
  });

  it('gives none for a CLOSED breaker, whatever times an earlier state left on it', () => {
    expect(
      nextChanceInMs(record({ state: 'CLOSED', openUntil: NOW + 3_000, probeLeaseUntil: NOW + 1_000 }), NOW),
    ).toBeUndefined();
  });
});
