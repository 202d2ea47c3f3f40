import * as z from 'zod/mini';
import { CashDividendSchema, SplitSchema } from './corporate-actions.js';

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

/**
 * The basis daily history is answered on when the client does not say: `splits`, what charts and
 * most models need (prices comparable across a split, without the dividends a total-return series
 * folds in, which only return calculations want; `raw` shows a 10-for-1 split as a 90 % crash).
 */
export const DEFAULT_ADJUSTMENT: Adjustment = 'splits';

/**
 * What `meta.adjustment` says of a daily-history answer: the basis its prices are on, the splits and
 * dividends that changed its prices and volumes (after the first bar answered; none on `raw`, no
 * dividend on `splits`; `adjustedClose`, the total-return close, reads every action whatever the
 * basis), and whether the corporate actions were the current ones or, when those could not be had,
 * the ones stored with the cached series (possibly missing an action learned since).
 */
export const AdjustmentMetaSchema = z.object({
  basis: z.enum(ADJUSTMENTS).check(z.describe('The price basis of the bars: raw, splits or all.')),
  splits: z
    .array(SplitSchema)
    .check(z.describe("The splits after the first bar that changed the bars' prices and volumes.")),
  dividends: z
    .array(CashDividendSchema)
    .check(z.describe("The dividends after the first bar that changed the bars' prices (basis all only).")),
  actions: z
    .enum(['current', 'stored_with_series'])
    .check(
      z.describe(
        '`current`: the corporate actions as the layer knows them now; `stored_with_series`: they could ' +
          'not be had, and those cached with the series served (an action learned since may be missing).',
      ),
    ),
});

export type AdjustmentMeta = z.infer<typeof AdjustmentMetaSchema>;
