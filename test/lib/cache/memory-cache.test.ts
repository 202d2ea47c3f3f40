import { describe, expect, it } from 'vitest';
import type { CacheRecord } from '../../../lib/cache/cache-items.js';
import { MemoryCache } from '../../../lib/cache/memory-cache.js';

const NOW = Date.parse('2026-12-07T15:00:00Z');

/** A value fetched at `NOW`, fresh for 5 min and servable 1 h more, of `bytes` compressed bytes. */
function valueRecord(bytes = 100, fetchedAt = NOW): CacheRecord {
  return {
    provider: 'fmp',
    fetchedAt: new Date(fetchedAt).toISOString(),
    freshUntil: fetchedAt + 300_000,
    servableUntil: fetchedAt + 3_900_000,
    notFoundAt: 0,
    notFoundUntil: 0,
    bytes: new Uint8Array(bytes),
  };
}

const roomy = () => new MemoryCache({ maxEntries: 100, maxBytes: 1024 * 1024 });

describe('MemoryCache', () => {
  it('answers a value as fresh until its freshUntil, then only as servable until its servableUntil, then forgets it', () => {
    const memory = roomy();
    const record = valueRecord();
    memory.remember('quote#IBM', record);
    expect(memory.fresh('quote#IBM', NOW + 299_999)).toBe(record);
    expect(memory.fresh('quote#IBM', NOW + 300_000)).toBeUndefined();
    expect(memory.servable('quote#IBM', NOW + 3_899_999)).toBe(record);
    expect(memory.servable('quote#IBM', NOW + 3_900_000)).toBeUndefined();
    expect(memory.servable('quote#IBM', NOW)).toBeUndefined();
  });

  it('answers a not-found marker until its end, beside the value it leaves as it was', () => {
    const memory = roomy();
    memory.remember('quote#GONE', valueRecord());
    memory.markNotFound('quote#GONE', NOW + 400_000, NOW + 1_000_000);
    expect(memory.fresh('quote#GONE', NOW + 999_999)).toMatchObject({ notFoundUntil: NOW + 1_000_000 });
    const after = memory.servable('quote#GONE', NOW + 1_000_000);
    expect(after?.bytes?.length).toBe(100);
    expect(memory.fresh('quote#GONE', NOW + 1_000_000)).toBeUndefined();
  });

  it('keeps its own later write over an older record a lagging replica answers', () => {
    const memory = roomy();
    const newer = valueRecord(10, NOW + 60_000);
    memory.remember('quote#IBM', newer);
    expect(memory.remember('quote#IBM', valueRecord(20, NOW))).toBe(newer);
    const newest = valueRecord(30, NOW + 120_000);
    expect(memory.remember('quote#IBM', newest)).toBe(newest);
  });

  it('holds at most its entries, dropping the least recently used', () => {
    const memory = new MemoryCache({ maxEntries: 2, maxBytes: 1024 * 1024 });
    memory.remember('a', valueRecord());
    memory.remember('b', valueRecord());
    memory.fresh('a', NOW);
    memory.remember('c', valueRecord());
    expect(memory.fresh('a', NOW)).toBeDefined();
    expect(memory.fresh('b', NOW)).toBeUndefined();
    expect(memory.fresh('c', NOW)).toBeDefined();
  });

  it('holds at most its bytes (compressed values plus an allowance each), and never a value bigger than that', () => {
    const memory = new MemoryCache({ maxEntries: 100, maxBytes: 10_000 });
    for (const id of ['a', 'b', 'c']) memory.remember(id, valueRecord(3_000));
    memory.remember('d', valueRecord(3_000));
    expect(['a', 'b', 'c', 'd'].filter((id) => memory.fresh(id, NOW))).toEqual(['c', 'd']);
    memory.remember('huge', valueRecord(20_000));
    expect(memory.fresh('huge', NOW)).toBeUndefined();
  });
});
