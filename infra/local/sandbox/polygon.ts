import {
  dayOf,
  latestTradingDay,
  newYorkTime,
  parseIsoDay,
  previousTradingDay,
  tradingDaysBetween,
} from './calendar.js';
import { listedActions } from './listed-actions.js';
import { type Company, companyFor, type DailyBar, round } from './market-generator.js';
import type { MarketView, PriceBasis } from './price-bases.js';
import {
  type Answer,
  type DataRequest,
  type JsonValue,
  jsonAnswer,
  type ProviderModule,
} from './provider.js';
import { hashSeed } from './random.js';
import { searchSymbols } from './symbol-search.js';

/**
 * Polygon (Massive) as served at `/polygon/...`: compact JSON with a `status` and a `request_id` in
 * every body, real HTTP statuses for refusals (401 `ERROR` bad key, 403 `NOT_AUTHORIZED` plan, 404
 * `NOT_FOUND` ticker, 429 `ERROR` limit), and `resultsCount: 0` without `results` for aggregates of a
 * ticker it does not list. Polygon covers US listings only, so its search finds the home listing alone.
 */

const CONTENT_TYPE = 'application/json';
const MS_PER_DAY = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Error texts as Polygon sends them: "Ticker not found." from test/fixtures/providers/polygon/errors,
 * the others as public client code quotes them.
 */
export const POLYGON_MESSAGES = {
  unknownKey: 'Unknown API Key',
  noKey: 'API Key was not provided',
  limit:
    "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
  notEntitled: 'You are not entitled to this data. Please upgrade your plan at https://massive.com/pricing',
  // As recorded in polygon-io/issues#313 (a range outside the plan's history window).
  timeframe:
    "Your plan doesn't include this data timeframe. Please upgrade your plan at https://polygon.io/pricing",
  tickerNotFound: 'Ticker not found.',
} as const;

const json = (status: number, body: JsonValue): Answer => jsonAnswer(status, body, 0, CONTENT_TYPE);

/** A request id derived from the call, so that the same call gets the same answer byte for byte. */
function requestIdOf(request: DataRequest): string {
  const seed = `${request.path}?${request.query}`;
  return [1, 2, 3, 4]
    .map((part) => hashSeed('request-id', seed, part).toString(16).padStart(8, '0'))
    .join('');
}

const NEW_YORK_HOUR = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hour: 'numeric',
  hourCycle: 'h23',
});

/** Epoch ms of 00:00 in New York on a day: Polygon's stamp for a daily bar (04:00 or 05:00 UTC). */
function newYorkMidnightMs(day: number): number {
  const edt = day * MS_PER_DAY + 4 * HOUR_MS;
  // Formatters differ on midnight ("0", "00", "24"): compare the hour as a number.
  return Number(NEW_YORK_HOUR.format(new Date(edt))) % 24 === 0 ? edt : edt + HOUR_MS;
}

function figiOf(kind: string, symbol: string): string {
  return `BBG${hashSeed(kind, symbol).toString(36).toUpperCase().padStart(9, '0').slice(0, 9)}`;
}

/** One aggregate bar in Polygon's keys; `T` only in the previous-day answer. */
function barBody(bar: DailyBar, ticker?: string): JsonValue {
  const day = parseIsoDay(bar.date) ?? 0;
  return {
    ...(ticker === undefined ? {} : { T: ticker }),
    v: bar.volume,
    vw: round((bar.high + bar.low + bar.close) / 3, 4),
    o: bar.open,
    c: bar.close,
    h: bar.high,
    l: bar.low,
    t: newYorkMidnightMs(day),
    n: Math.max(1, Math.round(bar.volume / 110)),
  };
}

function aggregatesBody(
  ticker: string,
  bars: readonly DailyBar[],
  request: { requestId: string; adjusted: boolean },
  withTicker: boolean,
): JsonValue {
  const results = bars.map((bar) => barBody(bar, withTicker ? ticker : undefined));
  return {
    ticker,
    queryCount: results.length,
    resultsCount: results.length,
    adjusted: request.adjusted,
    ...(results.length === 0 ? {} : { results }),
    status: 'OK',
    request_id: request.requestId,
    count: results.length,
  };
}

/** Aggregates are split-adjusted unless `adjusted=false` (the documented default is true). */
function basisOf(query: URLSearchParams): PriceBasis {
  return query.get('adjusted') === 'false' ? 'raw' : 'splits';
}

/** A date of a range: `YYYY-MM-DD` or epoch milliseconds, as Polygon accepts both. */
function dayOfParam(text: string): number | undefined {
  if (/^\d{9,}$/.test(text)) return dayOf(new Date(Number(text)));
  return parseIsoDay(text);
}

function listEntry(company: Company, now: Date): Record<string, JsonValue> {
  return {
    ticker: company.symbol,
    name: company.name,
    market: 'stocks',
    locale: 'us',
    primary_exchange: company.exchange === 'NASDAQ' ? 'XNAS' : 'XNYS',
    type: 'CS',
    active: true,
    currency_name: 'usd',
    cik: company.cik,
    composite_figi: figiOf('composite', company.symbol),
    share_class_figi: figiOf('share-class', company.symbol),
    last_updated_utc: `${new Date(dayOf(now) * MS_PER_DAY).toISOString().slice(0, 10)}T00:00:00Z`,
  };
}

