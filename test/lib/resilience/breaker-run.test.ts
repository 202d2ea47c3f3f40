import { describe, expect, it } from 'vitest';
import {
  CLOCK_TOLERANCE_MS,
  endedBy,
  runConfirmMs,
  runStandsAt,
  suspectSince,
  withRun,
} from '../../../lib/resilience/breaker-run.js';
import { admit, closedRecord, DEFAULT_BREAKER_OPTIONS } from '../../../lib/resilience/breaker-state.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
/** A closed breaker whose run holds failures at these times, in the order they were applied. */
const run = (...times: number[]) => withRun(closedRecord('alpha-vantage'), times);
const fiveFailures = run(NOW - 40, NOW - 30, NOW - 20, NOW - 10, NOW);

describe('a suspect run', () => {
  it('is suspect from the failure that brought it to the threshold, not before', () => {
    expect(suspectSince(run(NOW - 30, NOW - 20, NOW - 10, NOW), options)).toBeUndefined();
    expect(suspectSince(fiveFailures, options)).toBe(NOW);
    expect(suspectSince(withRun(fiveFailures, [...fiveFailures.runFailures, NOW + 50]), options)).toBe(NOW);
  });

  it('holds calls until it has stood for the confirmation time, then offers the race to open', () => {
    const standsAt = NOW + runConfirmMs(options);
    expect(runStandsAt(NOW, options)).toBe(standsAt);
    expect(runStandsAt(NOW + 0.7, options)).toBe(standsAt);
    expect(admit(fiveFailures, NOW + 1, options)).toEqual({
      kind: 'reject',
      state: 'CLOSED',
      retryAfterMs: standsAt - NOW - 1,
    });
    expect(admit(fiveFailures, standsAt, options)).toEqual({ kind: 'try-open', failedAt: NOW });
    expect(admit(run(NOW), standsAt, options)).toEqual({ kind: 'allow' });
  });

  it('waits long enough for a container holding an earlier success to read it and refute it', () => {
    // Its view can be a cache period old, it reads at its next request (one a cache period later at
    // most while it serves), and the clocks that stamped and judge the run may disagree.
    expect(runConfirmMs(options)).toBe(2 * options.stateCacheMs + CLOCK_TOLERANCE_MS);
    expect(runConfirmMs({ stateCacheMs: 0 })).toBe(CLOCK_TOLERANCE_MS);
  });

  it('stands 2.4 s under the default settings, as the configuration documents', () => {
    expect(runConfirmMs(DEFAULT_BREAKER_OPTIONS)).toBe(2_400);
  });
});

describe('endedBy', () => {
  it('ends failures up to the clock tolerance after the success, except those known to be later', () => {
    expect(endedBy(NOW + CLOCK_TOLERANCE_MS, NOW, () => false)).toBe(true);
    expect(endedBy(NOW + CLOCK_TOLERANCE_MS + 1, NOW, () => false)).toBe(false);
    expect(endedBy(NOW + 1, NOW, () => true)).toBe(false);
  });
});
