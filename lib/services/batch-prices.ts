import pLimit from 'p-limit';
import * as z from 'zod/mini';
import { DataLayerError, ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import { type Quote, QuoteSchema } from '../model/quote.js';
import type { DomainLogger } from '../observability/logger.js';
import type { BatchQuoteEndpoint } from '../providers/provider.js';
import type { ProviderManager } from '../providers/provider-manager.js';
import { isServable, type QualityReport } from '../quality/report.js';
import { dataAnswerSchema } from './answer-meta.js';
import type { DataAnswer, MarketDataService } from './market-data-service.js';

/** A symbol no value could be served for, and why (never an internal message). */
export const BatchErrorSchema = z.object({
  symbol: z.string(),
  error: z.enum(['providers_unavailable', 'internal_error']),
  detail: z.string(),
  retryAfterSeconds: z.optional(z.int().check(z.positive())),
});

export type BatchError = z.infer<typeof BatchErrorSchema>;

/**
 * The batch answer: every symbol asked is in exactly one of `results` (by symbol), `missing`
 * (no provider knows it) or `errors` (it could not be served now) — never silently fewer.
 */
export const BatchPricesAnswerSchema = z.object({
  results: z.record(z.string(), dataAnswerSchema(QuoteSchema)),
  missing: z.array(z.string()),
  errors: z.array(BatchErrorSchema),
});

export type BatchPricesAnswer = z.infer<typeof BatchPricesAnswerSchema>;

/** What a batch works with: the service's cache path and single-symbol path, and the multi-symbol endpoints. */
export interface BatchPricesDeps {
  /** Reads and writes the cache, counting its faults, and serves the misses one by one. */
  marketData: MarketDataService;
  logger: DomainLogger;
  /** Most misses fetched at once: provider calls are scarce, and each still passes its key's rate limit. */
  concurrency: number;
  /** Multi-symbol endpoints, tried first for the misses when the operator's plan has one. */
  multiSymbol: {
    endpoints: readonly BatchQuoteEndpoint<Quote>[];
    providers: ProviderManager;
    score: (quote: Quote, now: Date) => QualityReport;
    qualityFloor: number;
    now: () => Date;
  };
}

/**
 * Prices for up to 100 symbols: the cache for all of them in one BatchGetItem round, then only the
 * misses from the providers, a bounded number at a time, each through the same path as a single
 * quote (breakers, key budgets, retries, fallback, stale serving).
 */
export async function batchPrices(
  symbols: readonly string[],
  deps: BatchPricesDeps,
): Promise<BatchPricesAnswer> {
  const answer: BatchPricesAnswer = { results: {}, missing: [], errors: [] };
  // A cache that cannot be read is counted by the service, and every symbol is fetched.
  const cached = await deps.marketData.readCacheMany<Quote>('quote', symbols);
  const misses: string[] = [];
  for (const symbol of symbols) {
    const found = cached.get(symbol) ?? { kind: 'none' };
    if (found.kind === 'not_found') answer.missing.push(symbol);
    else {
      const fresh = deps.marketData.fromFreshEntry('quote', found, symbol);
      if (fresh) answer.results[symbol] = fresh;
      else misses.push(symbol);
    }
  }

  const viaBatch = await fetchWithMultiSymbolEndpoints(misses, deps);
  Object.assign(answer.results, Object.fromEntries(viaBatch));
  const rest = misses.filter((symbol) => !viaBatch.has(symbol));

  const limit = pLimit(deps.concurrency);
  await Promise.all(
    rest.map((symbol) =>
      limit(async () => {
        try {
          answer.results[symbol] = await deps.marketData.quoteAfterCacheRead(
            symbol,
            cached.get(symbol) ?? { kind: 'none' },
          );
        } catch (error) {
          if (error instanceof SymbolNotFoundError) answer.missing.push(symbol);
          else answer.errors.push(batchError(symbol, error, deps.logger));
        }
      }),
    ),
  );
  answer.missing.sort();
  answer.errors.sort((a, b) => a.symbol.localeCompare(b.symbol));
  return answer;
}

/**
 * The misses through a provider's multi-symbol endpoint, one call per chunk, through the same breakers,
 * key budgets and retries as any call. Each quote is scored and cached on its own; whatever a batch
 * did not serve (unknown to it, under the quality floor, or the call failed) goes the single-symbol way.
 */
async function fetchWithMultiSymbolEndpoints(
  symbols: readonly string[],
  deps: BatchPricesDeps,
): Promise<Map<string, DataAnswer<Quote>>> {
  const served = new Map<string, DataAnswer<Quote>>();
  const { endpoints, providers, score, qualityFloor, now } = deps.multiSymbol;
  if (endpoints.length === 0 || symbols.length < 2) return served;
  const chunkSize = Math.min(...endpoints.map((endpoint) => endpoint.maxSymbols));
  for (let start = 0; start < symbols.length; start += chunkSize) {
    const chunk = symbols.slice(start, start + chunkSize);
    const result = await providers.fetch(endpoints, { symbols: chunk });
    if (!result.ok) continue;
    const { provider, fetchedAt, attempts } = result;
    const stored: Promise<[string, DataAnswer<Quote>]>[] = [];
    for (const [symbol, quote] of Object.entries(result.value.found)) {
      const quality = score(quote, now());
      if (!chunk.includes(symbol) || !isServable(quality, qualityFloor)) continue;
      // Stored side by side, each the way a single quote is (its meta, its tolerated cache write).
      const fetched = { value: quote, provider, fetchedAt, attempts, quality };
      stored.push(deps.marketData.storeFetched('quote', symbol, fetched).then((answer) => [symbol, answer]));
    }
    for (const [symbol, answer] of await Promise.all(stored)) served.set(symbol, answer);
  }
  return served;
}

function batchError(symbol: string, error: unknown, logger: DomainLogger): BatchError {
  if (error instanceof ProvidersUnavailableError) {
    return {
      symbol,
      error: 'providers_unavailable',
      detail: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  logger.error('batch symbol failed', error instanceof Error ? error : String(error));
  const detail = error instanceof DataLayerError ? error.message : 'the symbol could not be served';
  return { symbol, error: 'internal_error', detail };
}