function detailsBody(market: MarketView, company: Company, now: Date, requestId: string): JsonValue {
  const { last_updated_utc: _updated, ...entry } = listEntry(company, now);
  const quote = market.quote(company.symbol, latestTradingDay(now));
  const site = company.symbol.toLowerCase().replace(/[^a-z0-9]/g, '');
  return {
    results: {
      ...entry,
      market_cap: quote.marketCap,
      phone_number: '(555) 010-0100',
      address: { address1: '1 SANDBOX WAY', city: 'SPRINGFIELD', state: 'IL', postal_code: '62701' },
      description: `${company.name} is a synthetic company of the ${company.industry.toLowerCase()} industry, generated by the market-data sandbox.`,
      sic_code: String(1000 + (hashSeed('sic', company.symbol) % 8000)),
      sic_description: company.industry.toUpperCase(),
      ticker_root: company.symbol.split('.')[0] ?? company.symbol,
      homepage_url: `https://www.${site}.example.com`,
      total_employees: company.employees,
      list_date: company.ipoDate,
      branding: {
        logo_url: `https://api.massive.com/v1/reference/company-branding/${site}/images/logo.svg`,
        icon_url: `https://api.massive.com/v1/reference/company-branding/${site}/images/icon.png`,
      },
      share_class_shares_outstanding: company.sharesOutstanding,
      weighted_shares_outstanding: company.sharesOutstanding,
    },
    status: 'OK',
    request_id: requestId,
  };
}

/** An event id in Massive's form: `E` and 64 hex digits. */
function eventIdOf(...parts: readonly (string | number)[]): string {
  const hex = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
    hashSeed('event-id', ...parts, n)
      .toString(16)
      .padStart(8, '0'),
  );
  return `E${hex.join('')}`;
}

/** How far back the free (Basic) plan's splits and dividends reach: 2 years, as its endpoint pages say. */
const FREE_PLAN_ACTIONS_DAYS = 2 * 365;

/**
 * `/stocks/v1/splits` (newest first) and `/stocks/v1/dividends` (oldest first), as recorded answers
 * order them; an unlisted ticker gets `results: []`, as a ticker without actions does.
 */
function corporateActionsBody(
  kind: 'splits' | 'dividends',
  ticker: string,
  context: { market: MarketView; plan: string; known: boolean },
  query: URLSearchParams,
  requestId: string,
): JsonValue {
  const reach = context.plan === 'free' ? FREE_PLAN_ACTIONS_DAYS : undefined;
  const { splits, dividends } = context.known
    ? listedActions(context.market, ticker, reach)
    : { splits: [], dividends: [] };
  const limit = Math.min(Math.max(1, Number(query.get('limit')) || 100), 5000);
  const results: JsonValue[] =
    kind === 'splits'
      ? splits.reverse().map((split) => ({
          id: eventIdOf(ticker, split.exDate, 'split'),
          execution_date: split.exDate,
          split_from: split.from,
          split_to: split.to,
          ticker,
          adjustment_type: split.ratio >= 1 ? 'forward_split' : 'reverse_split',
          historical_adjustment_factor: split.adjustmentFactor,
        }))
      : dividends.map((dividend, index) => ({
          id: eventIdOf(ticker, dividend.exDate, 'dividend'),
          ticker,
          record_date: dividend.recordDate,
          ...(dividend.payDate === null ? {} : { pay_date: dividend.payDate }),
          declaration_date: dividend.declarationDate,
          ex_dividend_date: dividend.exDate,
          frequency: 4,
          cash_amount: dividend.amount,
          currency: dividend.currency,
          distribution_type: 'recurring',
          // What prices before the ex-date multiply by for this and every later dividend (total return).
          historical_adjustment_factor: round(
            dividends.slice(index).reduce((factor, later) => factor * (1 - later.shareOfPrice), 1),
            6,
          ),
          split_adjusted_cash_amount: dividend.splitAdjustedAmount,
        }));
  return { status: 'OK', request_id: requestId, results: results.slice(0, limit) };
}

function apiKeyOf(request: DataRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
  return request.query.get('apiKey') ?? bearer;
}

/** How far back the free (Basic) plan's aggregates reach: 2 years. */
const FREE_PLAN_HISTORY_DAYS = 2 * 365;

