import type { DailySeries } from '../../lib/model/daily-bars.js';
import type { Quote } from '../../lib/model/quote.js';
import type { Sighting } from '../../lib/quality/agreement.js';

/** A quote with only what agreement compares: the price and the previous close, on one trading day. */
export function pricedQuote(price: number, previousClose: number | null, tradingDay: string): Quote {
  return {
    symbol: 'IBM',
    price,
    open: null,
    high: null,
    low: null,
    previousClose,
    change: null,
    changePercent: null,
    volume: null,
    tradingDay,
    currency: 'USD',
  };
}

export function series(bars: DailySeries['bars']): DailySeries {
  return { symbol: 'IBM', currency: 'USD', bars };
}

/** One provider's value, fetched at `fetchedAt` (epoch ms). */
export const seen = <V>(provider: Sighting<V>['provider'], value: V, fetchedAt: number): Sighting<V> => ({
  provider,
  value,
  fetchedAt,
});
