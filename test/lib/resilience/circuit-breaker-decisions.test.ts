import { describe, expect, it } from 'vitest';
import { runConfirmMs } from '../../../lib/resilience/breaker-run.js';
import {
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
} from '../../../lib/resilience/breaker-state.js';
import type { BreakerPermit, CircuitBreaker } from '../../../lib/resilience/circuit-breaker.js';
import { FAULT, breakerContainer as setup } from './fake-breaker-store.js';

// The breaker's decisions from the outcomes its store gives, in memory: which writes it sends, what a
// caller is told, what it reports. Races are scripted on the fake store (a lost condition returns the
// record another container left); the store's own conditions run on DynamoDB Local in
// test/integration/circuit-breaker.test.ts. Default options: threshold 5, 1 s state cache, 60 s recovery.
const OPTIONS = DEFAULT_BREAKER_OPTIONS;

async function permitOf(breaker: CircuitBreaker): Promise<BreakerPermit> {
  const decision = await breaker.acquire('fmp');
  if (!decision.allowed) throw new Error(`refused: ${JSON.stringify(decision)}`);
  return decision.permit;
}

/** One request's use of the breaker: a permit, one call that took `ms` and succeeded or failed, released. */
async function oneCall(breaker: CircuitBreaker, outcome: 'success' | 'failure', ms: number): Promise<void> {
  const permit = await permitOf(breaker);
  if (outcome === 'success') await breaker.recordSuccess(permit, ms);
  else await breaker.recordFailure(permit, ms);
  await breaker.release(permit);
}

/**
 * This container holds a fast success; then, on its next fresh read, other containers' run of
 * threshold failures stamped a minute before that success (long enough ago to stand).
 */
async function successThenOldRun(world: ReturnType<typeof setup>): Promise<number[]> {
  await world.breaker.recordSuccess(await permitOf(world.breaker), 10);
  world.advance(OPTIONS.stateCacheMs);
  const run = Array.from({ length: OPTIONS.failureThreshold }, (_, i) => world.now() - 60_000 + i);
  world.stored({ runFailures: run, consecutiveFailures: run.length });
  return run;
}

/** A closed record with a run of threshold failures from 10 s before `now`: long enough to stand. */
function standingRun(now: number): BreakerRecord {
  const run = Array.from({ length: OPTIONS.failureThreshold }, (_, i) => now - 10_000 + i);
  return { ...closedRecord('fmp'), version: 2, runFailures: run, consecutiveFailures: run.length };
}

describe('a disabled breaker', () => {
  it('lets every call through and never touches the store', async () => {
    const { breaker, store } = setup({ ...OPTIONS, enabled: false });
    const permit = await permitOf(breaker);
    for (let i = 0; i < 10; i++) await breaker.recordFailure(permit);
    await breaker.release(permit);
    expect(await breaker.mayRetry(permit)).toBe(true);
    expect(await breaker.retryAfterSeconds(['fmp'])).toBeUndefined();
    expect(store.sent).toEqual([]);
  });
});

describe('reading the shared state', () => {
  it('reads every breaker once per state-cache period, one read shared by concurrent callers', async () => {
    const { breaker, store, advance } = setup();
    await Promise.all([breaker.acquire('fmp'), breaker.acquire('fmp'), breaker.acquire('finnhub')]);
    await breaker.acquire('fmp');
    expect(store.sent).toEqual(['readAll']);
    advance(OPTIONS.stateCacheMs);
    await breaker.acquire('fmp');
    expect(store.sent).toEqual(['readAll', 'readAll']);
  });

  it('fails open when the read fails, counts and logs it, and does not read again within the period', async () => {
    const { breaker, store, metrics, logger } = setup();
    store.script('readAll', { fault: FAULT });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true, permit: { kind: 'closed' } });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(store.sent).toEqual(['readAll']);
    expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
    expect(logger.warn).toHaveBeenCalledWith(
      'circuit breaker store failed; failing open',
      expect.objectContaining({ operation: 'read', error: `Error: ${FAULT.message}` }),
    );
  });

  it('logs a thrown non-Error as its text', async () => {
    const { breaker, store, logger } = setup();
    store.script('readAll', { fault: 'boom' as unknown as Error });
    await breaker.acquire('fmp');
    expect(logger.warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ error: 'boom' }));
  });
});

