import { describe, expect, it } from 'vitest';
import { withRun } from '../../../lib/resilience/breaker-run.js';
import {
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import {
  applyPlan,
  type CallTally,
  EMPTY_TALLY,
  planCount,
  RATE_RISK_MARGIN,
  rateAtRisk,
  tallyCall,
} from '../../../lib/resilience/breaker-tally.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({ ...closedRecord('fmp'), ...fields });
/** A window that lapsed a second ago, its counts still on the record. */
const LAPSED = NOW - options.windowMs - 1_000;
const success: CallTally = tallyCall(EMPTY_TALLY, { failed: false, ms: 10, at: NOW }, options);

describe('planCount outside a current window', () => {
  it('writes nothing for successes beside the stale counts of a lapsed window, however near a rate they were', () => {
    const stale = record({ windowStart: LAPSED, windowCalls: 21, windowFailures: 10 });
    expect(rateAtRisk(stale, options)).toBe(true);
    expect(planCount(stale, success, undefined, NOW, options)).toBeNull();
  });

  it('ends a run of failures without touching the lapsed window, counting no calls into it', () => {
    const run = withRun(record({ windowStart: LAPSED, windowCalls: 21, windowFailures: 10 }), [
      NOW - 20,
      NOW - 10,
    ]);
    expect(planCount(run, success, undefined, NOW, options)).toEqual({
      now: NOW,
      window: { kind: 'none' },
      calls: 0,
      failures: 0,
      slowCalls: 0,
      run: { kind: 'replace', seen: [NOW - 20, NOW - 10], next: [] },
    });
  });

  it('writes nothing for a tally of no calls, even on a window at risk', () => {
    const atRisk = record({ windowStart: NOW - 1_000, windowCalls: 21, windowFailures: 10 });
    expect(rateAtRisk(atRisk, options)).toBe(true);
    expect(planCount(atRisk, EMPTY_TALLY, undefined, NOW, options)).toBeNull();
  });
});

describe('applyPlan', () => {
  const before = record({ windowStart: NOW - 5_000, windowCalls: 9, windowFailures: 2, windowSlowCalls: 1 });

  it('starts the window at the write when the plan restarts it, with only the plan’s counts', () => {
    const after = applyPlan(before, {
      now: NOW,
      window: { kind: 'restart', lapsedAt: NOW - options.windowMs },
      calls: 1,
      failures: 1,
      slowCalls: 0,
      run: { kind: 'append', failures: [NOW] },
    });
    expect(after).toMatchObject({
      windowStart: NOW,
      windowCalls: 1,
      windowFailures: 1,
      windowSlowCalls: 0,
      updatedAt: NOW,
    });
  });

  it('leaves the window as it was when the plan does not touch it', () => {
    const after = applyPlan(before, {
      now: NOW,
      window: { kind: 'none' },
      calls: 0,
      failures: 0,
      slowCalls: 0,
      run: { kind: 'append', failures: [] },
    });
    expect(after).toMatchObject({
      windowStart: NOW - 5_000,
      windowCalls: 9,
      windowFailures: 2,
      windowSlowCalls: 1,
    });
  });
});

describe('rateAtRisk', () => {
  it(`counts a window exactly ${RATE_RISK_MARGIN} failures from its failure rate as at risk, and 6 as not`, () => {
    // 50 %: 8 failures in 21 calls need 5 more (13 of 26); 7 in 21 need 7 more.
    expect(options.failureRateThreshold).toBe(0.5);
    expect(rateAtRisk(record({ windowStart: NOW, windowCalls: 21, windowFailures: 8 }), options)).toBe(true);
    expect(rateAtRisk(record({ windowStart: NOW, windowCalls: 21, windowFailures: 7 }), options)).toBe(false);
  });
});
