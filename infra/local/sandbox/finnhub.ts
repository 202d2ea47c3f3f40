import { dayOf, lastTradeMs, latestTradingDay, parseIsoDay, tradingDaysBetween } from './calendar.js';
import { listedActions } from './listed-actions.js';
import { companyFor, round } from './market-generator.js';
import type { MarketView } from './price-bases.js';
import {
  type Answer,
  type DataRequest,
  type JsonValue,
  jsonAnswer,
  type ProviderModule,
} from './provider.js';
import { searchSymbols } from './symbol-search.js';

/**
 * Finnhub as served at `/finnhub/api/v1/...`: compact JSON with JSON numbers, real HTTP statuses for
 * refusals (401 key, 403 plan, 429 limit) with an `{"error": "..."}` body, and Finnhub's own ways of
 * saying "unknown symbol": a quote of zeros, an empty profile, `{"s":"no_data"}` for candles.
 */

const CONTENT_TYPE = 'application/json; charset=utf-8';
const MS_PER_DAY = 86_400_000;
/** 20:00 UTC: the New York close (16:00 EDT), as Finnhub stamps a closed session's last trade. */

/**
 * Error texts as Finnhub sends them: the key and limit ones word for word from
 * test/fixtures/providers/finnhub/errors, the plan one as public client code quotes it.
 */
export const FINNHUB_MESSAGES = {
  invalidKey: 'Invalid API key.',
  limit: 'API limit reached. Please try again later. Remaining Limit: 0',
  noAccess: "You don't have access to this resource.",
} as const;

const json = (status: number, body: JsonValue): Answer => jsonAnswer(status, body, 0, CONTENT_TYPE);
const error = (status: number, message: string): Answer => json(status, { error: message });

/** Finnhub's suffixes for the foreign venues the shared search knows (`.LON`, `.DEX` in its own form). */
const FINNHUB_SUFFIXES: Readonly<Record<string, string>> = { '.LON': '.L', '.DEX': '.DE' };

/** The quote of the latest session: the last trade is now during the session, the close after it. */
function quoteBody(market: MarketView, symbol: string, now: Date): JsonValue {
  const day = latestTradingDay(now);
  const quote = market.quote(symbol, day);
  const { bar } = quote;
  return {
    c: bar.close,
    d: quote.change,
    dp: round(quote.changePercent, 4),
    h: bar.high,
    l: bar.low,
    o: bar.open,
    pc: bar.previousClose,
    t: Math.floor(lastTradeMs(day, now) / 1000),
  };
}

/** The answer to a symbol Finnhub does not list: zeros, and no change at all. */
const UNKNOWN_QUOTE: JsonValue = { c: 0, d: null, dp: null, h: 0, l: 0, o: 0, pc: 0, t: 0 };

function profileBody(market: MarketView, symbol: string, now: Date): JsonValue {
  const company = companyFor(symbol);
  const quote = market.quote(symbol, latestTradingDay(now));
  const site = company.symbol.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    country: 'US',
    currency: 'USD',
    estimateCurrency: 'USD',
    exchange: company.exchange === 'NASDAQ' ? 'NASDAQ NMS - GLOBAL MARKET' : 'NEW YORK STOCK EXCHANGE, INC.',
    finnhubIndustry: company.sector,
    ipo: company.ipoDate,
    logo: `https://static2.finnhub.io/file/publicdatany/finnhubimage/stock_logo/${company.symbol}.png`,
    // Finnhub reports both in millions.
    marketCapitalization: quote.marketCap / 1_000_000,
    name: company.name,
    phone: '15550100100',
    shareOutstanding: company.sharesOutstanding / 1_000_000,
    ticker: company.symbol,
    weburl: `https://www.${site}.example.com/`,
  };
}

/**
 * Daily candles in [from, to] (epoch seconds), ascending, stamped 00:00 UTC of each session: as traded,
 * split-adjusted with `adjusted=true` (the documented parameter, false by default).
 */
function candleBody(market: MarketView, symbol: string, query: URLSearchParams, now: Date): JsonValue {
  const [from, to] = ['from', 'to'].map((name) => {
    const seconds = query.get(name);
    return seconds === null || seconds === '' ? Number.NaN : dayOf(new Date(Number(seconds) * 1000));
  }) as [number, number];
  if (!Number.isFinite(from) || !Number.isFinite(to)) return { s: 'no_data' };
  const bars = market.bars(
    symbol,
    tradingDaysBetween(from, Math.min(to, latestTradingDay(now))).reverse(),
    query.get('adjusted') === 'true' ? 'splits' : 'raw',
  );
  if (bars.length === 0) return { s: 'no_data' };
  return {
    c: bars.map((b) => b.close),
    h: bars.map((b) => b.high),
    l: bars.map((b) => b.low),
    o: bars.map((b) => b.open),
    s: 'ok',
    t: bars.map((b) => ((parseIsoDay(b.date) ?? 0) * MS_PER_DAY) / 1000),
    v: bars.map((b) => b.volume),
  };
}