describe('an open breaker', () => {
  it('refuses calls until its probe time, and names that time for Retry-After', async () => {
    const { breaker, stored, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now() + 2_500, openCount: 1 });
    expect(await breaker.acquire('fmp')).toEqual({ allowed: false, state: 'OPEN', retryAfterMs: 2_500 });
    expect(await breaker.retryAfterSeconds(['fmp', 'finnhub'])).toBe(3);
  });

  it('lets one probe through after its timeout, and the winner reports OPEN→HALF_OPEN', async () => {
    const { breaker, store, stored, metrics, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
    const probe = await permitOf(breaker);
    expect(probe).toMatchObject({ kind: 'probe', version: 2, openCount: 1 });
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'HALF_OPEN');
    // The lease it won is in this container's view: the next call waits for the probe.
    expect(await breaker.acquire('fmp')).toEqual({
      allowed: false,
      state: 'HALF_OPEN',
      retryAfterMs: OPTIONS.probeLeaseMs,
    });
    expect(await breaker.mayRetry(probe)).toBe(false);
    expect(store.sent).toEqual(['readAll', 'beginHalfOpen']);
  });

  it('after a lost race: refused while the winner probes, allowed once it closed, refused when still claimable', async () => {
    const { breaker, store, stored, metrics, now, advance } = setup();
    const open = {
      ...closedRecord('fmp'),
      state: 'OPEN' as const,
      version: 1,
      openUntil: now(),
      openCount: 1,
    };
    stored(open);
    store.script('beginHalfOpen', {
      lose: { ...open, state: 'HALF_OPEN', version: 2, probeOwner: 'other', probeLeaseUntil: now() + 4_000 },
    });
    expect(await breaker.acquire('fmp')).toEqual({ allowed: false, state: 'HALF_OPEN', retryAfterMs: 4_000 });

    advance(OPTIONS.stateCacheMs);
    stored(open);
    store.script('beginHalfOpen', { lose: { ...closedRecord('fmp'), version: 3 } });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true, permit: { kind: 'closed' } });

    advance(OPTIONS.stateCacheMs);
    stored(open);
    store.script('beginHalfOpen', { lose: { ...open, version: 4, openUntil: now() } });
    expect(await breaker.acquire('fmp')).toEqual({
      allowed: false,
      state: 'HALF_OPEN',
      retryAfterMs: OPTIONS.probeLeaseMs,
    });
    expect(metrics.breakerTransition).not.toHaveBeenCalled();
  });

  it('fails open when the probe write fails', async () => {
    const { breaker, store, stored, metrics, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
    store.script('beginHalfOpen', { fault: FAULT });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true, permit: { kind: 'closed' } });
    expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
  });

  it('a forced-open breaker lets nothing through and schedules no retry', async () => {
    const { breaker, stored } = setup();
    stored({ state: 'OPEN', version: 1, forcedOpen: true });
    expect(await breaker.acquire('fmp')).toEqual({
      allowed: false,
      state: 'OPEN',
      retryAfterMs: OPTIONS.recoveryTimeoutMs,
    });
    expect(await breaker.retryAfterSeconds(['fmp'])).toBeUndefined();
  });
});

