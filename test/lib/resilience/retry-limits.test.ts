import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RetryOptions, retry } from '../../../lib/resilience/retry.js';

type Outcome = { ok: boolean };

const START = 1_000_000;

/** Options on a clock that only `sleep` moves; failures are retryable, attempts take no time. */
function options(overrides: Partial<RetryOptions<Outcome>> = {}) {
  let time = START;
  const sleeps: number[] = [];
  const settings: RetryOptions<Outcome> = {
    retryable: (result) => !result.ok,
    outOfTime: () => ({ ok: false }),
    maxAttempts: 3,
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    jitter: 'none',
    attemptTimeoutMs: 5_000,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    ...overrides,
  };
  return { settings, sleeps };
}

const failing = () => ({ ok: false });

afterEach(() => {
  vi.useRealTimers();
});

describe('retry: its limits', () => {
  it('refuses a number of attempts that is not a positive integer, naming it', async () => {
    const { settings } = options({ maxAttempts: 0 });
    await expect(retry(failing, settings)).rejects.toThrow('maxAttempts must be a positive integer, got 0');
  });

  it('starts an attempt left with exactly the least time worth starting one with (250 ms)', async () => {
    const { settings } = options({ shareEnd: START + 250, maxAttempts: 1 });
    const operation = vi.fn(failing);
    await expect(retry(operation, settings)).resolves.toEqual({ ok: false, attempts: 1 });
    expect(operation).toHaveBeenCalledWith(expect.objectContaining({ timeoutMs: 250 }));
  });

  it('retries when the wait and the least worthwhile attempt end exactly at the deadline', async () => {
    // 1 s of backoff and 250 ms of attempt fit exactly before the end of the share.
    const { settings, sleeps } = options({ shareEnd: START + 1_250 });
    await expect(retry(failing, settings)).resolves.toEqual({ ok: false, attempts: 2 });
    expect(sleeps).toEqual([1_000]);
  });

  it('waits half the ceiling and a random share of the other half under equal jitter', async () => {
    const { settings, sleeps } = options({ jitter: 'equal', random: () => 0.2, maxAttempts: 2 });
    await retry(failing, settings);
    // Ceiling 1 s: 500 ms, and 0.2 of the other 500 ms.
    expect(sleeps).toEqual([600]);
  });
});

describe('retry: each attempt under its own timeout', () => {
  it('aborts an attempt at its timeout with a TimeoutError that says how long it had', async () => {
    vi.useFakeTimers();
    const { settings } = options({ maxAttempts: 1, attemptTimeoutMs: 300, now: Date.now });
    const reasons: unknown[] = [];
    const running = retry(
      ({ signal }) =>
        new Promise<Outcome>((resolve) => {
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            resolve({ ok: false });
          });
        }),
      settings,
    );
    await vi.advanceTimersByTimeAsync(300);
    await running;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ name: 'TimeoutError', message: 'attempt timed out after 300 ms' });
  });

  it('leaves no timer behind once an attempt has answered', async () => {
    vi.useFakeTimers();
    const { settings } = options({ now: Date.now });
    await retry(() => ({ ok: true }), settings);
    expect(vi.getTimerCount()).toBe(0);
  });
});
