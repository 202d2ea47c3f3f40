import { describe, expect, it } from 'vitest';
import { closedRecord } from '../../../lib/resilience/breaker-state.js';
import { BreakerView } from '../../../lib/resilience/breaker-view.js';

describe('BreakerView before its first read', () => {
  it('knows every breaker as closed, reading nothing to say so', () => {
    let reads = 0;
    const view = new BreakerView(
      {
        readAll: async () => {
          reads += 1;
          return new Map();
        },
      },
      1_000,
    );
    expect(view.lastKnown('fmp')).toEqual(closedRecord('fmp'));
    expect(reads).toBe(0);
  });
});
