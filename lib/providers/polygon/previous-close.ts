import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyPolygonAnswer, hasNoResults } from './classify.js';
import { checkedAgainst, fieldsIn, newYorkDateOfEpochMs } from './fields.js';
import { polygonRequest, tickerSegment } from './request.js';
import { toPolygonTicker } from './symbols.js';

/** One daily bar of Polygon's aggregates: single-letter keys, JSON numbers. */
const PolygonBarSchema = z.object({
  T: z.optional(z.string()),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.optional(z.nullable(z.number())),
  /** Epoch milliseconds of the start of the session day (Eastern time). */
  t: z.number(),
});

const PolygonPreviousCloseSchema = z.object({
  ticker: z.optional(z.string()),
  results: z.array(PolygonBarSchema).check(z.minLength(1)),
});

/**
 * Polygon's `/v2/aggs/ticker/{T}/prev` as a quote. Polygon's free plan gives end-of-day data only, so
 * this "quote" is the last completed session's bar: `price` is that day's close and `tradingDay` says
 * which day it was, so the caller sees how old it is. The bar has no previous close, hence no change.
 */
export const polygonPreviousClose: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'polygon',
  dataType: 'quote',
  plan: 'free',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, `/v2/aggs/ticker/${tickerSegment(symbol)}/prev`, { adjusted: 'true' }),

  classify(answer, now) {
    const byMeaning = classifyPolygonAnswer(answer, now);
    if (byMeaning) return byMeaning;
    if (hasNoResults(answer.body))
      return { kind: 'unknown_symbol', detail: 'Polygon returned no previous-day bar' };
    return null;
  },

  transform(body, { symbol }) {
    const raw = z.safeParse(PolygonPreviousCloseSchema, body);
    if (!raw.success)
      return failure('bad_data', `Polygon previous close is malformed: ${fieldsIn(raw.error)}`);
    const bar = raw.data.results[0];
    if (bar === undefined) return failure('bad_data', 'Polygon previous close has no bar');
    const answered = (bar.T ?? raw.data.ticker ?? '').trim().toUpperCase();
    const asked = sanitizeSymbol(symbol) ?? symbol;
    return checkedAgainst(
      QuoteSchema,
      {
        symbol:
          answered === '' || answered === toPolygonTicker(asked)
            ? asked
            : (sanitizeSymbol(answered) ?? asked),
        price: bar.c,
        open: bar.o,
        high: bar.h,
        low: bar.l,
        previousClose: null,
        change: null,
        changePercent: null,
        volume: bar.v ?? null,
        tradingDay: newYorkDateOfEpochMs(bar.t),
        // Polygon covers US listings, but the bar does not say its currency; `null` rather than a guess.
        currency: null,
      },
      'Polygon previous close',
    );
  },
};
