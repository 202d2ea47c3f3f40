import * as z from 'zod/mini';
import type { Quote } from '../../model/quote.js';
import { type BatchQuoteEndpoint, failure } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpQuote } from './quote.js';
import { fmpRequest } from './request.js';
import { toFmpSymbol } from './symbols.js';

/**
 * `/stable/batch-quote` answers a list of `/stable/quote` entries, one per symbol it knows, in no promised
 * order; symbols it does not know are simply missing. Here only the symbol is checked: each entry is then
 * read by the single-quote endpoint, so both normalize a quote the same way.
 */
const FmpBatchQuoteAnswerSchema = z.array(z.looseObject({ symbol: z.string().check(z.minLength(1)) }));

/** FMP's `/stable/batch-quote` (paid plans): up to 100 quotes in one call. */
export const fmpBatchQuote: BatchQuoteEndpoint<Quote> = {
  provider: 'fmp',
  dataType: 'quote',
  plan: 'paid',
  maxSymbols: 100,

  buildRequest: ({ symbols }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/batch-quote', {
      symbols: [...new Set(symbols.map(toFmpSymbol))].join(','),
    }),

  // An empty list is a valid answer here: every symbol asked for goes to `unknown`.
  classify: classifyFmpAnswer,

  transform(body, { symbols }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP batch quote answer is not a list');
    const raw = z.safeParse(FmpBatchQuoteAnswerSchema, body);
    if (!raw.success) return failure('bad_data', 'FMP batch quote answer is malformed: symbol');
    const byFmpSymbol = new Map<string, unknown>();
    for (const entry of raw.data) {
      const key = entry.symbol.trim().toUpperCase();
      if (!byFmpSymbol.has(key)) byFmpSymbol.set(key, entry);
    }
    const found: Record<string, Quote> = {};
    const unknown: string[] = [];
    for (const symbol of new Set(symbols)) {
      const entry = byFmpSymbol.get(toFmpSymbol(symbol));
      if (entry === undefined) {
        unknown.push(symbol);
        continue;
      }
      const quote = fmpQuote.transform([entry], { symbol });
      // A malformed entry fails the whole batch: calling it unknown would wrongly end the search for that
      // symbol, and the next provider can answer the batch.
      if (!quote.ok) return failure('bad_data', `${quote.failure.detail} (${symbol})`);
      found[symbol] = quote.value;
    }
    return { ok: true, value: { found, unknown } };
  },
};
