import * as z from 'zod/mini';
import { type Quote, QuoteSchema } from '../../model/quote.js';
import { failure, type ProviderEndpoint } from '../provider.js';
import { classifyFmpAnswer } from './classify.js';
import { fmpRequest } from './request.js';
import { fromFmpSymbol, toFmpSymbol } from './symbols.js';

/** FMP sends JSON numbers; a field it does not have for a listing is absent or `null`. */
const optionalNumber = z.optional(z.nullable(z.number()));

/** One entry of FMP's `/stable/quote` answer: the fields this layer reads, others ignored. */
const FmpQuoteSchema = z.object({
  symbol: z.string().check(z.minLength(1)),
  price: z.number(),
  /** In percent: -0.47641 is -0.47641 %. */
  changePercentage: optionalNumber,
  change: optionalNumber,
  volume: optionalNumber,
  dayLow: optionalNumber,
  dayHigh: optionalNumber,
  open: optionalNumber,
  previousClose: optionalNumber,
  /** Epoch seconds of the last trade. */
  timestamp: z.number(),
  /** Not in today's answer; read if FMP ever adds it. */
  currency: z.optional(z.nullable(z.string())),
});

/** `/stable/quote` answers a list, one entry per symbol asked for. */
const FmpQuoteAnswerSchema = z.array(FmpQuoteSchema).check(z.minLength(1));

/** FMP's `/stable/quote`: the latest price and the day's bar for one symbol. */
export const fmpQuote: ProviderEndpoint<{ symbol: string }, Quote> = {
  provider: 'fmp',
  dataType: 'quote',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    fmpRequest(baseUrl, apiKey, '/stable/quote', { symbol: toFmpSymbol(symbol) }),

  classify(answer, now) {
    const byMeaning = classifyFmpAnswer(answer, now);
    if (byMeaning) return byMeaning;
    // FMP answers a symbol it does not list with HTTP 200 and an empty list.
    if (Array.isArray(answer.body) && answer.body.length === 0) {
      return { kind: 'unknown_symbol', detail: 'FMP returned an empty quote list' };
    }
    return null;
  },

  transform(body, { symbol }) {
    if (!Array.isArray(body)) return failure('bad_data', 'FMP quote answer is not a list');
    const raw = z.safeParse(FmpQuoteAnswerSchema, body);
    if (!raw.success) return failure('bad_data', `FMP quote answer is malformed: ${fieldsIn(raw.error)}`);
    const fmpSymbol = toFmpSymbol(symbol);
    const entry = raw.data.find((item) => item.symbol.toUpperCase() === fmpSymbol) ?? raw.data[0];
    if (!entry) return failure('bad_data', 'FMP quote answer is empty');
    const answered = entry.symbol.trim().toUpperCase();
    const candidate = {
      // The client's own spelling when FMP answered for what was asked (`BRK-B` asked as `BRK.B` or
      // `BRK-B` comes back as asked); otherwise FMP's symbol in the dot form.
      symbol: answered === fmpSymbol ? symbol : fromFmpSymbol(answered),
      price: entry.price,
      open: entry.open ?? null,
      high: entry.dayHigh ?? null,
      low: entry.dayLow ?? null,
      previousClose: entry.previousClose ?? null,
      change: entry.change ?? null,
      changePercent: entry.changePercentage == null ? null : entry.changePercentage / 100,
      volume: entry.volume ?? null,
      tradingDay: utcDateOfEpochSeconds(entry.timestamp),
      // The quote does not say its currency (the profile endpoint does); `null` rather than a guess.
      currency: entry.currency ? entry.currency.trim().toUpperCase() : null,
    };
    const quote = z.safeParse(QuoteSchema, candidate);
    if (!quote.success) return failure('bad_data', `FMP quote failed validation: ${fieldsIn(quote.error)}`);
    return { ok: true, value: quote.data };
  },
};

/**
 * The trading day as the UTC date of the last trade. FMP's quote carries no exchange time zone, and
 * the UTC date is the exchange's own date for the regular sessions of the US, Europe and most of Asia.
 * It can be a day off for trades near midnight UTC: US after-hours past 20:00 EDT, or an Australian or
 * New Zealand open in their summer. A timestamp that is not a plausible instant gives `null`, which
 * fails validation as `tradingDay`.
 */
function utcDateOfEpochSeconds(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

/** The fields named in a zod error, list indices dropped: `price, timestamp`. */
function fieldsIn(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string {
  const names = error.issues.map(
    (issue) =>
      issue.path
        .filter((key) => typeof key === 'string')
        .map(String)
        .join('.') || 'entry',
  );
  return [...new Set(names)].join(', ');
}
