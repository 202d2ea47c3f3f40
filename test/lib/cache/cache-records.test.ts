import { describe, expect, it } from 'vitest';
import {
  type CacheRecord,
  headKey,
  partKey,
  partPrefix,
  recordOf,
  splitOf,
} from '../../../lib/cache/cache-items.js';
import { MemoryCache } from '../../../lib/cache/memory-cache.js';

// How the cache reads a head (and a split value's parts) into a record, and how a container's memory
// keeps "not found" markers: the decoding edges a half-done write or an old item can leave.
const NOW = Date.UTC(2026, 5, 1, 15);
const bytes = (...values: number[]) => new Uint8Array(values);
const part = (version: string, index: number, value: Uint8Array) => ({
  ...partKey('daily_history', 'IBM', version, index),
  bytes: { B: value },
});

describe('the layout of a cached thing', () => {
  it('keys the head and the parts of one version inside the thing’s partition', () => {
    expect(headKey('quote', 'IBM')).toEqual({ pk: { S: 'quote#IBM' }, sk: { S: 'cache#v2' } });
    expect(partKey('quote', 'IBM', 'abc', 3)).toEqual({
      pk: { S: 'quote#IBM' },
      sk: { S: 'cache#v2#abc#3' },
    });
    expect(partPrefix('abc')).toBe('cache#v2#abc#');
  });

  it('reads a split only from a head naming a version and a whole, positive part count', () => {
    expect(splitOf({ version: { S: 'v' }, parts: { N: '2' } })).toEqual({ version: 'v', parts: 2 });
    expect(splitOf({ version: { S: 'v' } })).toBeNull();
    expect(splitOf({ parts: { N: '2' } })).toBeNull();
    expect(splitOf({ version: { S: 'v' }, parts: { N: '0' } })).toBeNull();
    expect(splitOf({ version: { S: 'v' }, parts: { N: '1.5' } })).toBeNull();
  });
});

describe('recordOf', () => {
  it('reads an inline value with its times', () => {
    const record = recordOf(
      {
        provider: { S: 'fmp' },
        fetchedAt: { S: new Date(NOW).toISOString() },
        freshUntil: { N: String(NOW + 60_000) },
        servableUntil: { N: String(NOW + 600_000) },
        value: { B: bytes(1, 2, 3) },
      },
      [],
    );
    expect(record).toEqual({
      provider: 'fmp',
      fetchedAt: new Date(NOW).toISOString(),
      freshUntil: NOW + 60_000,
      servableUntil: NOW + 600_000,
      notFoundAt: 0,
      notFoundUntil: 0,
      bytes: bytes(1, 2, 3),
    });
  });

  it('reads a marker alone as no value, with its times, and unreadable times as 0', () => {
    const record = recordOf(
      {
        notFoundAt: { S: new Date(NOW).toISOString() },
        notFoundUntil: { N: String(NOW + 3_600_000) },
        freshUntil: { N: 'soon' },
      },
      [],
    );
    expect(record).toMatchObject({
      notFoundAt: NOW,
      notFoundUntil: NOW + 3_600_000,
      freshUntil: 0,
      bytes: null,
    });
    expect(recordOf({ notFoundAt: { S: 'yesterday' } }, []).notFoundAt).toBe(0);
  });

  it("joins a split value's parts in index order, only from the version its head names", () => {
    const head = { version: { S: 'new' }, parts: { N: '2' } };
    const record = recordOf(head, [
      part('new', 1, bytes(3, 4)),
      part('old', 0, bytes(9)),
      part('new', 0, bytes(1, 2)),
      // Another facet of the partition (a lease) and a part without bytes are not parts of the value.
      { sk: { S: 'lease' }, bytes: { B: bytes(7) } },
      { sk: { S: 'cache#v2#new#5' } },
    ]);
    expect([...(record.bytes ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it('reads no value when a part of the named version is missing (a write half done)', () => {
    const head = { version: { S: 'new' }, parts: { N: '2' } };
    expect(recordOf(head, [part('new', 0, bytes(1)), part('old', 1, bytes(2))]).bytes).toBeNull();
  });
});

describe('MemoryCache markers', () => {
  const value = (fields: Partial<CacheRecord>): CacheRecord => ({
    provider: 'fmp',
    fetchedAt: new Date(NOW).toISOString(),
    freshUntil: NOW + 60_000,
    servableUntil: NOW + 600_000,
    notFoundAt: 0,
    notFoundUntil: 0,
    bytes: bytes(1),
    ...fields,
  });

  it('holds a marker for a symbol it holds nothing of, fresh until it lapses', () => {
    const memory = new MemoryCache({ maxEntries: 10, maxBytes: 1_000_000 });
    memory.markNotFound('quote#NOPE', NOW, NOW + 1_000);
    expect(memory.fresh('quote#NOPE', NOW)).toMatchObject({ bytes: null, notFoundUntil: NOW + 1_000 });
    expect(memory.fresh('quote#NOPE', NOW + 1_000)).toBeUndefined();
    expect(memory.servable('quote#NOPE', NOW + 1_000)).toBeUndefined();
  });

  it('sets a marker beside a value it holds, as the marker write does in DynamoDB', () => {
    const memory = new MemoryCache({ maxEntries: 10, maxBytes: 1_000_000 });
    memory.remember('quote#IBM', value({}));
    memory.markNotFound('quote#IBM', NOW + 10, NOW + 1_000);
    expect(memory.servable('quote#IBM', NOW + 20)).toMatchObject({ bytes: bytes(1), notFoundAt: NOW + 10 });
  });

  it('keeps the later of two writes, a marker counting from when it was set', () => {
    const memory = new MemoryCache({ maxEntries: 10, maxBytes: 1_000_000 });
    memory.markNotFound('quote#IBM', NOW + 10, NOW + 1_000);
    const older = value({ fetchedAt: new Date(NOW).toISOString() });
    expect(memory.remember('quote#IBM', older).bytes).toBeNull();
    // A value with no readable fetch time is older than anything written.
    expect(memory.remember('quote#IBM', value({ fetchedAt: undefined })).bytes).toBeNull();
    expect(memory.remember('quote#IBM', value({ fetchedAt: 'garbled' })).bytes).toBeNull();
    const newer = value({ fetchedAt: new Date(NOW + 20).toISOString() });
    expect(memory.remember('quote#IBM', newer)).toBe(newer);
  });
});
