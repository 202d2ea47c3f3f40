import { describe, expect, it } from 'vitest';
import {
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import {
  applyPlan,
  badCallsToTrip,
  type CallTally,
  couldTrip,
  EMPTY_TALLY,
  holdSuccesses,
  planCount,
  rateAtRisk,
  tallyCall,
} from '../../../lib/resilience/breaker-tally.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({
  ...closedRecord('alpha-vantage'),
  ...fields,
});
const FAST = 200;
const SLOW = options.slowCallMs;

/** A permit's tally after calls `f` (failed), `s` (fast success) and `w` (slow success), in order. */
function tally(calls: string, at = NOW): CallTally {
  return [...calls].reduce(
    (sum, call, i) =>
      tallyCall(sum, { failed: call === 'f', ms: call === 'w' ? SLOW : FAST, at: at + i }, options),
    EMPTY_TALLY,
  );
}

/** A current window with these counts. */
const inWindow = (calls: number, failures: number, slowCalls = 0) =>
  record({
    windowStart: NOW - 1_000,
    windowCalls: calls,
    windowFailures: failures,
    windowSlowCalls: slowCalls,
  });

describe('tallyCall', () => {
  it('counts a slow success as slow, without ending or extending a run of failures', () => {
    expect(tally('fw')).toMatchObject({ calls: 2, failures: 1, slowCalls: 1, failuresSinceSuccess: 1 });
    expect(tally('fw').successAt).toBeUndefined();
  });

  it('counts a failure that took long as both failed and slow', () => {
    const timedOut = tallyCall(EMPTY_TALLY, { failed: true, ms: 3_800, at: NOW }, options);
    expect(timedOut).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
  });

  it('lets a fast success end the run it follows', () => {
    expect(tally('ffs')).toMatchObject({ failures: 2, failuresSinceSuccess: 0, successAt: NOW + 2 });
  });
});

describe('planCount: the healthy path', () => {
  it('writes nothing for successes with no failure on record', () => {
    expect(planCount(closedRecord('fmp'), tally('s'), undefined, NOW, options)).toBeNull();
  });

  it('holds successes in a window far from its thresholds instead of writing them', () => {
    const window = inWindow(40, 2);
    expect(
      planCount(window, tally('s'), { windowStart: NOW - 1_000, successes: 7 }, NOW, options),
    ).toBeNull();
    expect(
      holdSuccesses(window, tally('s'), { windowStart: NOW - 1_000, successes: 7 }, NOW, options),
    ).toEqual({
      windowStart: NOW - 1_000,
      successes: 8,
    });
  });

  it('holds nothing outside a window and drops what was held for an earlier one', () => {
    expect(holdSuccesses(closedRecord('fmp'), tally('s'), undefined, NOW, options)).toBeUndefined();
    const held = { windowStart: NOW - 5_000, successes: 9 };
    expect(holdSuccesses(inWindow(40, 2), tally('s'), held, NOW, options)?.successes).toBe(1);
  });

  it('writes once to end a run of failures on record, with what it holds', () => {
    const run = record({ ...inWindow(40, 2), consecutiveFailures: 2, lastFailureAt: NOW - 10 });
    const plan = planCount(run, tally('s'), { windowStart: NOW - 1_000, successes: 7 }, NOW, options);
    expect(plan).toMatchObject({
      window: { kind: 'add', start: NOW - 1_000 },
      calls: 8,
      failures: 0,
      run: { kind: 'set', value: 0, ifNoFailureAfter: NOW },
    });
    // The write answers with the run at 0: the next success has nothing to write.
    const after = applyPlan(run, plan ?? fail());
    expect(planCount(after, tally('s', NOW + 1), undefined, NOW + 1, options)).toBeNull();
  });

  it('does not end a run with a failure recorded after its success', () => {
    const run = record({ consecutiveFailures: 1, lastFailureAt: NOW + 5 });
    expect(planCount(run, tally('s'), undefined, NOW, options)).toBeNull();
  });

  it('flushes held successes when the window is within reach of a rate', () => {
    const nearTrip = inWindow(12, 5);
    expect(rateAtRisk(nearTrip, options)).toBe(true);
    expect(
      planCount(nearTrip, tally('s'), { windowStart: NOW - 1_000, successes: 30 }, NOW, options),
    ).toMatchObject({
      window: { kind: 'add' },
      calls: 31,
      run: { kind: 'add', value: 0 },
    });
  });
});

