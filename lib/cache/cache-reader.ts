import type { DataType } from '../model/data-types.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { CacheLookup, DataCache } from './data-cache.js';

/** What reads the cache on a request's path: the service's first read, and a fill's waiters. */
export interface CacheReads {
  read<T>(dataType: DataType, key: string, options?: { consistent?: boolean }): Promise<CacheLookup<T>>;
}

export interface CacheReaderDeps {
  cache: Pick<DataCache, 'lookup' | 'lookupMany' | 'remembered'>;
  metrics: Pick<DataLayerMetrics, 'cacheError'>;
  logger: DomainLogger;
}

/**
 * The cache as a request reads it: an optimization, so a DynamoDB fault is counted and logged and the
 * request goes on with what this container remembers of the key (its memory cache), a miss when
 * nothing. One reader serves the service and the fill coordinator, so a read fails the same way for both.
 */
export class CacheReader implements CacheReads {
  constructor(private readonly deps: CacheReaderDeps) {}

  async read<T>(
    dataType: DataType,
    key: string,
    options?: { consistent?: boolean },
  ): Promise<CacheLookup<T>> {
    try {
      return await this.deps.cache.lookup<T>(dataType, key, options);
    } catch (error) {
      cacheFault(this.deps, dataType, 'read', error);
      return this.deps.cache.remembered<T>(dataType, key);
    }
  }

  /** Many keys of one data type in one round (batches); on a fault every key is what memory holds. */
  async readMany<T>(dataType: DataType, keys: readonly string[]): Promise<Map<string, CacheLookup<T>>> {
    try {
      return await this.deps.cache.lookupMany<T>(dataType, keys);
    } catch (error) {
      cacheFault(this.deps, dataType, 'read', error);
      return new Map(
        await Promise.all(
          keys.map(async (key) => [key, await this.deps.cache.remembered<T>(dataType, key)] as const),
        ),
      );
    }
  }
}

/** A cache (or fill lease) fault: counted and logged, never the request's failure. */
export function cacheFault(
  deps: Pick<CacheReaderDeps, 'metrics' | 'logger'>,
  dataType: DataType,
  operation: 'read' | 'write',
  error: unknown,
  message = 'cache unavailable; going on without it',
): void {
  deps.metrics.cacheError(dataType, operation);
  deps.logger.warn(message, { dataType, operation, error: error instanceof Error ? error.name : 'unknown' });
}
