import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FailureKind, ProviderFailure, ProviderResult } from '../../../lib/providers/provider.js';
import { PROVIDER_RETRY_POLICY } from '../../../lib/providers/provider-health.js';
import { workDueBy } from '../../../lib/resilience/request-end.js';
import { DEFAULT_RETRY, type RetryOptions, retry } from '../../../lib/resilience/retry.js';

/** A clock the test owns: `sleep` records each wait and moves the clock by it, so no time really passes. */
function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

const fail = (kind: FailureKind, retryAfterSeconds?: number): ProviderResult<never> => ({
  ok: false,
  failure:
    retryAfterSeconds === undefined
      ? { kind, detail: `simulated ${kind}` }
      : { kind, detail: `simulated ${kind}`, retryAfterSeconds },
});

type Options = RetryOptions<ProviderResult<unknown>>;

/**
 * Options over a fake clock: the providers' retry policy, 3 attempts, 1 s base, 60 s cap, full
 * jitter; no end but the request's (none outside one: `workDueBy` sets it).
 */
function optionsOn(clock: ReturnType<typeof fakeClock>, overrides: Partial<Options> = {}): Options {
  return {
    ...PROVIDER_RETRY_POLICY,
    ...DEFAULT_RETRY,
    attemptTimeoutMs: 5_000,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...overrides,
  };
}

/** An operation answering from a script, one result per attempt, each taking `ms` of fake time. */
function scripted<T>(clock: ReturnType<typeof fakeClock>, results: ProviderResult<T>[], ms = 100) {
  const calls: { attempt: number; timeoutMs: number }[] = [];
  const operation = vi.fn(async ({ attempt, timeoutMs }: { attempt: number; timeoutMs: number }) => {
    calls.push({ attempt, timeoutMs });
    clock.advance(ms);
    const result = results[attempt - 1];
    if (!result) throw new Error(`no scripted result for attempt ${attempt}`);
    return result;
  });
  return { operation, calls };
}

const ALWAYS_NETWORK = Array.from({ length: 10 }, () => fail('network'));

afterEach(() => {
  vi.useRealTimers();
});

