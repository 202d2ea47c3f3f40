import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compressJson, decompressJson, joinBytes, splitBytes } from '../../../lib/cache/item-codec.js';

describe('compressJson / decompressJson', () => {
  it('gives back the value it packed', async () => {
    const value = { symbol: 'IBM', bars: [{ date: '2026-11-27', close: 123.45, volume: null }], note: 'ü €' };
    expect(await decompressJson(await compressJson(value))).toEqual(value);
  });

  it('packs a repetitive series several times smaller than its JSON', async () => {
    const bars = Array.from({ length: 5000 }, (_, i) => ({
      date: new Date(Date.UTC(2006, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
      open: 100 + (i % 97) / 10,
      high: 101 + (i % 89) / 10,
      low: 99 + (i % 83) / 10,
      close: 100 + (i % 79) / 10,
      adjustedClose: null,
      volume: 1_000_000 + i,
    }));
    const json = JSON.stringify({ bars });
    expect((await compressJson({ bars })).length).toBeLessThan(json.length / 4);
  });
});

describe('splitBytes / joinBytes', () => {
  it('cuts into parts of at most the given size that join back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), (bytes, size) => {
        const parts = splitBytes(bytes, size);
        expect(parts.every((part) => part.length <= size)).toBe(true);
        expect(parts.length).toBe(Math.max(1, Math.ceil(bytes.length / size)));
        expect(Buffer.from(joinBytes(parts)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('refuses a part size below one byte', () => {
    expect(() => splitBytes(new Uint8Array(3), 0)).toThrow(RangeError);
  });
});
