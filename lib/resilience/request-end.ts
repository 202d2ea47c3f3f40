import { AsyncLocalStorage } from 'node:async_hooks';

const requestEnd = new AsyncLocalStorage<number>();

/**
 * Runs `run` as one request that must be answered by `endsAt` (epoch ms). Every dependency call made
 * inside it, however deep, is bounded by that moment (see `DependencyGuard`) without each layer in
 * between passing the deadline along.
 */
export function runUntil<T>(endsAt: number, run: () => Promise<T>): Promise<T> {
  return requestEnd.run(endsAt, run);
}

/** When the current request must be answered (epoch ms); `undefined` outside a request. */
export function currentRequestEnd(): number | undefined {
  return requestEnd.getStore();
}
