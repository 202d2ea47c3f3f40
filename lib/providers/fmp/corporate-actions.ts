import * as z from 'zod/mini';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import {
  type ActionsOfOneKind,
  corporateActionsEndpoint,
  dividendsAnswer,
  splitRatio,
  splitsAnswer,
  UNSTATED_DIVIDEND_CURRENCY,
} from '../corporate-actions.js';
import { optionalNumber, optionalText, validated } from '../normalize.js';
import { failure } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { toFmpSymbol } from './symbols.js';

/** One row of `/stable/splits`: `numerator` new shares for `denominator` old ones, from `date`. */
const FmpSplitSchema = z.object({
  date: optionalText,
  numerator: optionalNumber,
  denominator: optionalNumber,
});

/**
 * One row of `/stable/dividends`. `date` is the ex-date; `dividend` is the amount as declared,
 * `adjDividend` the same adjusted for later splits (not read: the model keeps amounts as declared);
 * dates FMP does not know are `""`. FMP states no currency.
 */
const FmpDividendSchema = z.object({
  date: optionalText,
  dividend: optionalNumber,
  paymentDate: optionalText,
});

/** `/stable/splits`: every split of one listing, newest first. */
export const fmpSplits: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/splits', { symbol: toFmpSymbol(symbol) }),

  transform(body, query) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP splits answer is not a list');
    const rows = validated(z.array(FmpSplitSchema), body, 'FMP splits answer is malformed', 'entry');
    if (!rows.ok) return rows;
    const splits = rows.value.map((row) => ({
      exDate: toIsoDate(row.date),
      ratio: splitRatio(toNumber(row.denominator), toNumber(row.numerator)),
    }));
    return splitsAnswer(query, splits, 'FMP splits');
  },
};

/** `/stable/dividends`: every cash dividend of one listing, newest first. */
export const fmpDividends: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/dividends', { symbol: toFmpSymbol(symbol) }),

  transform(body, query) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP dividends answer is not a list');
    const rows = validated(z.array(FmpDividendSchema), body, 'FMP dividends answer is malformed', 'entry');
    if (!rows.ok) return rows;
    const dividends = rows.value
      // Old rows may carry only `adjDividend` (`dividend: null`): the declared amount cannot be
      // recovered without the splits, so such a row is left out rather than served at the wrong scale.
      .filter((row) => row.dividend !== null && row.dividend !== undefined)
      .map((row) => ({
        exDate: toIsoDate(row.date),
        amount: toNumber(row.dividend),
        currency: UNSTATED_DIVIDEND_CURRENCY,
        payDate: toIsoDate(row.paymentDate),
      }));
    return dividendsAnswer(query, dividends, 'FMP dividends');
  },
};

/**
 * FMP's `/stable/splits` and `/stable/dividends` (free plan, within its symbols; others get its 402).
 * A symbol without actions and a symbol FMP does not list both get HTTP 200 and `[]`, so an empty list
 * is "no actions", never "unknown symbol": most symbols have never split.
 */
export const fmpCorporateActions = corporateActionsEndpoint({
  provider: 'fmp',
  plan: 'free',
  classify: classifyFmpAnswer,
  splits: fmpSplits,
  dividends: fmpDividends,
});