describe('probes', () => {
  it('close the breaker after the success threshold, each success freeing the lease for the next probe', async () => {
    const { breaker, store, stored, metrics, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
    await breaker.recordSuccess(await permitOf(breaker), 10);
    expect(store.current('fmp')).toMatchObject({ state: 'HALF_OPEN', halfOpenSuccesses: 1 });
    const second = await permitOf(breaker);
    expect(second.kind).toBe('probe');
    await breaker.recordSuccess(second, 10);
    expect(store.sent).toEqual([
      'readAll',
      'beginHalfOpen',
      'countProbeSuccess',
      'takeProbeLease',
      'countProbeSuccess',
      'close',
    ]);
    expect(metrics.breakerTransition.mock.calls).toEqual([
      ['fmp', 'HALF_OPEN'],
      ['fmp', 'CLOSED'],
    ]);
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true, permit: { kind: 'closed' } });
  });

  it.each(['failure', 'slow success'] as const)(
    'a probe ending in a %s re-opens the breaker with the timeout doubled',
    async (outcome) => {
      const { breaker, store, stored, metrics, now } = setup();
      stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
      const probe = await permitOf(breaker);
      if (outcome === 'failure') await breaker.recordFailure(probe, 10);
      else await breaker.recordSuccess(probe, OPTIONS.slowCallMs);
      expect(store.current('fmp')).toMatchObject({
        state: 'OPEN',
        openCount: 2,
        openUntil: now() + 2 * OPTIONS.recoveryTimeoutMs,
      });
      expect(metrics.breakerTransition).toHaveBeenLastCalledWith('fmp', 'OPEN');
      // A probe's result is written by itself: its release writes nothing more.
      const sent = store.sent.length;
      await breaker.release(probe);
      expect(store.sent).toHaveLength(sent);
    },
  );

  it('a probe whose lease another call took no longer speaks for the breaker', async () => {
    const { breaker, store, stored, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
    const probe = await permitOf(breaker);
    store.records.set('fmp', { ...store.current('fmp'), probeOwner: 'other' });
    await breaker.recordSuccess(probe, 10);
    expect(store.sent).not.toContain('close');
    expect(store.current('fmp')).toMatchObject({ state: 'HALF_OPEN', halfOpenSuccesses: 0 });
  });

  it.each([
    ['failure', 'open'],
    ['success', 'countProbeSuccess'],
  ] as const)(
    'a store fault while recording a probe %s (%s) is counted, not thrown',
    async (outcome, call) => {
      const { breaker, store, stored, metrics, logger, now } = setup();
      stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
      const probe = await permitOf(breaker);
      store.script(call, { fault: FAULT });
      if (outcome === 'failure') await breaker.recordFailure(probe);
      else await breaker.recordSuccess(probe, 10);
      expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
      expect(logger.warn).toHaveBeenCalledWith(
        expect.any(String),
        expect.objectContaining({ operation: `record-${outcome}` }),
      );
    },
  );
});

