/**
 * The price bases a daily series can be presented on:
 * - `raw`: as traded, each bar in the shares and currency units of its own day;
 * - `splits`: every bar restated in today's shares (prices ÷, volume × the later splits' ratios);
 * - `all`: split-adjusted and, backward from each later ex-date, scaled for the cash dividends
 *   (the total-return series).
 * A history endpoint declares the basis its provider presents daily bars on; a client asks for one.
 */
export const ADJUSTMENTS = ['raw', 'splits', 'all'] as const;

/** One price basis (`raw`, `splits`, `all`). */
export type Adjustment = (typeof ADJUSTMENTS)[number];
