import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_MS, suspectSince, withRun } from '../../../lib/resilience/breaker-run.js';
import {
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import { EMPTY_TALLY, planCount, planRefutation } from '../../../lib/resilience/breaker-tally.js';

// The edges of a success's refutation of a run, and of a run's suspicion, that the breaker's
// main tests (breaker-run, breaker-tally) do not reach.
const NOW = Date.UTC(2026, 5, 1, 15);
const options = DEFAULT_BREAKER_OPTIONS;
const run = (...failures: number[]) => withRun(closedRecord('fmp'), failures);
const neverLater = () => false;

describe('suspectSince', () => {
  it('is the failure that brought a closed run to the threshold', () => {
    const failures = Array.from({ length: options.failureThreshold }, (_, i) => NOW - 1_000 + i);
    expect(suspectSince(run(...failures), options)).toBe(failures.at(-1));
    expect(suspectSince(run(...failures.slice(1)), options)).toBeUndefined();
  });

  it('is undefined on a breaker that is not closed, whatever run it still shows', () => {
    const failures = Array.from({ length: options.failureThreshold }, (_, i) => NOW + i);
    for (const state of ['OPEN', 'HALF_OPEN'] as const) {
      const record: BreakerRecord = { ...run(...failures), state };
      expect(suspectSince(record, options), state).toBeUndefined();
    }
  });
});

describe('planCount', () => {
  it('plans nothing for a tally with no call', () => {
    expect(planCount(run(NOW - 10, NOW - 5), EMPTY_TALLY, undefined, NOW, options)).toBeNull();
  });
});

describe('planRefutation', () => {
  it('ends the failures a later success refutes, in a write of the run alone', () => {
    const plan = planRefutation(run(NOW - 20, NOW - 10), NOW, NOW, neverLater, options);
    expect(plan).toEqual({
      now: NOW,
      window: { kind: 'none' },
      calls: 0,
      failures: 0,
      slowCalls: 0,
      run: { kind: 'replace', seen: [NOW - 20, NOW - 10], next: [] },
    });
  });

  it('writes nothing for a lone failure, which is not worth a write', () => {
    expect(planRefutation(run(NOW - 10), NOW, NOW, neverLater, options)).toBeNull();
  });

  it('writes nothing when the success ended none of the run (every failure came after it)', () => {
    const later = NOW + CLOCK_TOLERANCE_MS + 1;
    expect(planRefutation(run(later, later + 1), NOW, NOW, neverLater, options)).toBeNull();
    // Failures the container knows came later are not ended either, whatever their clocks say.
    expect(planRefutation(run(NOW - 20, NOW - 10), NOW, NOW, () => true, options)).toBeNull();
  });

  it('writes nothing on a breaker that is not closed', () => {
    const open: BreakerRecord = { ...run(NOW - 20, NOW - 10), state: 'OPEN' };
    expect(planRefutation(open, NOW, NOW, neverLater, options)).toBeNull();
  });
});
