import { describe, expect, it } from 'vitest';
import {
  dayWindow,
  effectiveLimits,
  minuteWindow,
  PROVIDER_LIMITS,
  withSpare,
} from '../../../lib/keys/provider-limits.js';

describe('provider limits', () => {
  it("holds each provider's free-plan limits per key", () => {
    expect(PROVIDER_LIMITS).toEqual({
      'alpha-vantage': { perMinute: 5, perDay: 25, dailyResetUtcHour: 0 },
      fmp: { perDay: 250, dailyResetUtcHour: 0 },
      finnhub: { perMinute: 60, dailyResetUtcHour: 0 },
      'twelve-data': { perMinute: 8, perDay: 800, dailyResetUtcHour: 0 },
      polygon: { perMinute: 5, dailyResetUtcHour: 0 },
    });
  });

  it("takes a key's own limits over the provider's and keeps the default for the rest", () => {
    expect(effectiveLimits('alpha-vantage', { perMinute: 75 })).toEqual({ perMinute: 75, perDay: 25 });
    expect(effectiveLimits('alpha-vantage', undefined)).toEqual({ perMinute: 5, perDay: 25 });
    expect(effectiveLimits('fmp', undefined)).toEqual({ perDay: 250 });
    expect(effectiveLimits('polygon', { perDay: 1000 })).toEqual({ perMinute: 5, perDay: 1000 });
  });

  it('aligns the minute window to the calendar minute', () => {
    const at = Date.UTC(2026, 10, 26, 15, 0, 59, 999);
    expect(minuteWindow(at)).toEqual({
      id: String(Math.floor(at / 60_000)),
      endsAt: Date.UTC(2026, 10, 26, 15, 1),
    });
    expect(minuteWindow(Date.UTC(2026, 10, 26, 15, 1)).id).not.toBe(minuteWindow(at).id);
  });

  it('ends the quota day at midnight UTC', () => {
    expect(dayWindow('alpha-vantage', Date.UTC(2026, 10, 26, 23, 59, 59, 999))).toEqual({
      id: '2026-11-26',
      endsAt: Date.UTC(2026, 10, 27),
    });
    expect(dayWindow('alpha-vantage', Date.UTC(2026, 10, 27))).toEqual({
      id: '2026-11-27',
      endsAt: Date.UTC(2026, 10, 28),
    });
    expect(dayWindow('fmp', Date.UTC(2026, 11, 31, 12)).id).toBe('2026-12-31');
  });
});

describe('limits that keep a spare', () => {
  it('holds back the spare share of each limited window, rounded up, and leaves unlimited windows unlimited', () => {
    expect(withSpare({ perMinute: 5, perDay: 25 }, 0.2)).toEqual({ perMinute: 4, perDay: 20 });
    expect(withSpare({ perMinute: 8, perDay: 800 }, 0.25)).toEqual({ perMinute: 6, perDay: 600 });
    expect(withSpare({ perDay: 250 }, 0.1)).toEqual({ perDay: 225 });
    expect(withSpare({ perMinute: 60 }, 0.5)).toEqual({ perMinute: 30 });
    expect(withSpare({}, 0.5)).toEqual({});
  });

  it('always leaves at least one call of each limit, so a limit of one leaves the spare-keeping call nothing', () => {
    expect(withSpare({ perMinute: 5, perDay: 25 }, 0)).toEqual({ perMinute: 4, perDay: 24 });
    expect(withSpare({ perMinute: 1, perDay: 3 }, 0.01)).toEqual({ perMinute: 0, perDay: 2 });
  });
});
