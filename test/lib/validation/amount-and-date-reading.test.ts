import { describe, expect, it } from 'vitest';
import { toIsoDate, toNumber } from '../../../lib/validation/sanitize.js';

describe('toNumber: the length bound', () => {
  it('reads an amount of exactly 100 characters and refuses one of 101', () => {
    expect(toNumber(`${'0'.repeat(99)}7`)).toBe(7);
    expect(toNumber(`${'0'.repeat(100)}7`)).toBeNull();
  });
});

describe('toIsoDate: where the date sits', () => {
  it('reads a date only at the start of the value, with a time after it allowed', () => {
    expect(toIsoDate('2024-01-02T15:30:00Z')).toBe('2024-01-02');
    expect(toIsoDate('on 2024-01-02')).toBeNull();
    expect(toIsoDate('x2024-01-02')).toBeNull();
  });
});
