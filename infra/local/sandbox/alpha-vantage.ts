import { overviewBody, type StatementFunction, statementBody } from './alpha-vantage-fundamentals.js';
import { isoDay, latestTradingDay, tradingDaysBack, tradingDaysBetween } from './calendar.js';
import { listedActions } from './listed-actions.js';
import { companyFor } from './market-generator.js';
import type { MarketView } from './price-bases.js';
import {
  type Answer,
  type DataRequest,
  type JsonValue,
  jsonAnswer,
  type PlanRefusal,
  type ProviderModule,
} from './provider.js';
import { searchSymbols } from './symbol-search.js';

/**
 * Alpha Vantage as served at `/alpha-vantage/query?function=...`: its real wire format, where every
 * answer, errors and throttling included, is HTTP 200 with a JSON body pretty-printed with 4 spaces, all
 * figures are strings (prices with 4 decimals, percentages with a `%`, volumes as integer strings).
 */

const CONTENT_TYPE = 'application/json';
const DOCS = 'https://www.alphavantage.co/documentation/';

/** Error and notice texts, word for word as Alpha Vantage sends them (see test/fixtures/providers/alphavantage/errors). */
export const ALPHA_VANTAGE_MESSAGES = {
  invalidKey:
    'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.',
  throttled:
    'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.',
  dailyLimit:
    'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.',
  premium:
    'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints',
  premiumOutputSize:
    'Thank you for using Alpha Vantage! The outputsize=full parameter value is a premium feature for the TIME_SERIES_DAILY endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium features',
} as const;

/**
 * Functions the documentation marks premium: a free key gets the premium-endpoint notice. On the paid
 * plan the sandbox does not simulate them (they answer as unknown functions).
 */
export const ALPHA_VANTAGE_PREMIUM_FUNCTIONS: readonly string[] = [
  'TIME_SERIES_DAILY_ADJUSTED',
  'REALTIME_BULK_QUOTES',
  'REALTIME_OPTIONS',
  'FX_INTRADAY',
  'CRYPTO_INTRADAY',
  'VWAP',
  'MACD',
];

/**
 * The free plan's refusal of a call, or undefined when it serves it: premium functions, the premium
 * `outputsize=full` of `TIME_SERIES_DAILY` (free keys get `compact`, the latest 100 trading days), and
 * the premium US data of `GLOBAL_QUOTE&entitlement=`. All HTTP 200 with an `Information` notice.
 */
function freePlanRefusal({ query }: DataRequest): PlanRefusal | undefined {
  const fn = query.get('function') ?? '';
  const premium = ok({ Information: ALPHA_VANTAGE_MESSAGES.premium });
  if (ALPHA_VANTAGE_PREMIUM_FUNCTIONS.includes(fn)) return { refused: 'premium function', answer: premium };
  if (fn === 'TIME_SERIES_DAILY' && query.get('outputsize') === 'full') {
    return {
      refused: 'outputsize=full',
      answer: ok({ Information: ALPHA_VANTAGE_MESSAGES.premiumOutputSize }),
    };
  }
  if (fn === 'GLOBAL_QUOTE' && query.has('entitlement')) return { refused: 'entitlement', answer: premium };
  return undefined;
}

const ok = (body: JsonValue): Answer => jsonAnswer(200, body, 4, CONTENT_TYPE);
const invalidCall = (fn: string): Answer =>
  ok({ 'Error Message': `Invalid API call. Please retry or visit the documentation (${DOCS}) for ${fn}.` });

/** Price with 4 decimals, as in "121.7400". */
const price4 = (value: number): string => value.toFixed(4);

/**
 * GLOBAL_QUOTE's top-level key for an `entitlement=` value: Alpha Vantage names 15-minute delayed data
 * in the key; realtime data, the default data and any other value keep the standard key.
 */
function globalQuoteKey(entitlement: string | null): string {
  return entitlement === 'delayed' ? 'Global Quote - DATA DELAYED BY 15 MINUTES' : 'Global Quote';
}

function globalQuote(market: MarketView, symbol: string, day: number, key: string): JsonValue {
  const quote = market.quote(symbol, day);
  const { bar } = quote;
  const change = bar.close - bar.previousClose;
  return {
    [key]: {
      '01. symbol': symbol,
      '02. open': price4(bar.open),
      '03. high': price4(bar.high),
      '04. low': price4(bar.low),
      '05. price': price4(bar.close),
      '06. volume': String(bar.volume),
      '07. latest trading day': bar.date,
      '08. previous close': price4(bar.previousClose),
      '09. change': price4(Math.abs(change) < 5e-5 ? 0 : change),
      '10. change percent': `${((change / bar.previousClose) * 100).toFixed(4).replace(/^-(0\.0+)$/, '$1')}%`,
    },
  };
}

/**
 * TIME_SERIES_DAILY: `compact` = the latest 100 trading days, `full` = 20 years; newest first, as traded
 * ("raw (as-traded) daily open/high/low/close/volume values", the documentation says).
 */
