/**
 * What every provider's splits and dividends adapter shares on the way from its rows to the model:
 * the ratio of a split, the order and uniqueness of the lists, and the check against the model. Each
 * adapter only reads its own wire names into the candidates below.
 */
import {
  type CashDividend,
  type CorporateActions,
  type CorporateActionsQuery,
  CorporateActionsSchema,
  type Split,
} from '../model/corporate-actions.js';
import { sanitizeSymbol } from '../validation/text.js';
import { checkedAgainst } from './normalize.js';
import type { ProviderEndpoint, ProviderPlan, ProviderResult } from './provider.js';

/** How a provider serves one kind of action: its own request and its own answer shape. */
export type ActionsOfOneKind = Pick<
  ProviderEndpoint<CorporateActionsQuery, CorporateActions>,
  'buildRequest' | 'transform'
>;

/**
 * A provider's corporate-actions endpoint: providers serve splits and dividends on two paths with two
 * shapes, one refusal vocabulary and one plan, so the registry holds one endpoint a provider that
 * asks the path of the query's `kind` and reads its answer with that kind's reader.
 */
export function corporateActionsEndpoint(spec: {
  provider: ProviderEndpoint<CorporateActionsQuery, CorporateActions>['provider'];
  plan: ProviderPlan;
  classify: ProviderEndpoint<CorporateActionsQuery, CorporateActions>['classify'];
  splits: ActionsOfOneKind;
  dividends: ActionsOfOneKind;
}): ProviderEndpoint<CorporateActionsQuery, CorporateActions> {
  return {
    provider: spec.provider,
    dataType: 'corporate_actions',
    plan: spec.plan,
    classify: spec.classify,
    buildRequest: (query, access) => spec[query.kind].buildRequest(query, access),
    transform: (body, query) => spec[query.kind].transform(body, query),
  };
}

/** A split as an adapter read it; `null` where the provider's value could not be read. */
export interface SplitCandidate {
  exDate: string | null;
  ratio: number | null;
}

/** A cash dividend as an adapter read it, the amount as declared on its ex-date. */
export interface DividendCandidate {
  exDate: string | null;
  amount: number | null;
  currency: string | null;
  payDate: string | null;
}

/**
 * The currency of a dividend whose provider does not state one (FMP, Alpha Vantage): their
 * documentation and examples are US listings, paid in dollars. A listing elsewhere paid in its own
 * currency would be mislabelled; these providers give nothing to tell it by.
 */
export const UNSTATED_DIVIDEND_CURRENCY = 'USD';

/**
 * Shares after per share before, from a provider's two factors (`to` new shares for `from` old ones:
 * 4 for 1 is 4, 1 for 10 is 0.1); `null` when either is missing, zero or negative.
 */
export function splitRatio(from: number | null, to: number | null): number | null {
  if (from === null || to === null || !(from > 0) || !(to > 0)) return null;
  const ratio = to / from;
  return Number.isFinite(ratio) ? ratio : null;
}

/** The largest denominator tried for a split like 3-for-2 or 2-for-3; reverse splits 1-for-n try any n. */
const MAX_SPLIT_DENOMINATOR = 20;

/**
 * The split ratio a rounded decimal stands for: splits are ratios of whole numbers (3 for 2, 1 for 3,
 * 1 for 75), and a provider that writes them as decimals rounds them (`0.3333`). The nearest such
 * ratio within `tolerance` (half the last decimal written) replaces it, so prices divided by it keep
 * their cents; a value no such ratio is near stays as written.
 */
export function wholeNumberRatio(value: number, tolerance: number): number {
  let best = value;
  let bestError = Number.POSITIVE_INFINITY;
  const consider = (shares: number, per: number) => {
    // Never a ratio of 0 shares: `per` counts from 1, `shares` is a rounding that may reach 0.
    if (shares < 1) return;
    const error = Math.abs(shares / per - value);
    if (error <= tolerance && error < bestError) {
      best = shares / per;
      bestError = error;
    }
  };
  for (let per = 1; per <= MAX_SPLIT_DENOMINATOR; per++) consider(Math.round(value * per), per);
  if (value > 0 && value < 1) consider(1, Math.round(1 / value));
  return best;
}

/**
 * The answer to a splits query: the splits ascending by ex-date, one a date (the first the provider
 * listed: two splits of one stock on one day are a repeated row, not two events), checked against the
 * model as `what`. A split whose date or ratio could not be read fails the check, naming the field:
 * a wrong or missing split would misstate every price before it, so the next provider is asked.
 */
export function splitsAnswer(
  query: CorporateActionsQuery,
  candidates: readonly SplitCandidate[],
  what: string,
): ProviderResult<CorporateActions> {
  const byDate = new Map<string, SplitCandidate>();
  for (const split of candidates) {
    const key = split.exDate ?? '';
    if (!byDate.has(key)) byDate.set(key, split);
  }
  return answerOf(query, { splits: ascending([...byDate.values()]) as Split[], dividends: [] }, what);
}

/**
 * The answer to a dividends query: cash dividends ascending by ex-date, one a date. A row the provider
 * repeats (same date, same amount) counts once; distinct amounts going ex on one day (a regular and a
 * special dividend) are one dividend of their sum, which is what the price drops by that morning. A
 * row with an amount of 0 paid nothing and is left out. A dividend whose date or amount could not be
 * read fails the check, naming the field (`dividends.amount`).
 */
export function dividendsAnswer(
  query: CorporateActionsQuery,
  candidates: readonly DividendCandidate[],
  what: string,
): ProviderResult<CorporateActions> {
  const byDate = new Map<string, { dividend: DividendCandidate; amounts: Set<number | null> }>();
  for (const dividend of candidates) {
    if (dividend.amount === 0) continue;
    const key = dividend.exDate ?? '';
    const seen = byDate.get(key);
    if (seen === undefined) {
      byDate.set(key, { dividend: { ...dividend }, amounts: new Set([dividend.amount]) });
    } else if (!seen.amounts.has(dividend.amount)) {
      seen.amounts.add(dividend.amount);
      seen.dividend.amount = sumOrNull(seen.dividend.amount, dividend.amount);
      // Two currencies on one day have no sum: left for the check to refuse.
      if (seen.dividend.currency !== dividend.currency) seen.dividend.currency = null;
    }
  }
  const dividends = ascending([...byDate.values()].map(({ dividend }) => dividend)) as CashDividend[];
  return answerOf(query, { splits: [], dividends }, what);
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.round((a + b) * 1e10) / 1e10;
}

/** Ascending by ex-date; an unreadable date (`null`) sorts first and fails the model's check. */
function ascending<Action extends { exDate: string | null }>(actions: Action[]): Action[] {
  return actions.sort((a, b) => (a.exDate ?? '').localeCompare(b.exDate ?? ''));
}

function answerOf(
  query: CorporateActionsQuery,
  lists: Pick<CorporateActions, 'splits' | 'dividends'>,
  what: string,
): ProviderResult<CorporateActions> {
  const symbol = sanitizeSymbol(query.symbol) ?? query.symbol;
  return checkedAgainst(CorporateActionsSchema, { symbol, ...lists }, what);
}
