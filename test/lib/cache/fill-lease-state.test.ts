import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FILL_LEASE_OPTIONS,
  type FillLease,
  isExpired,
  judgePoll,
  leaseItemExpiresAt,
  mayLapse,
  mustRecheckCache,
  newLease,
  nextWaitStep,
  retryAfterSecondsOf,
  staleHandling,
} from '../../../lib/cache/fill-lease-state.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_FILL_LEASE_OPTIONS;
const lease: FillLease = { owner: 'leader', leaseUntil: NOW + 15_000 };
const far = NOW + 25_000;

describe('newLease and isExpired', () => {
  it('lasts leaseMs from now, and lapses exactly at its end', () => {
    const fresh = newLease('me', NOW, { leaseMs: 15_000 });
    expect(fresh).toEqual({ owner: 'me', leaseUntil: NOW + 15_000 });
    expect(isExpired(fresh, NOW + 14_999)).toBe(false);
    expect(isExpired(fresh, NOW + 15_000)).toBe(true);
  });

  it('sets a TTL a minute past the lease, in epoch seconds, so DynamoDB reaps it', () => {
    expect(leaseItemExpiresAt({ owner: 'x', leaseUntil: 1_800_000_000_500 })).toBe(1_800_000_061);
  });
});

describe('mayLapse', () => {
  it('lets a lease lapse unreleased only when its fill cached a value fresh until the lease ends or later', () => {
    expect(mayLapse(lease, lease.leaseUntil)).toBe(true);
    expect(mayLapse(lease, lease.leaseUntil + 300_000)).toBe(true);
    // Stale before the lease ends: the next fill would wait on it.
    expect(mayLapse(lease, lease.leaseUntil - 1)).toBe(false);
    // Nothing cached (a failed write, a stale answer): the waiters must learn of it.
    expect(mayLapse(lease, null)).toBe(false);
  });
});

describe('nextWaitStep', () => {
  it('polls at 50 ms, doubling to 400 ms and no further', () => {
    const delays = [0, 1, 2, 3, 4, 10, 100].map((polls) =>
      nextWaitStep(lease, { now: NOW, deadline: far, polls }, options),
    );
    expect(delays).toEqual([50, 100, 200, 400, 400, 400, 400].map((delayMs) => ({ kind: 'poll', delayMs })));
  });

  it('never sleeps past the lease end, so a waiter wakes in time to take over', () => {
    expect(nextWaitStep(lease, { now: lease.leaseUntil - 30, deadline: far, polls: 5 }, options)).toEqual({
      kind: 'poll',
      delayMs: 30,
    });
  });

  it('never sleeps past the deadline', () => {
    expect(nextWaitStep(lease, { now: NOW, deadline: NOW + 120, polls: 5 }, options)).toEqual({
      kind: 'poll',
      delayMs: 120,
    });
  });

  it('takes over a lapsed lease', () => {
    expect(nextWaitStep(lease, { now: lease.leaseUntil, deadline: far, polls: 3 }, options)).toEqual({
      kind: 'take-over',
    });
  });

  it('gives up at the deadline, even when the lease has lapsed too', () => {
    expect(nextWaitStep(lease, { now: NOW + 30_000, deadline: NOW + 30_000, polls: 3 }, options)).toEqual({
      kind: 'give-up',
    });
  });
});

describe('judgePoll', () => {
  it('keeps waiting while the same owner holds the lease within its time', () => {
    expect(judgePoll(lease, { ...lease }, NOW + 1_000)).toEqual({ kind: 'wait', lease });
  });

  it('says settled when the lease is gone: the leader released it, done or failed', () => {
    expect(judgePoll(lease, undefined, NOW + 1_000)).toEqual({ kind: 'settled' });
  });

  it('says settled when another owner holds it: the one waited on is gone', () => {
    expect(judgePoll(lease, { owner: 'someone-else', leaseUntil: NOW + 20_000 }, NOW + 1_000)).toEqual({
      kind: 'settled',
    });
  });

  it('says expired when the same owner is past its time: it died or hung', () => {
    expect(judgePoll(lease, lease, lease.leaseUntil + 1)).toEqual({ kind: 'expired', lease });
  });
});

describe('staleHandling', () => {
  const quote = { freshSeconds: 300, staleWhileRevalidateSeconds: 60 };

  it('revalidates a value within the soft window past its fresh lifetime', () => {
    expect(staleHandling(301, quote)).toBe('revalidate');
    expect(staleHandling(359, quote)).toBe('revalidate');
  });

  it('fills (waits for the providers) past the soft window', () => {
    expect(staleHandling(360, quote)).toBe('fill');
    expect(staleHandling(3_600, quote)).toBe('fill');
  });

  it('never revalidates with a zero window', () => {
    expect(staleHandling(301, { freshSeconds: 300, staleWhileRevalidateSeconds: 0 })).toBe('fill');
  });
});

describe('retryAfterSecondsOf', () => {
  it('is the seconds left on the lease waited on, rounded up, at least one', () => {
    expect(retryAfterSecondsOf(lease, NOW + 10_500)).toBe(5);
    expect(retryAfterSecondsOf(lease, lease.leaseUntil + 5_000)).toBe(1);
  });
});

describe('mustRecheckCache', () => {
  it("rereads after winning a lease that ended within a request's time, or whose predecessor is unknown", () => {
    expect(mustRecheckCache(undefined, NOW)).toBe(false);
    expect(mustRecheckCache({ owner: 'a', leaseUntil: NOW - 60_000, releasedAt: NOW - 60_000 }, NOW)).toBe(
      false,
    );
    expect(mustRecheckCache({ owner: 'a', leaseUntil: NOW - 1_000, releasedAt: NOW - 1_000 }, NOW)).toBe(
      true,
    );
    expect(mustRecheckCache({ owner: 'a', leaseUntil: NOW - 1_000 }, NOW)).toBe(true);
    // The claim's reply was lost and its retry found the claim itself: what it replaced is unknown.
    expect(mustRecheckCache('unknown', NOW)).toBe(true);
  });
});
