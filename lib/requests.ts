import * as z from 'zod/mini';
import { InvalidRequestError, UnsupportedMediaTypeError } from './errors.js';
import { type HistoryRequest, MAX_HISTORY_DAYS } from './model/daily-bars.js';
import { STATEMENT_KINDS, STATEMENT_PERIODS, type StatementsQuery } from './model/financial-statements.js';
import { ADJUSTMENTS, DEFAULT_ADJUSTMENT } from './model/price-basis.js';
import { PROVIDER_IDS, type ProviderId } from './model/provider-ids.js';
import { parseSymbol, SYMBOL_RULE, SymbolSchema } from './symbols.js';
import { sanitizeText } from './validation/text.js';

/** Most symbols one batch may ask for (and what one BatchGetItem round reads). */
export const MAX_BATCH_SYMBOLS = 100;

/**
 * How far back daily history goes by default (at most: `MAX_HISTORY_DAYS`): within what Alpha
 * Vantage's free `compact` answer holds on any date (its latest 100 trading days span 137 days or
 * more), so the default request costs one call on the free plan (`COMPACT_REACH_DAYS`).
 */
const DEFAULT_HISTORY_DAYS = 135;

function invalid(message: string, issues: z.core.$ZodIssue[] | string[]): never {
  throw new InvalidRequestError(
    message,
    issues.map((issue) =>
      typeof issue === 'string' ? issue : `${issue.path.join('.') || 'value'}: ${issue.message}`,
    ),
  );
}

/**
 * A day a client names, `YYYY-MM-DD`, that exists: zod's ISO date, whose pattern (in the OpenAPI
 * document too) knows month lengths and leap years, so the document refuses what this refuses.
 */
const RequestDateSchema = z.iso.date('must be a calendar date, YYYY-MM-DD').check(z.maxLength(10));

/** The allowed price bases, as a 400 names them. */
const ADJUSTMENT_RULE = `adjustment must be one of: ${ADJUSTMENTS.join(', ')}`;

/** `?history=daily&from=&to=&adjustment=` on the stock route: daily bars instead of the quote. */
export const HistoryParamsSchema = z.object({
  history: z.literal('daily', 'history must be "daily"'),
  from: z.optional(RequestDateSchema),
  to: z.optional(RequestDateSchema),
  adjustment: z._default(
    z
      .enum(ADJUSTMENTS, ADJUSTMENT_RULE)
      .check(
        z.describe(
          'The price basis of the bars: `raw` as traded, `splits` adjusted for splits (prices comparable ' +
            'across a split), `all` adjusted for splits and dividends (the total-return series).',
        ),
      ),
    DEFAULT_ADJUSTMENT,
  ),
});

/**
 * `?history=daily&from=&to=&adjustment=`: an inclusive date range, `to` defaulting to today (UTC) and
 * `from` to about 100 trading days before it; never in the future, never reversed, and starting at
 * most 20 years ago. Measured back from today, not from `to`: a symbol's series is cached once, up to
 * today (`lib/cache/series.ts`), and the providers' plans reach back from today, so a range ending in
 * the past may not start further back than one ending today. `adjustment` is the price basis
 * (`raw`, `splits`, `all`; default {@link DEFAULT_ADJUSTMENT}); it means nothing without
 * `history=daily`, so asking it of a quote is refused rather than ignored.
 */
export function parseHistoryQuery(
  symbol: unknown,
  params: Record<string, string | undefined>,
  now: Date,
): HistoryRequest {
  if (params.adjustment !== undefined && params.history === undefined) {
    invalid('invalid history query', [`adjustment: only with history=daily; ${ADJUSTMENT_RULE}`]);
  }
  const parsed = z.safeParse(HistoryParamsSchema, params);
  if (!parsed.success) invalid('invalid history query', parsed.error.issues);
  const today = now.toISOString().slice(0, 10);
  const to = parsed.data.to ?? today;
  const from =
    parsed.data.from ??
    new Date(Date.parse(`${to}T00:00:00Z`) - DEFAULT_HISTORY_DAYS * 86_400_000).toISOString().slice(0, 10);
  const problems = [
    ...(to > today ? ['to: must not be in the future'] : []),
    ...(from > to ? ['from: must not be after to'] : []),
    ...((Date.parse(today) - Date.parse(from)) / 86_400_000 > MAX_HISTORY_DAYS
      ? ['from: at most 20 years ago']
      : []),
  ];
  if (problems.length > 0) invalid('invalid history query', problems);
  return { symbol: parseSymbol(symbol), from, to, adjustment: parsed.data.adjustment };
}

