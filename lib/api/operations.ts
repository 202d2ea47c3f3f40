import * as z from 'zod/mini';
import { KeyIdSchema } from '../keys/secrets-layout.js';
import { CompanyProfileSchema } from '../model/company-profile.js';
import { CorporateActionsSchema } from '../model/corporate-actions.js';
import { DailySeriesSchema } from '../model/daily-bars.js';
import { FinancialStatementsSchema } from '../model/financial-statements.js';
import { AdjustmentMetaSchema } from '../model/price-basis.js';
import { QuoteSchema } from '../model/quote.js';
import { SearchResultSchema } from '../model/search-result.js';
import { QualityReportSchema } from '../quality/report.js';
import {
  BatchPricesRequestSchema,
  HistoryParamsSchema,
  ProviderIdSchema,
  SearchParamsSchema,
  StatementParamsSchema,
} from '../requests.js';
import { CircuitStatusSchema } from '../resilience/breaker-status.js';
import { AnswerMetaSchema, dataAnswerSchema, ProviderAttemptSchema } from '../services/answer-meta.js';
import { BatchErrorSchema, BatchPricesAnswerSchema } from '../services/batch-prices.js';
import { HealthReportSchema } from '../services/health.js';
import { KeyStatusSchema, ProviderKeysStatusSchema } from '../services/key-status.js';
import { ProviderStatusSchema } from '../services/provider-status.js';
import { SYMBOL_RULE, SymbolSchema } from '../symbols.js';
import { CORPORATE_ACTIONS_EXAMPLE } from './examples.js';
import type { FixedStatusProblemKind } from './problems.js';

/** A schema of any kind, as `z.toJSONSchema` takes it. */
type Schema = z.core.$ZodType;

/** What one operation of the API reads and answers: the same schemas that parse and build it. */
export interface OperationContract {
  readonly summary: string;
  readonly description?: string;
  /** Who it is for: clients' market data, operators, or the API's own description. */
  readonly tag: 'Market data' | 'Operations' | 'API';
  /** Each `{placeholder}` of the route's path. */
  readonly pathParameters?: Readonly<Record<string, { schema: Schema; description: string }>>;
  /** The query string as the handler's parser reads it. */
  readonly query?: z.ZodMiniObject;
  /** A JSON request body: its component name and schema. */
  readonly body?: { readonly name: string; readonly schema: Schema };
  /** The 200 answer: its component name and schema. */
  readonly answer: { readonly name: string; readonly schema: Schema };
  /** A data answer: a strong `ETag`, `Cache-Control: private, max-age=…`, and 304 on `If-None-Match`. */
  readonly cacheable?: boolean;
  /** `Cache-Control` when not cacheable data: `no-store` unless given (the document itself has one). */
  readonly cacheControl?: 'no-store' | 'private-max-age';
  /** Problems the function itself answers with; 403, 429 (client routes), 4XX and 5XX apply to every route. */
  readonly problems: readonly FixedStatusProblemKind[];
  /** An example of the 200 answer the document shows (`examples` of its media type); it must match the schema. */
  readonly example?: { readonly summary: string; readonly value: unknown };
  /** Other statuses that answer with the 200 answer's schema (health: 503 when nothing can be served). */
  readonly alsoAnswersWith?: readonly number[];
}

const symbolParameter = {
  schema: SymbolSchema,
  description: `A ticker (\`IBM\`, \`BRK.B\`, \`^GSPC\`), case-insensitive: ${SYMBOL_RULE}.`,
};
const providerParameter = { schema: ProviderIdSchema, description: 'A provider id.' };

/** An operator reading, as `readingResponse` writes it: the data as just read, and when. */
function readingSchema<Data extends Schema>(data: Data) {
  return z.object({ data, meta: z.object({ readAt: z.iso.datetime() }) });
}

