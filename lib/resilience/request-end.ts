import { AsyncLocalStorage } from 'node:async_hooks';

const stored = new AsyncLocalStorage<number>();

/** Time kept back at the end of a request to write the cache, fall back to a stale value, or answer 503. */
export const ANSWER_MARGIN_MS = 1_000;

/**
 * Runs `run` as one request that must be answered by `endsAt` (epoch ms). Every call made inside it,
 * however deep, reads that moment (`requestEnd`, `providerWorkEnd`) instead of each layer in between
 * passing a deadline along: the dependency guard bounds DynamoDB and Secrets Manager calls by it, the
 * fill coordinator's waiters and the provider manager by the provider work's end.
 */
export function runUntil<T>(endsAt: number, run: () => T): T {
  return stored.run(endsAt, run);
}

/**
 * Runs `run` with its provider work due by `workEnd` (epoch ms), a share of the current request's
 * time (one provider of a chain, the corporate actions beside a series): inside it the request ends
 * `ANSWER_MARGIN_MS` after that, never later than the request itself.
 */
export function workDueBy<T>(workEnd: number, run: () => T): T {
  return runUntil(Math.min(requestEnd(), workEnd + ANSWER_MARGIN_MS), run);
}

/**
 * When the current request must be answered (epoch ms): no call of it may outlive that.
 * `Infinity` outside a request: nothing then bounds a call but its own timeout.
 */
export function requestEnd(): number {
  return stored.getStore() ?? Number.POSITIVE_INFINITY;
}

/** When the current request's provider work must be done (epoch ms): its end less the answer margin. */
export function providerWorkEnd(): number {
  return requestEnd() - ANSWER_MARGIN_MS;
}