/** `?statement=&period=` on the financials route. */
export const StatementParamsSchema = z.object({
  statement: z.enum(STATEMENT_KINDS, `statement must be one of: ${STATEMENT_KINDS.join(', ')}`),
  period: z._default(
    z.enum(STATEMENT_PERIODS, `period must be one of: ${STATEMENT_PERIODS.join(', ')}`),
    'annual',
  ),
});

/** `?statement=income|balance|cash&period=annual|quarterly` (period defaults to annual). */
export function parseStatementsQuery(
  symbol: unknown,
  params: Record<string, string | undefined>,
): StatementsQuery {
  const parsed = z.safeParse(StatementParamsSchema, params);
  if (!parsed.success) invalid('invalid financials query', parsed.error.issues);
  return { symbol: parseSymbol(symbol), ...parsed.data };
}

/** `?q=`: a name or ticker, 1–64 characters. */
export const SearchParamsSchema = z.object({
  q: z.string().check(z.minLength(1), z.maxLength(64)),
});

/** `?q=`: 1–64 characters of text once markup and control characters are gone. */
export function parseSearchQuery(params: Record<string, string | undefined>): string {
  // Longer input is refused, not cut: a cut query would search for something the client did not ask.
  const parsed = z.safeParse(SearchParamsSchema, params);
  const query = parsed.success ? sanitizeText(parsed.data.q, 64) : null;
  if (!query) invalid('invalid search', ['q: must be 1-64 characters of text']);
  return query;
}

/** The batch request's body, `{ "symbols": [...] }`: 1–100 symbols. */
export const BatchPricesRequestSchema = z.object({
  symbols: z
    .array(SymbolSchema)
    .check(
      z.minLength(1, 'symbols must list at least one symbol'),
      z.maxLength(MAX_BATCH_SYMBOLS, `symbols must list at most ${MAX_BATCH_SYMBOLS} symbols`),
    ),
});

/** `application/json`, with or without parameters (`; charset=utf-8`), in any letter case. */
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/**
 * `{ "symbols": [...] }` sent as `application/json`: 1–100 valid symbols. Any other media type, or
 * none, is refused before the body is read (OWASP: reject unexpected content types with 415). Every
 * bad symbol is named by its position, so the client can fix them all at once; duplicates (after
 * upper-casing) are asked once.
 */
export function parseBatchRequest(body: string | null, contentType: string | undefined): string[] {
  if (!JSON_MEDIA_TYPE.test(contentType?.trim() ?? ''))
    throw new UnsupportedMediaTypeError('application/json');
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    invalid('invalid batch request', ['body: must be JSON']);
  }
  const parsed = z.safeParse(BatchPricesRequestSchema, json);
  if (!parsed.success) invalid('invalid batch request', batchProblems(parsed.error.issues));
  return [...new Set(parsed.data.symbols)];
}

/**
 * What is wrong with a batch body: a bad symbol named by its position, once however many of its checks
 * failed, and never quoted (a 400 must not carry the client's, possibly hostile, text back).
 */
function batchProblems(issues: z.core.$ZodIssue[]): string[] {
  const problems = issues.map((issue) => {
    const [field, index] = issue.path;
    return field === 'symbols' && typeof index === 'number'
      ? `symbols.${index}: ${SYMBOL_RULE}`
      : `${issue.path.join('.') || 'value'}: ${issue.message}`;
  });
  return [...new Set(problems)];
}

/** A provider id as a path names it (`{name}`, `{provider}`): exactly one of the known ids. */
export const ProviderIdSchema = z.enum(PROVIDER_IDS);

/** A provider id from a client or operator, or `InvalidRequestError` naming the known ones. */
export function parseProviderId(raw: unknown): ProviderId {
  const parsed = z.safeParse(ProviderIdSchema, raw);
  if (parsed.success) return parsed.data;
  throw new InvalidRequestError('unknown provider', [`name must be one of: ${PROVIDER_IDS.join(', ')}`]);
}
