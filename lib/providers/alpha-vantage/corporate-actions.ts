import * as z from 'zod/mini';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import {
  type ActionsOfOneKind,
  corporateActionsEndpoint,
  dividendsAnswer,
  splitsAnswer,
  UNSTATED_DIVIDEND_CURRENCY,
  wholeNumberRatio,
} from '../corporate-actions.js';
import { optionalText, validated } from '../normalize.js';
import { isEmptyObject, unknownSymbolWhen } from '../provider.js';
import { classifyAlphaVantageAnswer } from './classify.js';
import { alphaVantageRequest } from './request.js';

/** Alpha Vantage writes its figures as strings (`"4.0000"`, `"1.67"`), `"None"` where it has none. */
const figure = z.optional(z.nullable(z.union([z.string(), z.number()])));

/** One split of `SPLITS`: `split_factor` shares after per share before, from `effective_date`. */
const AlphaVantageSplitSchema = z.object({ effective_date: optionalText, split_factor: figure });

/**
 * One dividend of `DIVIDENDS`: `amount` per share as declared on `ex_dividend_date`. Alpha Vantage
 * states no currency.
 */
const AlphaVantageDividendSchema = z.object({
  ex_dividend_date: optionalText,
  amount: figure,
  payment_date: optionalText,
});

/**
 * A split factor as the ratio it stands for: Alpha Vantage rounds factors to four decimals (`0.3333`
 * for 1 for 3), which would leave every price before the split a hundredth of a percent off; `null`
 * when it is not a positive number.
 */
function ratioOfFactor(raw: string | number | null | undefined): number | null {
  const factor = toNumber(raw);
  if (factor === null || !(factor > 0)) return null;
  const decimals = typeof raw === 'string' ? (/\.(\d+)/.exec(raw)?.[1]?.length ?? 0) : 0;
  return decimals === 0 ? factor : wholeNumberRatio(factor, 0.5 * 10 ** -decimals);
}

/** `{symbol, data: [...]}`; `data: []` for a symbol without actions. */
const answerOf = <Row extends z.ZodMiniType>(row: Row) => z.object({ data: z.array(row) });

/** `SPLITS`: every split of one listing, newest first. */
export const alphaVantageSplits: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: 'SPLITS', symbol }),

  transform(body, query) {
    const raw = validated(answerOf(AlphaVantageSplitSchema), body, 'SPLITS answer is malformed');
    if (!raw.ok) return raw;
    const splits = raw.value.data.map((row) => ({
      exDate: toIsoDate(row.effective_date),
      ratio: ratioOfFactor(row.split_factor),
    }));
    return splitsAnswer(query, splits, 'SPLITS');
  },
};

/** `DIVIDENDS`: every cash dividend of one listing, newest first. */
export const alphaVantageDividends: ActionsOfOneKind = {
  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    alphaVantageRequest(baseUrl, apiKey, { function: 'DIVIDENDS', symbol }),

  transform(body, query) {
    const raw = validated(answerOf(AlphaVantageDividendSchema), body, 'DIVIDENDS answer is malformed');
    if (!raw.ok) return raw;
    const dividends = raw.value.data.map((row) => ({
      exDate: toIsoDate(row.ex_dividend_date),
      amount: toNumber(row.amount),
      currency: UNSTATED_DIVIDEND_CURRENCY,
      payDate: toIsoDate(row.payment_date),
    }));
    return dividendsAnswer(query, dividends, 'DIVIDENDS');
  },
};

/**
 * Alpha Vantage's `SPLITS` and `DIVIDENDS` (not marked premium: the free plan, within its 25 calls a
 * day). Like its other fundamental functions, they answer a symbol they do not cover with `{}`.
 */
export const alphaVantageCorporateActions = corporateActionsEndpoint({
  provider: 'alpha-vantage',
  plan: 'free',
  classify: unknownSymbolWhen(
    classifyAlphaVantageAnswer,
    isEmptyObject,
    'Alpha Vantage returned an empty corporate actions answer',
  ),
  splits: alphaVantageSplits,
  dividends: alphaVantageDividends,
});