const quoteAnswer = dataAnswerSchema(QuoteSchema);
/** Daily history's answer: its `meta` also states the price basis and the actions applied. */
const dailySeriesAnswer = z.object({
  data: DailySeriesSchema,
  meta: z.extend(AnswerMetaSchema, { adjustment: AdjustmentMetaSchema }),
});

/**
 * The API's shapes that get a name in the document (`#/components/schemas/<name>`): wherever one of
 * these schema objects appears in an answer, the document refers to it instead of repeating it.
 */
export const NAMED_SCHEMAS: Readonly<Record<string, Schema>> = {
  Quote: QuoteSchema,
  DailySeries: DailySeriesSchema,
  FinancialStatements: FinancialStatementsSchema,
  CompanyProfile: CompanyProfileSchema,
  CorporateActions: CorporateActionsSchema,
  SearchResult: SearchResultSchema,
  AnswerMeta: AnswerMetaSchema,
  AdjustmentMeta: AdjustmentMetaSchema,
  ProviderAttempt: ProviderAttemptSchema,
  QualityReport: QualityReportSchema,
  QuoteAnswer: quoteAnswer,
  DailySeriesAnswer: dailySeriesAnswer,
  BatchError: BatchErrorSchema,
  CircuitStatus: CircuitStatusSchema,
  HealthReport: HealthReportSchema,
  ProviderStatus: ProviderStatusSchema,
  ProviderKeysStatus: ProviderKeysStatusSchema,
  KeyStatus: KeyStatusSchema,
};

/** The smallest promise about the document this API serves: an OpenAPI 3.1 document. */
const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string().check(z.regex(/^3\.1\.\d+$/)),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

const dataProblems = ['badRequest', 'symbolNotFound', 'providersUnavailable'] as const;
const circuitBreakerAnswer = {
  name: 'CircuitBreakerAnswer',
  schema: z.object({ data: CircuitStatusSchema }),
};

