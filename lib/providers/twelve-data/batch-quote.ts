import type { Quote } from '../../model/quote.js';
import { type BatchQuoteEndpoint, type BatchQuoteValue, failure, recordOf } from '../provider.js';
import { classifyTwelveDataAnswer, isNotFound, twelveDataErrorOf } from './classify.js';
import { quoteFromTwelveData } from './quote.js';
import { twelveDataRequest } from './request.js';
import { toTwelveDataSymbol } from './symbols.js';

/** Twelve Data's documented ceiling for one batch request. */
const MAX_SYMBOLS = 120;

/**
 * Twelve Data's batch `/quote?symbol=A,B` (free plan; each symbol costs one credit). The answer is an
 * object keyed by the symbols as asked, each value a quote or a per-symbol error of the usual shape
 * (`batch_error.json`: `{"code": 400, "message": "**symbol** not found: INVALID...", "status": "error"}`).
 * A symbol Twelve Data does not know goes to `unknown`. A symbol refused for another reason (its
 * exchange outside the plan) or whose quote fails validation is in neither list, so the caller asks
 * the next provider for it. A batch of one is answered as a single quote, not keyed: Twelve Data
 * does that.
 */
export const twelveDataBatchQuote: BatchQuoteEndpoint<Quote> = {
  provider: 'twelve-data',
  dataType: 'quote',
  plan: 'free',
  maxSymbols: MAX_SYMBOLS,

  buildRequest: ({ symbols }, { baseUrl, apiKey }) =>
    twelveDataRequest(baseUrl, apiKey, '/quote', { symbol: symbols.map(toTwelveDataSymbol).join(',') }),

  classify(answer, now) {
    // A "not found" for the whole answer is what a batch of one unknown symbol gets: the transform
    // reports the symbol as unknown rather than failing the batch.
    const error = twelveDataErrorOf(answer.body);
    if (error !== undefined && isNotFound(error)) return null;
    return classifyTwelveDataAnswer(answer, now);
  },

  transform(body, { symbols }) {
    const record = recordOf(body);
    if (record === undefined) return failure('bad_data', 'Twelve Data batch answer is not an object');
    // An error in place of the whole answer: "not found" for a batch of one unknown symbol (the
    // classifier has already turned any other error into a failure).
    const whole = twelveDataErrorOf(body);
    if (whole !== undefined) {
      return isNotFound(whole)
        ? { ok: true, value: { found: {}, unknown: [...symbols] } }
        : failure('bad_data', 'Twelve Data batch answer is an error');
    }
    const value: BatchQuoteValue<Quote> = { found: {}, unknown: [] };
    const problems: string[] = [];
    const keyed = symbols.length > 1;
    for (const symbol of symbols) {
      const entry = keyed ? entryFor(record, symbol) : body;
      if (entry === undefined) continue;
      const error = twelveDataErrorOf(entry);
      if (error !== undefined) {
        if (isNotFound(error)) value.unknown.push(symbol);
        continue;
      }
      const quote = quoteFromTwelveData(entry, symbol);
      if (quote.ok) value.found[symbol] = quote.value;
      else problems.push(`${symbol}: ${quote.failure.detail}`);
    }
    // Only when nothing at all came back usable is the answer itself bad.
    if (Object.keys(value.found).length === 0 && value.unknown.length === 0 && problems.length > 0) {
      return failure('bad_data', `Twelve Data batch had no valid quote (${problems.join('; ')})`);
    }
    return { ok: true, value };
  },
};

/** The answer's entry for a client symbol: keyed as asked (`VOD:LSE`), case aside. */
function entryFor(body: Record<string, unknown>, symbol: string): unknown {
  const asked = toTwelveDataSymbol(symbol);
  if (Object.hasOwn(body, asked)) return body[asked];
  const key = Object.keys(body).find((k) => k.toUpperCase() === asked.toUpperCase());
  return key === undefined ? undefined : body[key];
}