/** The Polygon module. */
export const polygon: ProviderModule = {
  id: 'polygon',

  // Polygon takes the key as `apiKey=` or as `Authorization: Bearer <key>`.
  apiKey: apiKeyOf,

  // 5 calls a minute on the free (Basic) plan, no daily quota.
  freePlanLimits: { perMinute: 5 },

  // Aggregates reach 2 years back on the free plan; an older start is refused whole.
  freePlanRefusal(request, { now }) {
    const range = /^\/v2\/aggs\/ticker\/[^/]+\/range\/\d+\/\w+\/([^/]+)\/[^/]+\/?$/.exec(request.path);
    const from = range ? dayOfParam(range[1] ?? '') : undefined;
    if (from === undefined || from >= newYorkTime(now).day - FREE_PLAN_HISTORY_DAYS) return undefined;
    const body = {
      status: 'NOT_AUTHORIZED',
      request_id: requestIdOf(request),
      message: POLYGON_MESSAGES.timeframe,
    };
    return { refused: 'history before 2 years', answer: json(403, body) };
  },

  fault(fault, request) {
    const request_id = requestIdOf(request);
    switch (fault) {
      case 'invalid-key': {
        const key = apiKeyOf(request);
        const message =
          key === undefined || key === '' ? POLYGON_MESSAGES.noKey : POLYGON_MESSAGES.unknownKey;
        return json(401, { status: 'ERROR', request_id, error: message });
      }
      // Polygon's plans limit calls per minute; there is no daily quota: one answer for both.
      case 'throttled':
      case 'daily-limit':
        return json(429, { status: 'ERROR', request_id, error: POLYGON_MESSAGES.limit });
      case 'premium':
        return json(403, { status: 'NOT_AUTHORIZED', request_id, message: POLYGON_MESSAGES.notEntitled });
    }
  },

  handle(request, context) {
    const { now } = context;
    const requestId = requestIdOf(request);
    const path = request.path.replace(/\/+$/, '');
    const notFound = (message: string) => json(404, { status: 'NOT_FOUND', request_id: requestId, message });
    const { market } = context;
    const basis = basisOf(request.query);
    const aggregates = { requestId, adjusted: basis === 'splits' };
    const known = (ticker: string) => ticker !== '' && context.isKnown(ticker);

    const prev = /^\/v2\/aggs\/ticker\/([^/]+)\/prev$/.exec(path);
    if (prev) {
      const ticker = decodeURIComponent(prev[1] ?? '').toUpperCase();
      // The last completed session: the trading day before today in New York.
      const bars = known(ticker)
        ? market.bars(ticker, [previousTradingDay(newYorkTime(now).day)], basis)
        : [];
      return json(200, aggregatesBody(ticker, bars, aggregates, true));
    }
    const range = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(\w+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (range) {
      const [, rawTicker = '', multiplier, timespan, fromText = '', toText = ''] = range;
      if (multiplier !== '1' || timespan !== 'day') {
        return json(400, {
          status: 'ERROR',
          request_id: requestId,
          error: 'The sandbox serves 1/day aggregates only.',
        });
      }
      const ticker = decodeURIComponent(rawTicker).toUpperCase();
      const from = dayOfParam(fromText);
      const to = dayOfParam(toText);
      if (from === undefined || to === undefined) {
        return json(400, {
          status: 'ERROR',
          request_id: requestId,
          error: 'Could not parse the date range.',
        });
      }
      const limit = Math.min(Math.max(1, Number(request.query.get('limit')) || 5000), 50_000);
      const days = known(ticker)
        ? tradingDaysBetween(from, Math.min(to, latestTradingDay(now))).reverse()
        : [];
      const ascending = market.bars(ticker, days.slice(0, limit), basis);
      const bars = request.query.get('sort') === 'desc' ? [...ascending].reverse() : ascending;
      return json(200, aggregatesBody(ticker, bars, aggregates, false));
    }
    const details = /^\/v3\/reference\/tickers\/([^/]+)$/.exec(path);
    if (details) {
      const ticker = decodeURIComponent(details[1] ?? '').toUpperCase();
      if (!known(ticker)) return notFound(POLYGON_MESSAGES.tickerNotFound);
      return json(200, detailsBody(market, companyFor(ticker), now, requestId));
    }
    const actions = /^\/stocks\/v1\/(splits|dividends)$/.exec(path)?.[1];
    if (actions === 'splits' || actions === 'dividends') {
      const ticker = (request.query.get('ticker') ?? '').trim().toUpperCase();
      const about = { market, plan: context.plan, known: known(ticker) };
      return json(200, corporateActionsBody(actions, ticker, about, request.query, requestId));
    }
    if (path === '/v3/reference/tickers') {
      const { query } = request;
      const market = query.get('market');
      const exact = query.get('ticker')?.trim().toUpperCase();
      const text = exact ?? query.get('search') ?? '';
      const limit = Math.min(Math.max(1, Number(query.get('limit')) || 100), 1000);
      const matches =
        market !== null && market !== 'stocks'
          ? []
          : searchSymbols(text, (s) => context.isKnown(s))
              // US listings only: the shared search's foreign venues carry a suffix.
              .filter(
                (match) => !match.symbol.includes('.') && (exact === undefined || match.symbol === exact),
              )
              .slice(0, limit);
      const results = matches.map((match) => listEntry(companyFor(match.symbol), now));
      return json(200, { results, status: 'OK', request_id: requestId, count: results.length });
    }
    return notFound('Not found');
  },
};
