import { describe, expect, it } from 'vitest';
import {
  ANSWER_MARGIN_MS,
  providerWorkEnd,
  requestEnd,
  runUntil,
  workDueBy,
} from '../../../lib/resilience/request-end.js';

const T0 = Date.now();

describe("the request's one deadline (request-end.ts)", () => {
  it('is no end outside a request: nothing bounds a call but its own timeout', () => {
    expect(requestEnd()).toBe(Number.POSITIVE_INFINITY);
    expect(providerWorkEnd()).toBe(Number.POSITIVE_INFINITY);
  });

  it('is the end the request runs under, read at any depth, with provider work due a margin before it', async () => {
    const read = await runUntil(T0 + 29_000, async () => {
      await Promise.resolve();
      return { end: requestEnd(), work: providerWorkEnd() };
    });
    expect(read).toEqual({ end: T0 + 29_000, work: T0 + 29_000 - ANSWER_MARGIN_MS });
    expect(ANSWER_MARGIN_MS).toBe(1_000);
  });

  it('keeps each concurrent request to its own end', async () => {
    const ends = await Promise.all(
      [5_000, 9_000].map((ms) =>
        runUntil(T0 + ms, async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return requestEnd();
        }),
      ),
    );
    expect(ends).toEqual([T0 + 5_000, T0 + 9_000]);
  });

  it("gives a share its own provider work end, never past the request's", () => {
    runUntil(T0 + 20_000, () => {
      expect(workDueBy(T0 + 6_000, providerWorkEnd)).toBe(T0 + 6_000);
      expect(workDueBy(T0 + 6_000, requestEnd)).toBe(T0 + 6_000 + ANSWER_MARGIN_MS);
      // A share asked to outlast the request ends with it.
      expect(workDueBy(T0 + 60_000, requestEnd)).toBe(T0 + 20_000);
      // And the request's end holds again once the share is over.
      expect(requestEnd()).toBe(T0 + 20_000);
    });
  });
});