describe('planCount: failures and slow calls', () => {
  it('opens a window at the first failure, with the failure in the run', () => {
    expect(planCount(closedRecord('fmp'), tally('f'), undefined, NOW, options)).toEqual({
      now: NOW,
      window: { kind: 'restart', lapsedAt: NOW - options.windowMs },
      calls: 1,
      failures: 1,
      slowCalls: 0,
      run: { kind: 'add', value: 1 },
    });
  });

  it('opens a window at a slow success, leaving the run alone', () => {
    expect(planCount(closedRecord('fmp'), tally('w'), undefined, NOW, options)).toMatchObject({
      window: { kind: 'restart' },
      calls: 1,
      failures: 0,
      slowCalls: 1,
      run: { kind: 'add', value: 0 },
    });
  });

  it('writes a failure and the retry that succeeded as one update that leaves no run', () => {
    const plan = planCount(closedRecord('fmp'), tally('fs'), undefined, NOW, options) ?? fail();
    expect(plan).toMatchObject({ calls: 2, failures: 1, run: { kind: 'set', value: 0 } });
    expect(applyPlan(closedRecord('fmp'), plan)).toMatchObject({
      consecutiveFailures: 0,
      windowCalls: 2,
      windowFailures: 1,
      lastFailureAt: undefined,
    });
  });

  it('adds held successes to the current window with the failure, and not to a new one', () => {
    const held = { windowStart: NOW - 1_000, successes: 50 };
    expect(planCount(inWindow(60, 1), tally('f'), held, NOW, options)).toMatchObject({ calls: 51 });
    const lapsed = record({ windowStart: NOW - options.windowMs, windowCalls: 60, windowFailures: 1 });
    expect(planCount(lapsed, tally('f'), held, NOW, options)).toMatchObject({
      window: { kind: 'restart' },
      calls: 1,
    });
  });
});

describe('couldTrip', () => {
  it('is true for the failure that completes the run, so it is written at once', () => {
    const four = record({ consecutiveFailures: 4, lastFailureAt: NOW - 100 });
    expect(couldTrip(four, tally('f'), undefined, NOW, options)).toBe(true);
    expect(couldTrip(record({ consecutiveFailures: 3 }), tally('f'), undefined, NOW, options)).toBe(false);
  });

  it('is true for the slow call that brings the slow-call rate to its threshold', () => {
    expect(couldTrip(inWindow(9, 0, 4), tally('w'), undefined, NOW, options)).toBe(true);
    expect(couldTrip(inWindow(9, 0, 3), tally('w'), undefined, NOW, options)).toBe(false);
  });

  it('is never true for successes', () => {
    expect(couldTrip(inWindow(9, 9), tally('s'), undefined, NOW, options)).toBe(false);
  });
});

describe('badCallsToTrip', () => {
  it('needs the minimum calls and the rate', () => {
    expect(badCallsToTrip(1, 1, 0.5, 10)).toBe(9);
    expect(badCallsToTrip(5, 12, 0.5, 10)).toBe(2);
    expect(badCallsToTrip(6, 10, 0.5, 10)).toBe(1);
  });

  it('is infinite for a rate of 1 once a good call is on record', () => {
    expect(badCallsToTrip(3, 4, 1, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(badCallsToTrip(4, 4, 1, 10)).toBe(6);
  });
});

function fail(): never {
  throw new Error('expected a plan');
}
