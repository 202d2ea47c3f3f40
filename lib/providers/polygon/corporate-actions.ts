import * as z from 'zod/mini';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency } from '../../validation/text.js';
import {
  type ActionsOfOneKind,
  corporateActionsEndpoint,
  dividendsAnswer,
  splitRatio,
  splitsAnswer,
} from '../corporate-actions.js';
import { optionalNumber, optionalText, validated } from '../normalize.js';
import { classifyPolygonAnswer } from './classify.js';
import { polygonRequest } from './request.js';
import { toPolygonTicker } from './symbols.js';

/**
 * Massive's page size ceiling. One ticker's whole history fits in one page (a century of quarterly
 * dividends is 400 rows), so `next_url` is not followed.
 */
const PAGE_LIMIT = '5000';

/**
 * One split of `/stocks/v1/splits`: `split_to` shares for `split_from`, from the open of
 * `execution_date`. `adjustment_type` (`forward_split`, `reverse_split`, `stock_dividend`) is not read:
 * a stock dividend changes the share count exactly as a split of the same ratio does.
 */
const PolygonSplitSchema = z.object({
  execution_date: optionalText,
  split_from: optionalNumber,
  split_to: optionalNumber,
});

/**
 * One dividend of `/stocks/v1/dividends`: `cash_amount` as declared (Massive does not adjust historic
 * dividends for splits; `split_adjusted_cash_amount` is the adjusted one, not read), in `currency`.
 * Every `distribution_type` is kept (recurring, special, supplemental, irregular): each is cash paid,
 * and the price goes ex by it.
 */
const PolygonDividendSchema = z.object({
  ex_dividend_date: optionalText,
  cash_amount: optionalNumber,
  currency: optionalText,
  pay_date: optionalText,
});

/** Massive answers a ticker without actions, and one it does not list, with `results: []`. */
const answerOf = <Row extends z.ZodMiniType>(row: Row) =>
  z.object({ results: z.optional(z.nullable(z.array(row))) });

/** `/stocks/v1/splits` (all plans; the free plan's history is two years). */
export const polygonSplits: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, '/stocks/v1/splits', {
      ticker: toPolygonTicker(symbol),
      limit: PAGE_LIMIT,
    }),

  transform(body, query) {
    const raw = validated(answerOf(PolygonSplitSchema), body, 'Polygon splits answer is malformed');
    if (!raw.ok) return raw;
    const splits = (raw.value.results ?? []).map((row) => ({
      exDate: toIsoDate(row.execution_date),
      ratio: splitRatio(toNumber(row.split_from), toNumber(row.split_to)),
    }));
    return splitsAnswer(query, splits, 'Polygon splits');
  },
};

/** `/stocks/v1/dividends` (all plans; the free plan's history is two years). */
export const polygonDividends: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, '/stocks/v1/dividends', {
      ticker: toPolygonTicker(symbol),
      limit: PAGE_LIMIT,
    }),

  transform(body, query) {
    const raw = validated(answerOf(PolygonDividendSchema), body, 'Polygon dividends answer is malformed');
    if (!raw.ok) return raw;
    const dividends = (raw.value.results ?? []).map((row) => ({
      exDate: toIsoDate(row.ex_dividend_date),
      amount: toNumber(row.cash_amount),
      // Massive lists US securities only: a dividend without a currency is in dollars.
      currency: row.currency === undefined || row.currency === null ? 'USD' : sanitizeCurrency(row.currency),
      payDate: toIsoDate(row.pay_date),
    }));
    return dividendsAnswer(query, dividends, 'Polygon dividends');
  },
};

/**
 * Massive's (Polygon's) `/stocks/v1/splits` and `/stocks/v1/dividends`, which replaced the deprecated
 * `/v3/reference/splits` and `/v3/reference/dividends` in February 2026 and are "available to all
 * plans". An empty `results` is "no actions": Massive answers an unlisted ticker the same way.
 */
export const polygonCorporateActions = corporateActionsEndpoint({
  provider: 'polygon',
  plan: 'free',
  classify: classifyPolygonAnswer,
  splits: polygonSplits,
  dividends: polygonDividends,
});