/** Every operation of the API, by its route id (the operationId). */
export const OPERATIONS: Readonly<Record<string, OperationContract>> = {
  GetStockQuote: {
    tag: 'Market data',
    summary: 'The latest quote of a symbol, or its daily bars',
    description:
      'Without query parameters: the latest quote. With `history=daily` (and optionally `from`, `to`, ' +
      'ISO dates; by default about 100 trading days up to today, at most 20 years): daily bars, on the ' +
      'price basis `adjustment` asks (`raw` as traded, `splits` adjusted for splits, `all` the total-return ' +
      'series; default `splits`), the same whichever provider answered; `meta.adjustment` states the ' +
      'basis and the splits and dividends applied. `adjustment` without `history=daily` is a 400.',
    pathParameters: { symbol: symbolParameter },
    query: z.partial(HistoryParamsSchema),
    answer: { name: 'StockAnswer', schema: z.union([quoteAnswer, dailySeriesAnswer]) },
    cacheable: true,
    problems: dataProblems,
  },
  GetFinancials: {
    tag: 'Market data',
    summary: 'Financial statements of a symbol',
    pathParameters: { symbol: symbolParameter },
    query: StatementParamsSchema,
    answer: { name: 'FinancialStatementsAnswer', schema: dataAnswerSchema(FinancialStatementsSchema) },
    cacheable: true,
    problems: dataProblems,
  },
  GetCompany: {
    tag: 'Market data',
    summary: 'The company profile of a symbol',
    pathParameters: { symbol: symbolParameter },
    answer: { name: 'CompanyProfileAnswer', schema: dataAnswerSchema(CompanyProfileSchema) },
    cacheable: true,
    problems: dataProblems,
  },
  GetCorporateActions: {
    tag: 'Market data',
    summary: 'The splits and cash dividends of a symbol',
    description:
      'Splits (`ratio`: shares after per share before, effective at the open of `exDate`) and cash ' +
      'dividends (per share as declared on their ex-date, in their currency), each list ascending by ' +
      '`exDate`; empty lists when the symbol has none. The two lists are fetched and cached apart: ' +
      '`meta.providers` names the provider of each, and `meta` is as old, as stale and as fresh as the ' +
      'older part. A symbol no provider lists is a 404: where the providers answer it with empty lists ' +
      '(FMP, Polygon, Finnhub), two empty lists are checked against the company profile.',
    pathParameters: { symbol: symbolParameter },
    answer: { name: 'CorporateActionsAnswer', schema: dataAnswerSchema(CorporateActionsSchema) },
    example: { summary: 'A 10-for-1 split between two dividends', value: CORPORATE_ACTIONS_EXAMPLE },
    cacheable: true,
    problems: dataProblems,
  },
  SearchSymbols: {
    tag: 'Market data',
    summary: 'Listings matching a name or ticker',
    description: 'Markup and control characters are removed from `q` before searching.',
    query: SearchParamsSchema,
    answer: { name: 'SearchAnswer', schema: dataAnswerSchema(SearchResultSchema) },
    cacheable: true,
    problems: ['badRequest', 'providersUnavailable'],
  },
  BatchPrices: {
    tag: 'Market data',
    summary: 'Quotes of up to 100 symbols in one request',
    description:
      'Every symbol asked is in exactly one of `results`, `missing` (no provider knows it) or `errors` ' +
      '(it could not be served now). The body must be sent as `application/json`.',
    body: { name: 'BatchPricesRequest', schema: BatchPricesRequestSchema },
    answer: { name: 'BatchPricesAnswer', schema: BatchPricesAnswerSchema },
    problems: ['badRequest', 'unsupportedMediaType'],
  },
  GetHealth: {
    tag: 'Operations',
    summary: 'Deep health: the table, the key pools, the providers that can be called',
    description: 'Answers 503 with the same report when no provider can be called at all.',
    answer: { name: 'HealthAnswer', schema: readingSchema(HealthReportSchema) },
    alsoAnswersWith: [503],
    problems: [],
  },
  GetOpenApi: {
    tag: 'API',
    summary: 'This document',
    answer: { name: 'OpenApiDocument', schema: OpenApiDocumentSchema },
    cacheControl: 'private-max-age',
    problems: [],
  },
  ListCircuitBreakers: {
    tag: 'Operations',
    summary: "Every provider's circuit breaker, read fresh",
    answer: { name: 'CircuitBreakersAnswer', schema: readingSchema(z.array(CircuitStatusSchema)) },
    problems: [],
  },
  ResetCircuitBreaker: {
    tag: 'Operations',
    summary: 'Close a breaker with its counts cleared (recorded with who did it)',
    pathParameters: { name: providerParameter },
    answer: circuitBreakerAnswer,
    problems: ['badRequest'],
  },
  OpenCircuitBreaker: {
    tag: 'Operations',
    summary: 'Force a breaker open for maintenance: no probe until reset (recorded)',
    pathParameters: { name: providerParameter },
    answer: circuitBreakerAnswer,
    problems: ['badRequest'],
  },
  GetApiKeysStatus: {
    tag: 'Operations',
    summary: 'Every provider key pool: per key its fingerprint, usage, budget and state; never a key',
    answer: { name: 'ApiKeysStatusAnswer', schema: readingSchema(z.array(ProviderKeysStatusSchema)) },
    problems: [],
  },
  ReleaseApiKey: {
    tag: 'Operations',
    summary: "Lift a key's parking or quarantine (logged with who did it)",
    description: '`data` is `null` when the pool holds no key of that id.',
    pathParameters: {
      provider: providerParameter,
      keyId: { schema: KeyIdSchema, description: "A key's id in its pool." },
    },
    answer: { name: 'ReleasedKeyAnswer', schema: z.object({ data: z.nullable(KeyStatusSchema) }) },
    problems: ['badRequest'],
  },
  GetProvidersStatus: {
    tag: 'Operations',
    summary: 'Providers, their priority per data type, breakers and key-pool sizes',
    answer: { name: 'ProvidersStatusAnswer', schema: readingSchema(z.array(ProviderStatusSchema)) },
    problems: [],
  },
};
