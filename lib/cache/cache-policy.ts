import type { DataType } from '../model/data-types.js';

/**
 * How long an answer is served as fresh, and how long past that it may still be served as stale
 * when every provider fails. The platform's existing policy: quotes 5 min, statements 1 h,
 * company 24 h, search 1 h.
 */
export interface CachePolicy {
  freshSeconds: number;
  maxStaleSeconds: number;
}

export const DEFAULT_CACHE_POLICY: Record<DataType, CachePolicy> = {
  quote: { freshSeconds: 5 * 60, maxStaleSeconds: 24 * 3600 },
  daily_history: { freshSeconds: 24 * 3600, maxStaleSeconds: 7 * 24 * 3600 },
  financials: { freshSeconds: 3600, maxStaleSeconds: 30 * 24 * 3600 },
  company: { freshSeconds: 24 * 3600, maxStaleSeconds: 30 * 24 * 3600 },
  search: { freshSeconds: 3600, maxStaleSeconds: 7 * 24 * 3600 },
  /**
   * Splits and dividends are announced weeks ahead and change a few times a year: a day fresh, a
   * month stale (like a company profile).
   * @default { freshSeconds: 86400, maxStaleSeconds: 2592000 }
   */
  corporate_actions: { freshSeconds: 24 * 3600, maxStaleSeconds: 30 * 24 * 3600 },
};

/**
 * RFC 5861's stale-while-revalidate window per data type (`CACHE_SWR_<TYPE>_SECONDS`): how far past
 * its fresh lifetime a value is still answered at once while one request, fleet-wide, refreshes it.
 * On Lambda nothing runs after an answer, so that one request pays for the refresh (it waits for the
 * providers, then answers fresh); the windows only decide how old an answer the others may get
 * meanwhile. A quote moves by the minute, so its window is short; bars change once a day, statements
 * once a quarter, profiles and search results hardly at all, so theirs are longer.
 */
export const DEFAULT_STALE_WHILE_REVALIDATE_SECONDS: Record<DataType, number> = {
  quote: 60,
  daily_history: 3600,
  financials: 24 * 3600,
  company: 24 * 3600,
  search: 3600,
  /** @default 86400 */
  corporate_actions: 24 * 3600,
};