describe('consecutive failures', () => {
  it('write the run at once when it reaches the threshold, hold calls while it stands, then open', async () => {
    const { breaker, store, metrics, now, advance } = setup();
    const permit = await permitOf(breaker);
    for (let i = 0; i < OPTIONS.failureThreshold; i++) await breaker.recordFailure(permit, 10);
    // Four failures wait for the release; the fifth could open the breaker, so all five are written now.
    expect(store.sent).toEqual(['readAll', 'count']);
    expect(store.current('fmp').consecutiveFailures).toBe(OPTIONS.failureThreshold);
    expect(await breaker.mayRetry(permit)).toBe(false);
    const held = await breaker.acquire('fmp');
    expect(held).toMatchObject({ allowed: false, state: 'CLOSED' });
    expect(metrics.breakerTransition).not.toHaveBeenCalled();

    advance(runConfirmMs(OPTIONS));
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(store.current('fmp')).toMatchObject({
      state: 'OPEN',
      openCount: 1,
      openUntil: now() + OPTIONS.recoveryTimeoutMs,
    });
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'OPEN');
    // The permit is spent: its release writes nothing more.
    await breaker.release(permit);
    expect(store.sent.filter((write) => write === 'count')).toHaveLength(1);
  });

  it('a container that lost the race to open is refused, and the transition is not its to report', async () => {
    const { breaker, store, stored, metrics, now } = setup();
    stored(standingRun(now()));
    store.script('open', {
      lose: { ...closedRecord('fmp'), state: 'OPEN', version: 3, openUntil: now() + 60_000 },
    });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(metrics.breakerTransition).not.toHaveBeenCalled();
  });

  it('a failed open write fails open, counted', async () => {
    const { breaker, store, stored, metrics, now } = setup();
    stored(standingRun(now()));
    store.script('open', { fault: FAULT });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
  });

  it('a lost open race that left the run still standing refuses for one state-cache period', async () => {
    const { breaker, store, stored, now } = setup();
    const suspect = standingRun(now());
    stored(suspect);
    store.script('open', { lose: { ...suspect, version: 3 } });
    expect(await breaker.acquire('fmp')).toEqual({
      allowed: false,
      state: 'CLOSED',
      retryAfterMs: OPTIONS.stateCacheMs,
    });
  });

  it('are refuted by a success this container holds, in one write, so the run never opens the breaker', async () => {
    const world = setup();
    const { breaker, store, metrics, advance } = world;
    await successThenOldRun(world);
    advance(runConfirmMs(OPTIONS));
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(store.sent).toEqual(['readAll', 'readAll', 'count']);
    expect(store.current('fmp').consecutiveFailures).toBe(0);
    expect(metrics.breakerTransition).not.toHaveBeenCalled();
  });

  it('a refutation that fails is counted and the decision taken on the run as read', async () => {
    const world = setup();
    const { breaker, store, metrics } = world;
    await successThenOldRun(world);
    store.script('count', { fault: FAULT });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
  });

  it('a refutation that loses a race replans on the record it was shown', async () => {
    const world = setup();
    const { breaker, store } = world;
    const run = await successThenOldRun(world);
    store.script('count', {
      lose: { ...closedRecord('fmp'), version: 1, runFailures: run.slice(1), consecutiveFailures: 4 },
    });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(store.sent).toEqual(['readAll', 'readAll', 'count', 'count']);
    expect(store.current('fmp').consecutiveFailures).toBe(0);
  });

  it('a refutation that loses to a container that refuted the run already decides on that record, opening nothing', async () => {
    const world = setup();
    const { breaker, store } = world;
    await successThenOldRun(world);
    store.script('count', { lose: { ...closedRecord('fmp'), version: 1 } });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(store.sent).toEqual(['readAll', 'readAll', 'count']);
  });
});

describe('counting a closed permit', () => {
  it('opens the breaker at once when the written counts cross the failure rate', async () => {
    const { breaker, store, stored, metrics, logger, now } = setup();
    stored({ windowStart: now() - 1_000, windowCalls: 9, windowFailures: 4, windowSlowCalls: 0 });
    await breaker.recordFailure(await permitOf(breaker), 10);
    expect(store.sent).toEqual(['readAll', 'count', 'open']);
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'OPEN');
    expect(logger.info).toHaveBeenCalledWith(
      'circuit breaker state changed',
      expect.objectContaining({ from: 'CLOSED', to: 'OPEN', reason: 'failure rate threshold crossed' }),
    );
  });

  it('writes a lone failure when the permit is released, and a call cut short only when it was slow', async () => {
    const { breaker, store } = setup();
    const permit = await permitOf(breaker);
    await breaker.recordCutShort(permit, OPTIONS.slowCallMs - 1);
    await breaker.release(permit);
    expect(store.sent).toEqual(['readAll']);
    const slow = await permitOf(breaker);
    await breaker.recordCutShort(slow, OPTIONS.slowCallMs);
    expect(store.sent).toEqual(['readAll']);
    await breaker.release(slow);
    expect(store.sent).toEqual(['readAll', 'count']);
    expect(store.current('fmp')).toMatchObject({
      consecutiveFailures: 1,
      windowFailures: 1,
      windowSlowCalls: 1,
    });
  });

  it('replans after a lost race, and takes nothing once the breaker has moved on', async () => {
    const { breaker, store } = setup();
    store.script('count', { lose: { ...closedRecord('fmp'), version: 1 } });
    const permit = await permitOf(breaker);
    await breaker.recordFailure(permit);
    await breaker.release(permit);
    expect(store.sent).toEqual(['readAll', 'count', 'count']);

    const late = await permitOf(breaker);
    await breaker.recordFailure(late);
    store.script('count', { lose: { ...closedRecord('fmp'), state: 'OPEN', version: 2 } });
    await breaker.release(late);
    expect(store.sent).toEqual(['readAll', 'count', 'count', 'count']);
    expect(store.current('fmp').state).toBe('OPEN');
  });

  it('gives up after five lost races and reports it without throwing', async () => {
    const { breaker, store, metrics, logger } = setup();
    for (let version = 1; version <= 5; version++)
      store.script('count', { lose: { ...closedRecord('fmp'), version } });
    const permit = await permitOf(breaker);
    await breaker.recordFailure(permit);
    await breaker.release(permit);
    expect(store.sent.filter((write) => write === 'count')).toHaveLength(5);
    expect(metrics.breakerStoreError).toHaveBeenCalledWith('fmp');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ operation: 'count' }),
    );
  });

  it('writes nothing for a healthy permit', async () => {
    const { breaker, store } = setup();
    const permit = await permitOf(breaker);
    await breaker.recordSuccess(permit, 10);
    await breaker.recordSuccess(permit, 10);
    await breaker.release(permit);
    await breaker.release(permit);
    expect(store.sent).toEqual(['readAll']);
  });
});

