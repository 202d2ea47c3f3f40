import pLimit from 'p-limit';
import type { CacheLookup, DataCache } from '../cache/data-cache.js';
import { DataLayerError, ProvidersUnavailableError, SymbolNotFoundError } from '../errors.js';
import type { Quote } from '../model/quote.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataAnswer, MarketDataService } from './market-data-service.js';

/** A symbol no value could be served for, and why (never an internal message). */
export interface BatchError {
  symbol: string;
  error: 'providers_unavailable' | 'internal_error';
  detail: string;
  retryAfterSeconds?: number;
}

/**
 * The batch answer: every symbol asked is in exactly one of `results` (by symbol), `missing`
 * (no provider knows it) or `errors` (it could not be served now) — never silently fewer.
 */
export interface BatchPricesAnswer {
  results: Record<string, DataAnswer<Quote>>;
  missing: string[];
  errors: BatchError[];
}

export interface BatchPricesDeps {
  cache: DataCache;
  marketData: MarketDataService;
  logger: DomainLogger;
  /** Most misses fetched at once: provider calls are scarce, and each still passes its key's rate limit. */
  concurrency: number;
}

/**
 * Prices for up to 100 symbols: the cache for all of them in one BatchGetItem round, then only the
 * misses from the providers, a bounded number at a time, each through the same path as a single
 * quote (breakers, key budgets, retries, fallback, stale serving).
 */
export async function batchPrices(
  symbols: readonly string[],
  deadline: number,
  deps: BatchPricesDeps,
): Promise<BatchPricesAnswer> {
  const answer: BatchPricesAnswer = { results: {}, missing: [], errors: [] };
  const cached = await deps.cache.lookupMany<Quote>('quote', symbols).catch((error: unknown) => {
    deps.logger.warn('batch cache read failed; fetching every symbol', {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return new Map<string, CacheLookup<Quote>>();
  });
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

  const limit = pLimit(deps.concurrency);
  await Promise.all(
    misses.map((symbol) =>
      limit(async () => {
        try {
          answer.results[symbol] = await deps.marketData.quoteAfterCacheRead(
            symbol,
            cached.get(symbol) ?? { kind: 'none' },
            deadline,
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