describe('retry', () => {
  it('returns the first success without sleeping', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [{ ok: true, value: 42 }]);
    const result = await retry(operation, optionsOn(clock));
    expect(result).toEqual({ ok: true, value: 42, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('succeeds after transient failures', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [
      fail('network'),
      fail('upstream_error'),
      { ok: true, value: 'ok' },
    ]);
    expect(await retry(operation, optionsOn(clock))).toEqual({ ok: true, value: 'ok', attempts: 3 });
  });

  it('draws full-jitter delays from the random source within [0, min(cap, base·2^n)]', async () => {
    const draws = [0.25, 0.75, 0, 0.999999];
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK);
    const random = vi.fn(() => draws.shift() ?? 0);
    await retry(operation, optionsOn(clock, { maxAttempts: 5, random }));
    expect(random).toHaveBeenCalledTimes(4);
    // Ceilings 1 s, 2 s, 4 s, 8 s: each delay is its draw times its ceiling.
    expect(clock.sleeps).toEqual([250, 1_500, 0, 8_000 * 0.999999]);
    [1_000, 2_000, 4_000, 8_000].forEach((ceiling, n) => {
      expect(clock.sleeps[n]).toBeGreaterThanOrEqual(0);
      expect(clock.sleeps[n]).toBeLessThanOrEqual(ceiling);
    });
  });

  it('keeps equal-jitter delays in the upper half of the ceiling', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK);
    await retry(operation, optionsOn(clock, { maxAttempts: 3, jitter: 'equal', random: () => 0 }));
    expect(clock.sleeps).toEqual([500, 1_000]);
  });

  it('caps delays at maxDelayMs', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK);
    await retry(operation, optionsOn(clock, { maxAttempts: 6, jitter: 'none', maxDelayMs: 3_000 }));
    expect(clock.sleeps).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it('stops at maxAttempts and returns the last failure', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [fail('network'), fail('timeout'), fail('upstream_error')]);
    const result = await retry(operation, optionsOn(clock));
    expect(operation).toHaveBeenCalledTimes(3);
    expect(result).toEqual({ ...fail('upstream_error'), attempts: 3 });
    expect(clock.sleeps).toHaveLength(2);
  });

  it.each([
    'invalid_key',
    'plan_restricted',
    'unknown_symbol',
    'bad_data',
    'quota_exhausted',
    'no_key',
  ] as const)('does not retry %s', async (kind) => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [fail(kind, 30), { ok: true, value: 1 }]);
    const result = await retry(operation, optionsOn(clock));
    expect(result).toEqual({ ...fail(kind, 30), attempts: 1 });
    expect(operation).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('honours a Retry-After longer than the backoff exactly', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [fail('throttled', 7), { ok: true, value: 1 }]);
    const result = await retry(operation, optionsOn(clock));
    expect(clock.sleeps).toEqual([7_000]);
    expect(result).toEqual({ ok: true, value: 1, attempts: 2 });
  });

  it('keeps the backoff when it is longer than Retry-After', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [fail('throttled', 0), { ok: true, value: 1 }]);
    await retry(operation, optionsOn(clock, { jitter: 'none' }));
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('backs off on its own schedule for a policy without a retry-after hook', async () => {
    const clock = fakeClock();
    const { retryAfterMs: _, ...withoutHook } = optionsOn(clock, { jitter: 'none' });
    // The result asks for 7 s, but only a policy's hook reads a result's retry-after.
    const { operation } = scripted(clock, [fail('throttled', 7), fail('network'), { ok: true, value: 1 }]);
    const result = await retry(operation, withoutHook);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(result).toEqual({ ok: true, value: 1, attempts: 3 });
  });

  it('stops without sleeping when Retry-After would pass the deadline', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [fail('throttled', 10), { ok: true, value: 1 }]);
    const result = await workDueBy(clock.now() + 5_000, () => retry(operation, optionsOn(clock)));
    expect(result).toEqual({ ...fail('throttled', 10), attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('stops when the backoff would leave less than minAttemptMs before the deadline', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK, 100);
    // After the first attempt 1 900 ms are left: the 1 000 ms backoff + 1 000 ms minimum do not fit.
    const result = await workDueBy(clock.now() + 2_000, () =>
      retry(operation, optionsOn(clock, { jitter: 'none', minAttemptMs: 1_000 })),
    );
    expect(result.attempts).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('starts no attempt when less than minAttemptMs is left', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK);
    const result = await workDueBy(clock.now() + 249, () => retry(operation, optionsOn(clock)));
    expect(operation).not.toHaveBeenCalled();
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'timeout', detail: 'deadline reached before the first attempt' },
      attempts: 0,
    });
  });

  it('returns the last failure when a sleep overran and too little time is left', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, ALWAYS_NETWORK);
    // Timers can fire late: this 1 s sleep ends at 2.8 s, leaving 200 ms, under the 250 ms minimum.
    const lateSleep = async (ms: number) => clock.advance(ms + 1_700);
    const result = await workDueBy(clock.now() + 3_000, () =>
      retry(operation, optionsOn(clock, { jitter: 'none', sleep: lateSleep })),
    );
    expect(operation).toHaveBeenCalledTimes(1);
    expect(result).toEqual({ ...fail('network'), attempts: 1 });
  });

  it('shrinks attempt timeouts to the time left before the deadline', async () => {
    const clock = fakeClock();
    const { operation, calls } = scripted(clock, ALWAYS_NETWORK, 4_000);
    await workDueBy(clock.now() + 8_000, () =>
      retry(operation, optionsOn(clock, { attemptTimeoutMs: 5_000, jitter: 'none' })),
    );
    // A 4 s attempt and a 1 s sleep leave 3 s of the 8 s for the second attempt; then time is up.
    expect(calls).toEqual([
      { attempt: 1, timeoutMs: 5_000 },
      { attempt: 2, timeoutMs: 3_000 },
    ]);
  });

  it.each([
    { sooner: "its share's end", workEndMs: 60_000, shareEndMs: 8_000 },
    { sooner: "the request's provider work end", workEndMs: 8_000, shareEndMs: 60_000 },
  ])('ends by the sooner of its share and the request, here $sooner', async ({ workEndMs, shareEndMs }) => {
    const clock = fakeClock();
    const { operation, calls } = scripted(clock, ALWAYS_NETWORK, 4_000);
    const shareEnd = clock.now() + shareEndMs;
    await workDueBy(clock.now() + workEndMs, () =>
      retry(operation, optionsOn(clock, { attemptTimeoutMs: 5_000, jitter: 'none', shareEnd })),
    );
    // Of the sooner 8 s: a 4 s attempt and a 1 s sleep leave 3 s for the second attempt.
    expect(calls).toEqual([
      { attempt: 1, timeoutMs: 5_000 },
      { attempt: 2, timeoutMs: 3_000 },
    ]);
  });

  it('wraps synchronous operations', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await retry((): ProviderResult<string> => {
      calls += 1;
      return calls < 2 ? fail('timeout') : { ok: true, value: 'sync' };
    }, optionsOn(clock));
    expect(result).toEqual({ ok: true, value: 'sync', attempts: 2 });
  });

  it('rethrows an operation’s exception unchanged and stops', async () => {
    const clock = fakeClock();
    const bug = new TypeError('cannot read properties of undefined');
    const onAttempt = vi.fn();
    const operation = vi.fn(() => {
      throw bug;
    });
    await expect(retry(operation, optionsOn(clock, { onAttempt }))).rejects.toBe(bug);
    expect(operation).toHaveBeenCalledTimes(1);
    expect(onAttempt).not.toHaveBeenCalled();
  });

  it('reports every attempt to onAttempt, awaiting it before going on', async () => {
    const clock = fakeClock();
    const { operation } = scripted(
      clock,
      [fail('network'), fail('throttled', 2), { ok: true, value: 7 }],
      120,
    );
    const seen: { attempt: number; result: ProviderResult<unknown>; ms: number }[] = [];
    const onAttempt = async (outcome: (typeof seen)[number]) => {
      await Promise.resolve();
      seen.push(outcome);
    };
    await retry(operation, optionsOn(clock, { onAttempt }));
    expect(seen).toEqual([
      { attempt: 1, result: fail('network'), ms: 120 },
      { attempt: 2, result: fail('throttled', 2), ms: 120 },
      { attempt: 3, result: { ok: true, value: 7 }, ms: 120 },
    ]);
  });

  it('asks mayRetry after each wait and stops with the last failure when it says no', async () => {
    const clock = fakeClock();
    const { operation, calls } = scripted(clock, ALWAYS_NETWORK);
    const asked: number[] = [];
    const mayRetry = async () => {
      asked.push(clock.sleeps.length);
      return asked.length < 2;
    };
    const result = await retry(operation, optionsOn(clock, { mayRetry }));
    expect(calls.map((call) => call.attempt)).toEqual([1, 2]);
    // Asked before attempts 2 and 3, each time after the wait before it.
    expect(asked).toEqual([1, 2]);
    expect(result).toEqual({ ...fail('network'), attempts: 2 });
  });

  it('does not ask mayRetry before the first attempt or after a success', async () => {
    const clock = fakeClock();
    const { operation } = scripted(clock, [{ ok: true, value: 1 }]);
    const mayRetry = vi.fn(() => true);
    await retry(operation, optionsOn(clock, { mayRetry }));
    expect(mayRetry).not.toHaveBeenCalled();
  });

  it('aborts the attempt’s signal at its timeout and clears the timer afterwards', async () => {
    vi.useFakeTimers();
    let signalSeen: AbortSignal | undefined;
    const operation = ({ signal }: { signal: AbortSignal }) =>
      new Promise<ProviderResult<never>>((resolve) => {
        signalSeen = signal;
        signal.addEventListener('abort', () => resolve(fail('timeout')), { once: true });
      });
    const pending = retry(operation, {
      ...PROVIDER_RETRY_POLICY,
      ...DEFAULT_RETRY,
      maxAttempts: 1,
      attemptTimeoutMs: 400,
    });
    await vi.advanceTimersByTimeAsync(399);
    expect(signalSeen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signalSeen?.aborted).toBe(true);
    expect(signalSeen?.reason).toMatchObject({ name: 'TimeoutError' });
    expect(await pending).toEqual({ ...fail('timeout'), attempts: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sleeps on real timers by default (under fake timers here)', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const pending = retry(
      (): ProviderResult<number> => {
        calls += 1;
        return calls === 1 ? fail('throttled', 3) : { ok: true, value: calls };
      },
      { ...PROVIDER_RETRY_POLICY, ...DEFAULT_RETRY, attemptTimeoutMs: 1_000 },
    );
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({ ok: true, value: 2, attempts: 2 });
  });

  it('rejects a maxAttempts below one as a configuration bug', async () => {
    const clock = fakeClock();
    const failure: ProviderFailure = { kind: 'network', detail: 'x' };
    await expect(
      retry((): ProviderResult<never> => ({ ok: false, failure }), optionsOn(clock, { maxAttempts: 0 })),
    ).rejects.toBeInstanceOf(RangeError);
  });
});
