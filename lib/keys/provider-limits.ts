import type { ProviderId } from '../model/provider-ids.js';

/** A key's budget: calls a minute and calls a day; absent means the provider sets no such limit. */
export interface KeyLimits {
  perMinute?: number;
  perDay?: number;
}

/** A provider's default per-key budget on its free plan, and the UTC hour its daily quota resets. */
export interface ProviderLimits extends KeyLimits {
  dailyResetUtcHour: number;
}

/**
 * Each provider's free-plan limits per key, as its documentation states them. A key's own
 * `limits` in the pool (set by the operator, e.g. from `ALPHA_VANTAGE_RATE_LIMIT`, or for a paid
 * key) override these. Every daily quota here resets at midnight UTC; the hour is kept per provider
 * so a provider that resets at another hour needs one number changed, not new window code.
 */
export const PROVIDER_LIMITS: Readonly<Record<ProviderId, ProviderLimits>> = {
  // 25 calls a day; about one a second, which the platform has always run at 5 a minute.
  'alpha-vantage': { perMinute: 5, perDay: 25, dailyResetUtcHour: 0 },
  fmp: { perDay: 250, dailyResetUtcHour: 0 },
  finnhub: { perMinute: 60, dailyResetUtcHour: 0 },
  'twelve-data': { perMinute: 8, perDay: 800, dailyResetUtcHour: 0 },
  polygon: { perMinute: 5, dailyResetUtcHour: 0 },
};

/** A key's effective limits: its own where the pool sets them, else the provider's defaults. */
export function effectiveLimits(provider: ProviderId, own: KeyLimits | undefined): KeyLimits {
  const defaults = PROVIDER_LIMITS[provider];
  const perMinute = own?.perMinute ?? defaults.perMinute;
  const perDay = own?.perDay ?? defaults.perDay;
  return {
    ...(perMinute === undefined ? {} : { perMinute }),
    ...(perDay === undefined ? {} : { perDay }),
  };
}

/**
 * The limits a call that must leave `spare` (a share, 0..1) of each limited window untouched is held
 * to: at least one call of each limit is always left. An audit call takes budget only under these, so
 * it never spends the last calls of a quota the answers need (a limit of 1 leaves it nothing).
 */
export function withSpare(limits: KeyLimits, spare: number): KeyLimits {
  const held = (limit: number | undefined) =>
    limit === undefined ? undefined : limit - Math.max(1, Math.ceil(limit * spare));
  const perMinute = held(limits.perMinute);
  const perDay = held(limits.perDay);
  return {
    ...(perMinute === undefined ? {} : { perMinute }),
    ...(perDay === undefined ? {} : { perDay }),
  };
}

/** One counting window: its id (part of the item's sort key) and when it ends (epoch ms). */
export interface CountingWindow {
  id: string;
  endsAt: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The calendar minute holding `now` (epoch minute), the same for every container. */
export function minuteWindow(now: number): CountingWindow {
  const minute = Math.floor(now / MINUTE_MS);
  return { id: String(minute), endsAt: (minute + 1) * MINUTE_MS };
}

/**
 * The provider's quota day holding `now`: `YYYY-MM-DD` of the day it began, ending at the next
 * reset. Calendar-aligned rather than "24 hours from the first call", because that is how providers
 * count: a window started at the first call would refuse calls the provider would accept after its
 * reset, and allow calls it would refuse before.
 */
export function dayWindow(provider: ProviderId, now: number): CountingWindow {
  const shift = PROVIDER_LIMITS[provider].dailyResetUtcHour * HOUR_MS;
  const dayStart = Math.floor((now - shift) / DAY_MS) * DAY_MS;
  return { id: new Date(dayStart).toISOString().slice(0, 10), endsAt: dayStart + DAY_MS + shift };
}