/** Dates of `from`..`to` (`YYYY-MM-DD`, both required by Finnhub; open-ended here when left out). */
function withinRange(query: URLSearchParams): (date: string) => boolean {
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '9999-12-31';
  return (date) => date >= from && date <= to;
}

/** `/stock/split`: ascending, `toFactor` shares for `fromFactor`. */
function splitsBody(market: MarketView, symbol: string, query: URLSearchParams): JsonValue {
  const within = withinRange(query);
  return listedActions(market, symbol)
    .splits.filter((split) => within(split.exDate))
    .map((split) => ({ symbol, date: split.exDate, fromFactor: split.from, toFactor: split.to }));
}

/** `/stock/dividend`: newest first, `amount` as declared, `adjustedAmount` in today's shares. */
function dividendsBody(market: MarketView, symbol: string, query: URLSearchParams): JsonValue {
  const within = withinRange(query);
  return listedActions(market, symbol)
    .dividends.filter((dividend) => within(dividend.exDate))
    .map((dividend) => ({
      symbol,
      date: dividend.exDate,
      amount: dividend.amount,
      adjustedAmount: dividend.splitAdjustedAmount,
      payDate: dividend.payDate,
      recordDate: dividend.recordDate,
      declarationDate: dividend.declarationDate,
      currency: dividend.currency,
    }))
    .reverse();
}

/** Endpoints of paid plans: a free key gets 403 whatever the symbol (candles left the free plan too). */
const PAID_ENDPOINTS: readonly string[] = [
  '/api/v1/stock/candle',
  '/api/v1/stock/split',
  '/api/v1/stock/dividend',
];

function searchBody(text: string, isKnown: (symbol: string) => boolean): JsonValue {
  const result = searchSymbols(text, isKnown).map((match) => {
    const suffix = Object.keys(FINNHUB_SUFFIXES).find((s) => match.symbol.endsWith(s));
    const symbol =
      suffix === undefined
        ? match.symbol
        : `${match.symbol.slice(0, -suffix.length)}${FINNHUB_SUFFIXES[suffix]}`;
    return { description: match.name, displaySymbol: symbol, symbol, type: 'Common Stock' };
  });
  return { count: result.length, result };
}

/** The Finnhub module. */
export const finnhub: ProviderModule = {
  id: 'finnhub',

  // Finnhub takes the key as `token=` or in the `X-Finnhub-Token` header.
  apiKey(request: DataRequest) {
    const header = request.headers['x-finnhub-token'];
    return request.query.get('token') ?? (typeof header === 'string' ? header : undefined);
  },

  fault(fault) {
    switch (fault) {
      case 'invalid-key':
        return error(401, FINNHUB_MESSAGES.invalidKey);
      // Finnhub has per-second and per-minute limits but no daily quota: one answer for both.
      case 'throttled':
      case 'daily-limit':
        return error(429, FINNHUB_MESSAGES.limit);
      case 'premium':
        return error(403, FINNHUB_MESSAGES.noAccess);
    }
  },

  // 60 calls a minute on the free plan (and 30 a second on every plan), no daily quota.
  freePlanLimits: { perMinute: 60 },

  freePlanRefusal(request) {
    const path = request.path.replace(/\/+$/, '');
    return PAID_ENDPOINTS.includes(path)
      ? { refused: path.replace('/api/v1/', ''), answer: error(403, FINNHUB_MESSAGES.noAccess) }
      : undefined;
  },

  handle(request, context) {
    const { query } = request;
    const symbol = query.get('symbol')?.trim().toUpperCase() ?? '';
    const known = symbol !== '' && context.isKnown(symbol);
    const { market, now } = context;
    switch (request.path.replace(/\/+$/, '')) {
      case '/api/v1/quote':
        return json(200, known ? quoteBody(market, symbol, now) : UNKNOWN_QUOTE);
      case '/api/v1/stock/profile2':
        return json(200, known ? profileBody(market, symbol, now) : {});
      case '/api/v1/stock/candle':
        return json(200, known ? candleBody(market, symbol, query, now) : { s: 'no_data' });
      case '/api/v1/stock/split':
        return json(200, known ? splitsBody(market, symbol, query) : []);
      case '/api/v1/stock/dividend':
        return json(200, known ? dividendsBody(market, symbol, query) : []);
      case '/api/v1/search':
        return json(
          200,
          searchBody(query.get('q') ?? '', (s) => context.isKnown(s)),
        );
      default:
        // Finnhub's Go router answers an unknown route with its stock text.
        return {
          status: 404,
          kind: 'text',
          body: '404 page not found\n',
          contentType: 'text/plain; charset=utf-8',
        };
    }
  },
};
