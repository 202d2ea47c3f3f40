/** The kinds of data the layer serves; each has its own cache lifetime, metrics dimension and providers. */
export const DATA_TYPES = ['quote', 'daily_history', 'financials', 'company', 'search'] as const;

export type DataType = (typeof DATA_TYPES)[number];

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
};