function dailySeries(market: MarketView, symbol: string, day: number, outputSize: string | null): JsonValue {
  const full = outputSize === 'full';
  const days = full ? tradingDaysBetween(day - Math.round(20 * 365.25), day) : tradingDaysBack(day, 100);
  const series: Record<string, JsonValue> = {};
  for (const bar of market.bars(symbol, days, 'raw')) {
    series[bar.date] = {
      '1. open': price4(bar.open),
      '2. high': price4(bar.high),
      '3. low': price4(bar.low),
      '4. close': price4(bar.close),
      '5. volume': String(bar.volume),
    };
  }
  return {
    'Meta Data': {
      '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
      '2. Symbol': symbol,
      '3. Last Refreshed': isoDay(day),
      '4. Output Size': full ? 'Full size' : 'Compact',
      '5. Time Zone': 'US/Eastern',
    },
    'Time Series (Daily)': series,
  };
}

/**
 * SPLITS and DIVIDENDS (free: not marked premium), newest first, every figure a string: a split's factor
 * with four decimals (`"0.3333"` for 1 for 3), a dividend's amount as declared, `"None"` for a date it
 * does not have.
 */
function corporateActionsBody(market: MarketView, fn: 'SPLITS' | 'DIVIDENDS', symbol: string): JsonValue {
  const { splits, dividends } = listedActions(market, symbol);
  const data: JsonValue[] =
    fn === 'SPLITS'
      ? splits.map((split) => ({ effective_date: split.exDate, split_factor: split.ratio.toFixed(4) }))
      : dividends.map((dividend) => ({
          ex_dividend_date: dividend.exDate,
          declaration_date: dividend.declarationDate,
          record_date: dividend.recordDate,
          payment_date: dividend.payDate ?? 'None',
          amount: String(dividend.amount),
        }));
  return { symbol, data: data.reverse() };
}

function symbolSearch(keywords: string, isKnown: (symbol: string) => boolean): JsonValue {
  return {
    bestMatches: searchSymbols(keywords, isKnown).map((match) => ({
      '1. symbol': match.symbol,
      '2. name': match.name,
      '3. type': match.type,
      '4. region': match.region,
      '5. marketOpen': match.marketOpen,
      '6. marketClose': match.marketClose,
      '7. timezone': match.timezone,
      '8. currency': match.currency,
      '9. matchScore': match.score.toFixed(4),
    })),
  };
}

const STATEMENTS: readonly StatementFunction[] = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'];
const isStatement = (fn: string): fn is StatementFunction => (STATEMENTS as readonly string[]).includes(fn);

/** The Alpha Vantage module. */
export const alphaVantage: ProviderModule = {
  id: 'alpha-vantage',

  apiKey: (request: DataRequest) => request.query.get('apikey') ?? undefined,

  // "up to 25 API requests per day" and, as the per-minute notice says, 5 a minute.
  freePlanLimits: { perMinute: 5, perDay: 25 },
  freePlanRefusal,

  fault(fault) {
    switch (fault) {
      case 'invalid-key':
        return ok({ 'Error Message': ALPHA_VANTAGE_MESSAGES.invalidKey });
      case 'throttled':
        return ok({ Note: ALPHA_VANTAGE_MESSAGES.throttled });
      case 'daily-limit':
        return ok({ Information: ALPHA_VANTAGE_MESSAGES.dailyLimit });
      case 'premium':
        return ok({ Information: ALPHA_VANTAGE_MESSAGES.premium });
    }
  },

  handle(request, context) {
    if (request.path !== '/query' && request.path !== '/query/') {
      return { status: 404, kind: 'text', body: 'Not Found', contentType: 'text/plain' };
    }
    const fn = request.query.get('function') ?? '';
    const day = latestTradingDay(context.now);
    if (fn === 'SYMBOL_SEARCH') {
      const keywords = request.query.get('keywords');
      return keywords ? ok(symbolSearch(keywords, (s) => context.isKnown(s))) : invalidCall(fn);
    }
    const known = ['GLOBAL_QUOTE', 'TIME_SERIES_DAILY', 'OVERVIEW', 'SPLITS', 'DIVIDENDS', ...STATEMENTS];
    if (!known.includes(fn)) return ok({ 'Error Message': `This API function (${fn}) does not exist.` });
    const symbol = request.query.get('symbol')?.trim().toUpperCase();
    if (!symbol) return invalidCall(fn);
    const quoteKey = globalQuoteKey(request.query.get('entitlement'));
    if (!context.isKnown(symbol)) {
      // Each function answers an unknown symbol its own way, as the real service does.
      if (fn === 'GLOBAL_QUOTE') return ok({ [quoteKey]: {} });
      if (fn === 'TIME_SERIES_DAILY') return invalidCall(fn);
      return ok({});
    }
    const { market } = context;
    if (fn === 'GLOBAL_QUOTE') return ok(globalQuote(market, symbol, day, quoteKey));
    if (fn === 'TIME_SERIES_DAILY') {
      return ok(dailySeries(market, symbol, day, request.query.get('outputsize')));
    }
    if (fn === 'SPLITS' || fn === 'DIVIDENDS') return ok(corporateActionsBody(market, fn, symbol));
    if (isStatement(fn)) return ok(statementBody(fn, companyFor(symbol), context.now));
    return ok(overviewBody(market, companyFor(symbol), day, context.now));
  },
};