describe('retrying under a closed permit', () => {
  it('is allowed while the view shows the breaker closed without a suspect run, and when it cannot be read', async () => {
    const { breaker, store, stored, now, advance } = setup();
    const permit = await permitOf(breaker);
    expect(await breaker.mayRetry(permit)).toBe(true);
    advance(OPTIONS.stateCacheMs);
    stored({ state: 'OPEN', version: 1, openUntil: now() + 60_000 });
    expect(await breaker.mayRetry(permit)).toBe(false);
    advance(OPTIONS.stateCacheMs);
    store.script('readAll', { fault: FAULT });
    expect(await breaker.mayRetry(permit)).toBe(true);
  });
});

describe('Retry-After', () => {
  it('Retry-After is the earliest chance among the breakers, at least a second; none when unreadable', async () => {
    const { breaker, store, stored, metrics, now, advance } = setup();
    // fmp's probe lease ends this very millisecond: still a second, never `Retry-After: 0`.
    stored({ state: 'HALF_OPEN', version: 2, probeOwner: 'p', probeLeaseUntil: now() });
    store.records.set('finnhub', {
      ...closedRecord('finnhub'),
      state: 'OPEN',
      version: 1,
      openUntil: now() + 8_200,
    });
    expect(await breaker.retryAfterSeconds(['finnhub'])).toBe(9);
    expect(await breaker.retryAfterSeconds(['fmp', 'finnhub', 'tiingo'])).toBe(1);
    expect(await breaker.retryAfterSeconds(['tiingo'])).toBeUndefined();
    advance(OPTIONS.stateCacheMs);
    store.script('readAll', { fault: FAULT });
    expect(await breaker.retryAfterSeconds(['fmp', 'finnhub'])).toBeUndefined();
    expect(metrics.breakerStoreError.mock.calls).toEqual([['fmp'], ['finnhub']]);
  });
});

