import { describe, expect, it } from 'vitest';
import { nextMarketClose } from '../../../lib/cache/market-close.js';

const close = (iso: string) => new Date(nextMarketClose(new Date(iso))).toISOString();

describe('nextMarketClose', () => {
  it('is 16:00 New York the same day before the close (21:00 UTC in winter)', () => {
    expect(close('2026-11-26T15:00:00Z')).toBe('2026-11-26T21:00:00.000Z');
  });

  it('is 20:00 UTC in summer, when New York is on daylight time', () => {
    expect(close('2026-07-01T12:00:00Z')).toBe('2026-07-01T20:00:00.000Z');
  });

  it('is the same day at midnight in New York (05:00 UTC in winter)', () => {
    expect(close('2026-11-27T05:00:00Z')).toBe('2026-11-27T21:00:00.000Z');
    // Saturday's midnight: the weekend is skipped from there too.
    expect(close('2026-11-28T05:00:00Z')).toBe('2026-11-30T21:00:00.000Z');
  });

  it('moves to the next weekday after the close', () => {
    expect(close('2026-11-26T21:00:00Z')).toBe('2026-11-27T21:00:00.000Z');
  });

  it('skips the weekend: Friday after the close gives Monday', () => {
    expect(close('2026-11-27T22:00:00Z')).toBe('2026-11-30T21:00:00.000Z');
  });

  it('handles the switch to standard time in between', () => {
    // Friday 30 Oct 2026 after the close (EDT) → Monday 2 Nov, after the switch (EST).
    expect(close('2026-10-30T21:30:00Z')).toBe('2026-11-02T21:00:00.000Z');
  });
});
