import { LRUCache } from 'lru-cache';
import type { CacheRecord } from './cache-items.js';

/** How much one container keeps in memory: both bounds hold, the least recently used goes first. */
export interface MemoryCacheOptions {
  /** `CACHE_MEMORY_MAX_ENTRIES`; 0 turns the memory cache off. */
  maxEntries: number;
  /** `CACHE_MEMORY_MAX_MB`, in bytes: compressed values plus a fixed allowance per entry. */
  maxBytes: number;
}

/**
 * On a 512 MB Lambda the layer's heap is ~100 MB, and a request unpacking a 20-year series briefly
 * holds a few MB more: 64 MiB of compressed values (an eighth of the function's memory) holds ~500
 * such series (~120 KB each) or every quote of a 10 000-symbol universe. Entries are bounded too,
 * because each costs its allowance however small its value (a quote is ~300 B compressed).
 */
export const DEFAULT_MEMORY_CACHE_OPTIONS: MemoryCacheOptions = {
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
};

/** What an entry costs beyond its compressed bytes: the record's strings and numbers, the LRU's node. */
const ENTRY_ALLOWANCE_BYTES = 512;

/**
 * The cached records one container has seen (read from DynamoDB, or written by it), as Powertools
 * Idempotency keeps its local cache: an LRU bounded by entries and bytes, each record honoured only
 * within its own times, read on the layer's clock (an entry past them is dropped when met). Values stay
 * compressed, as stored: the byte bound is what they really cost, and every hit unpacks its own copy.
 *
 * `fresh` answers a repeated hit without a DynamoDB read; `servable` is what the container can still
 * serve, stale, while DynamoDB is away.
 */
export class MemoryCache {
  readonly #records: LRUCache<string, CacheRecord>;

  constructor(options: MemoryCacheOptions) {
    this.#records = new LRUCache<string, CacheRecord>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (record) => (record.bytes?.length ?? 0) + ENTRY_ALLOWANCE_BYTES,
    });
  }

  /** A record that answers without DynamoDB at `now`: a fresh value, or a "not found" marker in force. */
  fresh(id: string, now: number): CacheRecord | undefined {
    const record = this.servable(id, now);
    if (!record) return undefined;
    return record.notFoundUntil > now || (record.bytes !== null && record.freshUntil > now)
      ? record
      : undefined;
  }

  /** A record still worth something at `now`: a value within its stale window, or a marker in force. */
  servable(id: string, now: number): CacheRecord | undefined {
    const record = this.#records.get(id);
    if (!record) return undefined;
    if (record.notFoundUntil > now || (record.bytes !== null && record.servableUntil > now)) return record;
    this.#records.delete(id);
    return undefined;
  }

  /**
   * Keeps `record` unless the one held was written later (this container's own write, which a lagging
   * replica does not show yet); answers the one kept.
   */
  remember(id: string, record: CacheRecord): CacheRecord {
    const held = this.#records.peek(id);
    if (held && writtenAt(held) > writtenAt(record)) return held;
    this.#records.set(id, record);
    return record;
  }

  /** Sets a "not found" marker beside whatever value is held, as the marker's write does in DynamoDB. */
  markNotFound(id: string, at: number, until: number): void {
    const held = this.#records.peek(id);
    this.#records.set(id, {
      ...(held ?? {
        provider: undefined,
        fetchedAt: undefined,
        freshUntil: 0,
        servableUntil: 0,
        bytes: null,
      }),
      notFoundAt: at,
      notFoundUntil: until,
    });
  }
}

/** When a record was last written: its value's fetch or its marker, whichever is later. */
function writtenAt(record: CacheRecord): number {
  return Math.max(record.fetchedAt === undefined ? 0 : Date.parse(record.fetchedAt) || 0, record.notFoundAt);
}
