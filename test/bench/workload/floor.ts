import { DEFAULT_CACHE_POLICY } from '../../../lib/cache/cache-policy.js';
import { nextMarketClose } from '../../../lib/cache/market-close.js';
import type { DataType } from '../../../lib/model/data-types.js';
import { corporateActionsKey } from '../../../lib/services/corporate-actions-answer.js';
import type { ScheduledRequest, WorkloadRequest } from './requests.js';

/** A piece of data one provider call fills: its data type and cache key. */
export interface Fill {
  dataType: DataType;
  key: string;
}

/**
 * What provider data a request needs, keyed as the cache keys it: quotes per symbol, a symbol's
 * whole daily series whatever range is asked (and its splits and dividends, which every history
 * answer is adjusted with), statements per symbol, kind and period.
 */
export function fillsOf(request: WorkloadRequest): Fill[] {
  switch (request.kind) {
    case 'quote':
      return [{ dataType: 'quote', key: request.symbol }];
    case 'batch':
      return request.symbols.map((symbol) => ({ dataType: 'quote', key: symbol }));
    case 'history':
      return [
        { dataType: 'daily_history', key: request.symbol },
        { dataType: 'corporate_actions', key: corporateActionsKey(request.symbol, 'splits') },
        { dataType: 'corporate_actions', key: corporateActionsKey(request.symbol, 'dividends') },
      ];
    case 'financials':
      return [{ dataType: 'financials', key: `${request.symbol}#${request.statement}#${request.period}` }];
    case 'company':
      return [{ dataType: 'company', key: request.symbol }];
    case 'search':
      return [{ dataType: 'search', key: request.query }];
  }
}

/** How long a fill at `at` stays fresh, as the service decides it (daily bars: until the next close). */
function freshMs(dataType: DataType, at: number): number {
  const policy = DEFAULT_CACHE_POLICY[dataType].freshSeconds * 1000;
  if (dataType !== 'daily_history') return policy;
  return Math.max(60_000, Math.min(nextMarketClose(new Date(at)) - at, policy));
}

/**
 * The floor: provider calls no cache could have saved. Each key needs one call at its first request
 * and one more at the first request after each freshness window ends (distinct keys × windows). A
 * batch's due quotes come `symbolsPerBatchCall` to a call: on a paid plan a provider's multi-symbol
 * endpoint serves up to 100 in one (the smallest `maxSymbols` of the configured ones), on the free
 * plans there is none and each quote is a call of its own (1).
 */
export function upstreamFloor(
  schedule: readonly ScheduledRequest[],
  symbolsPerBatchCall = 1,
): {
  calls: number;
  byType: Record<string, number>;
} {
  const freshUntil = new Map<string, number>();
  const byType: Record<string, number> = {};
  let calls = 0;
  for (const { at, request } of schedule) {
    const due = fillsOf(request).filter((fill) => {
      const id = `${fill.dataType}#${fill.key}`;
      if ((freshUntil.get(id) ?? Number.NEGATIVE_INFINITY) > at) return false;
      freshUntil.set(id, at + freshMs(fill.dataType, at));
      return true;
    });
    const [first] = due;
    if (!first) continue;
    const cost = request.kind === 'batch' ? Math.ceil(due.length / symbolsPerBatchCall) : due.length;
    byType[first.dataType] = (byType[first.dataType] ?? 0) + cost;
    calls += cost;
  }
  return { calls, byType };
}
