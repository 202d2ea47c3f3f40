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
import { classifyFinnhubAnswer } from './classify.js';
import { finnhubRequest } from './request.js';

/**
 * Finnhub requires a date range on both endpoints; the layer keeps a symbol's actions whole (announced
 * ones included), so it asks for all of them.
 */
const WHOLE_HISTORY = { from: '1900-01-01', to: '2099-12-31' };

/** One split of `/stock/split`: `toFactor` shares for `fromFactor`, from `date`. */
const FinnhubSplitSchema = z.object({
  date: optionalText,
  fromFactor: optionalNumber,
  toFactor: optionalNumber,
});

/**
 * One dividend of `/stock/dividend`: `date` is the ex-date, `amount` as declared (`adjustedAmount` is
 * adjusted for later splits, not read), in `currency`.
 */
const FinnhubDividendSchema = z.object({
  date: optionalText,
  amount: optionalNumber,
  currency: optionalText,
  payDate: optionalText,
});

/** `/stock/split`: a list, `[]` for a symbol without splits (or one Finnhub does not list). */
export const finnhubSplits: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/stock/split', { symbol, ...WHOLE_HISTORY }),

  transform(body, query) {
    const raw = validated(z.array(FinnhubSplitSchema), body, 'Finnhub splits answer is malformed', 'entry');
    if (!raw.ok) return raw;
    const splits = raw.value.map((row) => ({
      exDate: toIsoDate(row.date),
      ratio: splitRatio(toNumber(row.fromFactor), toNumber(row.toFactor)),
    }));
    return splitsAnswer(query, splits, 'Finnhub splits');
  },
};

/** `/stock/dividend`: a list, `[]` for a symbol without dividends. */
export const finnhubDividends: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    finnhubRequest(baseUrl, apiKey, '/api/v1/stock/dividend', { symbol, ...WHOLE_HISTORY }),

  transform(body, query) {
    const raw = validated(
      z.array(FinnhubDividendSchema),
      body,
      'Finnhub dividends answer is malformed',
      'entry',
    );
    if (!raw.ok) return raw;
    const dividends = raw.value.map((row) => ({
      exDate: toIsoDate(row.date),
      amount: toNumber(row.amount),
      currency: sanitizeCurrency(row.currency),
      payDate: toIsoDate(row.payDate),
    }));
    return dividendsAnswer(query, dividends, 'Finnhub dividends');
  },
};

/**
 * Finnhub's `/stock/split` and `/stock/dividend`: premium (`paid`; dividends left the free plan in
 * 2020), so a free key, which gets 403 "You don't have access to this resource.", is never asked.
 */
export const finnhubCorporateActions = corporateActionsEndpoint({
  provider: 'finnhub',
  plan: 'paid',
  classify: classifyFinnhubAnswer,
  splits: finnhubSplits,
  dividends: finnhubDividends,
});
