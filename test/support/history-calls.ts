import { vi } from 'vitest';

/**
 * Provider calls for daily history, apart from the others a history request makes (its corporate
 * actions): one pattern per provider's history endpoint, matched on the URLs the layer's upstream client
 * hands to `fetch` in this process. The sandbox counts calls per provider only, and a miss now also asks
 * for splits and dividends.
 */
const HISTORY_PATHS = [
  /function=TIME_SERIES_DAILY\b/,
  /\/stock\/candle/,
  /historical-price-eod/,
  /\/time_series/,
  /\/v2\/aggs\//,
];

/** Starts counting history calls; the function returned says how many were made since. */
export function historyCallCounter(): () => number {
  const spy = vi.spyOn(globalThis, 'fetch');
  // A spy already on `fetch` (an earlier test's) is handed back as it is: count from now.
  spy.mockClear();
  return () =>
    spy.mock.calls.filter(([input]) => {
      const url = input instanceof Request ? input.url : String(input);
      return HISTORY_PATHS.some((path) => path.test(url));
    }).length;
}