describe("this container's evidence", () => {
  it('a held success with no run to refute writes nothing on a fresh read', async () => {
    const { breaker, store, advance } = setup();
    await oneCall(breaker, 'success', 10);
    advance(OPTIONS.stateCacheMs);
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    expect(store.sent).toEqual(['readAll', 'readAll']);
  });

  it('a slow success is no evidence of health: it refutes nothing, and counts as a slow call', async () => {
    const { breaker, store, stored, now, advance } = setup();
    await oneCall(breaker, 'success', OPTIONS.slowCallMs);
    expect(store.current('fmp')).toMatchObject({ windowCalls: 1, windowSlowCalls: 1, windowFailures: 0 });
    advance(OPTIONS.stateCacheMs);
    const run = Array.from({ length: OPTIONS.failureThreshold }, (_, i) => now() - 60_000 + i);
    stored({ ...store.current('fmp'), runFailures: run, consecutiveFailures: run.length });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
  });

  it("its own failures after its success are not refuted by that success, however close their clocks' times", async () => {
    const { breaker, store, metrics, advance } = setup();
    const permit = await permitOf(breaker);
    await breaker.recordSuccess(permit, 10);
    // Within the clock tolerance of the success: from another container they could not be ordered.
    for (let i = 0; i < OPTIONS.failureThreshold; i++) {
      advance(10);
      await breaker.recordFailure(permit, 10);
    }
    expect(store.current('fmp').consecutiveFailures).toBe(OPTIONS.failureThreshold);
    advance(runConfirmMs(OPTIONS));
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'OPEN');
  });

  it("a failure's write carries the container's latest success, ending the earlier run in the same write", async () => {
    const { breaker, store, stored, now } = setup();
    stored({ version: 1, runFailures: [now() - 10_000], consecutiveFailures: 1 });
    await oneCall(breaker, 'success', 10);
    // A run of one is not worth a write of its own.
    expect(store.sent).toEqual(['readAll']);
    await oneCall(breaker, 'failure', 10);
    expect(store.sent).toEqual(['readAll', 'count']);
    const { runFailures } = store.current('fmp');
    expect(runFailures).toHaveLength(1);
    expect(runFailures[0]).toBeGreaterThanOrEqual(now());
  });

  it('a success that ends a run of two is written when its permit is released, opening nothing', async () => {
    const { breaker, store, stored, now } = setup();
    stored({ version: 1, runFailures: [now() - 10_000, now() - 9_000], consecutiveFailures: 2 });
    await oneCall(breaker, 'success', 10);
    expect(store.sent).toEqual(['readAll', 'count']);
    expect(store.current('fmp')).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
  });

  it('successes held in a current window go into the next write of that window', async () => {
    const { breaker, store, stored, now } = setup();
    stored({ version: 1, windowStart: now() - 1_000, windowCalls: 1, windowFailures: 1 });
    await oneCall(breaker, 'success', 10);
    expect(store.sent).toEqual(['readAll']);
    await oneCall(breaker, 'failure', 10);
    expect(store.current('fmp')).toMatchObject({ windowCalls: 3, windowFailures: 2 });
  });

  it('outcomes are still counted while the state cannot be read', async () => {
    const { breaker, store, metrics } = setup();
    store.script('readAll', { fault: FAULT });
    await oneCall(breaker, 'failure', 10);
    expect(store.sent).toEqual(['readAll', 'count']);
    expect(store.current('fmp').consecutiveFailures).toBe(1);
    // The failed read is the one fault: the count's write went through.
    expect(metrics.breakerStoreError).toHaveBeenCalledTimes(1);
  });

  it('a refutation that keeps losing races gives up after five rounds and decides on the last record shown', async () => {
    const world = setup();
    const { breaker, store } = world;
    await successThenOldRun(world);
    const suspect = store.current('fmp');
    for (let version = 1; version <= 5; version++) store.script('count', { lose: { ...suspect, version } });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(store.sent).toEqual(['readAll', 'readAll', 'count', 'count', 'count', 'count', 'count', 'open']);
  });
});

describe("this container's view", () => {
  it('keeps the later record when a lost race shows an earlier one (replies resolve out of order)', async () => {
    const { breaker, store, stored, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now(), openCount: 1 });
    const probe = await permitOf(breaker);
    store.script('countProbeSuccess', {
      lose: { ...closedRecord('fmp'), state: 'OPEN', version: 1, openUntil: now() + 60_000, openCount: 1 },
    });
    await breaker.recordSuccess(probe, 10);
    // The view still holds version 2, HALF_OPEN under this container's lease.
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'HALF_OPEN' });
  });
});
