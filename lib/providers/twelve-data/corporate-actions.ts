import * as z from 'zod/mini';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import {
  type ActionsOfOneKind,
  corporateActionsEndpoint,
  dividendsAnswer,
  splitRatio,
  splitsAnswer,
} from '../corporate-actions.js';
import { optionalNumber, optionalText, validated } from '../normalize.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { currencyOf } from './fields.js';
import { twelveDataRequest } from './request.js';
import { toTwelveDataSymbol } from './symbols.js';

/** The listing's facts; its `currency` is the dividends' (Twelve Data states none per dividend). */
const MetaSchema = z.object({ currency: optionalText });

/** One split of `/splits`: `to_factor` shares for `from_factor`, from `date`. */
const TwelveDataSplitSchema = z.object({
  date: optionalText,
  from_factor: optionalNumber,
  to_factor: optionalNumber,
});

/** One dividend of `/dividends`: `amount` per share going ex on `ex_date`; no pay date. */
const TwelveDataDividendSchema = z.object({ ex_date: optionalText, amount: optionalNumber });

const SplitsAnswerSchema = z.object({ meta: MetaSchema, splits: z.array(TwelveDataSplitSchema) });
const DividendsAnswerSchema = z.object({ meta: MetaSchema, dividends: z.array(TwelveDataDividendSchema) });

/** `/splits` with `range=full` (its default range is the last split only). */
export const twelveDataSplits: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/splits', { symbol: toTwelveDataSymbol(symbol), range: 'full' }),

  transform(body, query) {
    const raw = validated(SplitsAnswerSchema, body, 'Twelve Data splits answer is malformed');
    if (!raw.ok) return raw;
    const splits = raw.value.splits.map((row) => ({
      exDate: toIsoDate(row.date),
      ratio: splitRatio(toNumber(row.from_factor), toNumber(row.to_factor)),
    }));
    return splitsAnswer(query, splits, 'Twelve Data splits');
  },
};

/** `/dividends` with `range=full`. */
export const twelveDataDividends: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/dividends', { symbol: toTwelveDataSymbol(symbol), range: 'full' }),

  transform(body, query) {
    const raw = validated(DividendsAnswerSchema, body, 'Twelve Data dividends answer is malformed');
    if (!raw.ok) return raw;
    // London amounts come in pence, as its prices do: `GBX`, never a hundred times too many pounds.
    const currency = currencyOf(raw.value.meta.currency);
    const dividends = raw.value.dividends.map((row) => ({
      exDate: toIsoDate(row.ex_date),
      amount: toNumber(row.amount),
      currency,
      payDate: null,
    }));
    return dividendsAnswer(query, dividends, 'Twelve Data dividends');
  },
};

/**
 * Twelve Data's `/splits` and `/dividends`: Grow plan and above (`paid`), 20 credits a symbol each. A
 * symbol it does not list is its usual "not found" error, which the classifier reads as unknown.
 */
export const twelveDataCorporateActions = corporateActionsEndpoint({
  provider: 'twelve-data',
  plan: 'paid',
  classify: classifyTwelveDataAnswer,
  splits: twelveDataSplits,
  dividends: twelveDataDividends,
});
