import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { checkedAgainst, validated } from '../normalize.js';
import { failure, type ProviderEndpoint, unknownSymbolWhen } from '../provider.js';
import { classifyPolygonAnswer, hasNoResults } from './classify.js';
import { newYorkDateOfEpochMs, polygonBarFields } from './fields.js';
import { polygonRequest, tickerSegment } from './request.js';
import { toPolygonTicker } from './symbols.js';

/** The previous day's bar, with its ticker (`T`). */
const PolygonBarSchema = z.object({ T: z.optional(z.string()), ...polygonBarFields });

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

  classify: unknownSymbolWhen(classifyPolygonAnswer, hasNoResults, 'Polygon returned no previous-day bar'),

  transform(body, { symbol }) {
    const raw = validated(PolygonPreviousCloseSchema, body, 'Polygon previous close is malformed');
    if (!raw.ok) return raw;
    const bar = raw.value.results[0];
    if (bar === undefined) return failure('bad_data', 'Polygon previous close has no bar');
    const answered = (bar.T ?? raw.value.ticker ?? '').trim().toUpperCase();
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
