import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_MS, withRun } from '../../../lib/resilience/breaker-run.js';
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
  planRefutation,
  rateAtRisk,
  tallyCall,
} from '../../../lib/resilience/breaker-tally.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({
  ...closedRecord('alpha-vantage'),
  ...fields,
});
/** A record whose run holds failures at these times. */
const withFailuresAt = (fields: Partial<BreakerRecord>, ...times: number[]) => withRun(record(fields), times);
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
    expect(tally('fw')).toMatchObject({ calls: 2, failures: 1, slowCalls: 1, runFailures: [NOW] });
    expect(tally('fw').successAt).toBeUndefined();
  });

  it('counts a failure that took long as both failed and slow', () => {
    const timedOut = tallyCall(EMPTY_TALLY, { failed: true, ms: 3_800, at: NOW }, options);
    expect(timedOut).toMatchObject({ calls: 1, failures: 1, slowCalls: 1 });
  });

  it('lets a fast success end the run it follows', () => {
    expect(tally('ffs')).toMatchObject({ failures: 2, runFailures: [], successAt: NOW + 2 });
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
    const run = withFailuresAt(inWindow(40, 2), NOW - 20, NOW - 10);
    const plan = planCount(run, tally('s'), { windowStart: NOW - 1_000, successes: 7 }, NOW, options);
    expect(plan).toMatchObject({
      window: { kind: 'add', start: NOW - 1_000 },
      calls: 8,
      failures: 0,
      run: { kind: 'replace', seen: [NOW - 20, NOW - 10], next: [] },
    });
    // The write answers with the run at 0: the next success has nothing to write.
    const after = applyPlan(run, plan ?? fail());
    expect(planCount(after, tally('s', NOW + 1), undefined, NOW + 1, options)).toBeNull();
  });

  it('does not end a failure recorded after its success by more than the clocks can disagree', () => {
    const later = withFailuresAt({}, NOW + CLOCK_TOLERANCE_MS + 1, NOW + CLOCK_TOLERANCE_MS + 2);
    expect(planCount(later, tally('s'), undefined, NOW, options)).toBeNull();
    // Within the tolerance the order is unknowable, and the doubt goes to the provider.
    const unordered = withFailuresAt({}, NOW + CLOCK_TOLERANCE_MS, NOW + CLOCK_TOLERANCE_MS + 1);
    expect(planCount(unordered, tally('s'), undefined, NOW, options)?.run).toEqual({
      kind: 'replace',
      seen: [NOW + CLOCK_TOLERANCE_MS, NOW + CLOCK_TOLERANCE_MS + 1],
      next: [NOW + CLOCK_TOLERANCE_MS + 1],
    });
  });

  it('leaves a lone failure standing: ending it would cost a write per failure', () => {
    expect(planCount(withFailuresAt({}, NOW - 10), tally('s'), undefined, NOW, options)).toBeNull();
    const threshold1 = { ...options, failureThreshold: 1 };
    expect(
      planCount(withFailuresAt({}, NOW - 10), tally('s'), undefined, NOW, threshold1)?.run,
    ).toMatchObject({
      kind: 'replace',
      next: [],
    });
  });

  it('keeps the failures its own container knows came after the success', () => {
    const run = withFailuresAt({}, NOW - 50, NOW + 10);
    const knownLater = (at: number) => at === NOW + 10;
    expect(planCount(run, tally('s'), undefined, NOW, options, knownLater)?.run).toEqual({
      kind: 'replace',
      seen: [NOW - 50, NOW + 10],
      next: [NOW + 10],
    });
  });

  it('flushes held successes when the window is within reach of a rate', () => {
    const nearTrip = inWindow(12, 5);
    expect(rateAtRisk(nearTrip, options)).toBe(true);
    expect(
      planCount(nearTrip, tally('s'), { windowStart: NOW - 1_000, successes: 30 }, NOW, options),
    ).toMatchObject({
      window: { kind: 'add' },
      calls: 31,
      run: { kind: 'append', failures: [] },
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
      run: { kind: 'append', failures: [NOW] },
    });
  });

  it('opens a window at a slow success, leaving the run alone', () => {
    expect(planCount(closedRecord('fmp'), tally('w'), undefined, NOW, options)).toMatchObject({
      window: { kind: 'restart' },
      calls: 1,
      failures: 0,
      slowCalls: 1,
      run: { kind: 'append', failures: [] },
    });
  });

  it('writes a failure and the retry that succeeded as one update that leaves no run', () => {
    const plan = planCount(closedRecord('fmp'), tally('fs'), undefined, NOW, options) ?? fail();
    expect(plan).toMatchObject({ calls: 2, failures: 1, run: { kind: 'append', failures: [] } });
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

describe('planRefutation', () => {
  it('removes the failures of a run that a success held in memory came after, conditional on the run seen', () => {
    const run = withFailuresAt({}, NOW - 300, NOW - 100, NOW + 1_000);
    expect(planRefutation(run, NOW, NOW + 1_200, () => false, options)).toEqual({
      now: NOW + 1_200,
      window: { kind: 'none' },
      calls: 0,
      failures: 0,
      slowCalls: 0,
      run: { kind: 'replace', seen: [NOW - 300, NOW - 100, NOW + 1_000], next: [NOW + 1_000] },
    });
  });

  it('writes nothing when the success ended none of the run, or the breaker is not closed', () => {
    expect(planRefutation(withFailuresAt({}, NOW + 1_000), NOW, NOW, () => false, options)).toBeNull();
    const open = withFailuresAt({ state: 'OPEN' }, NOW - 100);
    expect(planRefutation(open, NOW, NOW, () => false, options)).toBeNull();
  });
});

describe('couldTrip', () => {
  it('is true for the failure that completes the run, so it is written at once', () => {
    const four = withFailuresAt({}, NOW - 400, NOW - 300, NOW - 200, NOW - 100);
    expect(couldTrip(four, tally('f'), undefined, NOW, options)).toBe(true);
    const three = withFailuresAt({}, NOW - 300, NOW - 200, NOW - 100);
    expect(couldTrip(three, tally('f'), undefined, NOW, options)).toBe(false);
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
