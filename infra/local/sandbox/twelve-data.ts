import {
  dayOf,
  isoDay,
  latestTradingDay,
  parseIsoDay,
  tradingDaysBack,
  tradingDaysBetween,
} from './calendar.js';
import { listedActions } from './listed-actions.js';
import { type Company, companyFor } from './market-generator.js';
import type { MarketView, PriceBasis } from './price-bases.js';
import {
  type Answer,
  type DataRequest,
  type JsonValue,
  jsonAnswer,
  type ProviderModule,
} from './provider.js';
import { searchSymbols } from './symbol-search.js';
import { incomeStatementBody } from './twelve-data-statements.js';

/**
 * Twelve Data as served at `/twelve-data/...`: compact JSON, figures as decimal strings with 5 places,
 * and every refusal as HTTP 200 with `{"code": ..., "message": ..., "status": "error"}` in the body,
 * the code mirroring an HTTP status (401 key, 403 plan, 400 unknown symbol, 429 credits). A batch
 * `/quote?symbol=A,B` answers an object keyed by the symbols as asked, unknown ones as per-symbol errors.
 * A symbol may name its venue after a colon (`VOD:LSE`); the data is the ticker's either way.
 */

const CONTENT_TYPE = 'application/json; charset=utf-8';
const MS_PER_DAY = 86_400_000;
const PRICING = 'https://twelvedata.com/pricing';

/**
 * Error texts as Twelve Data sends them: the bad-key and per-minute ones word for word from
 * test/fixtures/providers/twelvedata/errors, the others as public client code quotes them.
 */
export const TWELVE_DATA_MESSAGES = {
  invalidKey:
    '**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer',
  minuteCredits: `You have run out of API credits for the current minute. 18 API credits were used, with the current limit being 8. Wait for the next minute or consider switching to a higher tier plan at ${PRICING}`,
  dayCredits: `You have run out of API credits for the day. 801 API credits were used, with the current limit being 800. Wait for the next day or consider switching to a higher tier plan at ${PRICING}`,
  premium: (path: string) =>
    `${path} is available exclusively with grow or pro or ultra or venture or enterprise plans. Consider upgrading your API Key now at ${PRICING}`,
  notFound: (symbol: string) =>
    `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`,
  noData: 'No data is available on the specified dates. Try setting different start/end dates.',
} as const;

/** Endpoints of the Grow plan and above: a Basic (free) key gets the 403 body (HTTP 200). */
const PAID_ENDPOINTS: readonly string[] = ['/profile', '/income_statement', '/splits', '/dividends'];

const ok = (body: JsonValue): Answer => jsonAnswer(200, body, 0, CONTENT_TYPE);
const errorBody = (code: number, message: string): JsonValue => ({ code, message, status: 'error' });
const error = (code: number, message: string): Answer => ok(errorBody(code, message));

/** A listing as Twelve Data describes it; a `:venue` in the request picks a foreign one. */
interface Listing {
  readonly ticker: string;
  readonly company: Company;
  readonly exchange: string;
  readonly mic: string;
  readonly currency: string;
  readonly timezone: string;
}

const FOREIGN: Readonly<Record<string, Omit<Listing, 'ticker' | 'company' | 'exchange'>>> = {
  LSE: { mic: 'XLON', currency: 'GBp', timezone: 'Europe/London' },
  XETR: { mic: 'XETR', currency: 'EUR', timezone: 'Europe/Berlin' },
};

function listingOf(requested: string): Listing {
  const [ticker = '', venue] = requested.trim().toUpperCase().split(':');
  const company = companyFor(ticker);
  if (venue !== undefined) {
    // Other venues are answered as US-dollar listings: enough to exercise the `ticker:venue` form.
    const details = FOREIGN[venue] ?? { mic: venue, currency: 'USD', timezone: 'America/New_York' };
    return { ticker, company, exchange: venue, ...details };
  }
  const mic = company.exchange === 'NASDAQ' ? 'XNGS' : 'XNYS';
  return { ticker, company, exchange: company.exchange, mic, currency: 'USD', timezone: 'America/New_York' };
}

const price5 = (value: number): string => value.toFixed(5);

function quoteBody(market: MarketView, listing: Listing, now: Date): JsonValue {
  const day = latestTradingDay(now);
  const quote = market.quote(listing.ticker, day);
  const { bar } = quote;
  const closeMs = day * MS_PER_DAY + 20 * 3_600_000;
  const openMs = day * MS_PER_DAY + 13.5 * 3_600_000;
  return {
    symbol: listing.ticker,
    name: listing.company.name,
    exchange: listing.exchange,
    mic_code: listing.mic,
    currency: listing.currency,
    datetime: bar.date,
    timestamp: Math.floor(Math.min(now.getTime(), closeMs) / 1000),
    open: price5(bar.open),
    high: price5(bar.high),
    low: price5(bar.low),
    close: price5(bar.close),
    volume: String(bar.volume),
    previous_close: price5(bar.previousClose),
    change: price5(quote.change),
    percent_change: price5(quote.changePercent),
    average_volume: String(listing.company.averageVolume),
    is_market_open: dayOf(now) === day && now.getTime() >= openMs && now.getTime() < closeMs,
    fifty_two_week: {
      low: price5(quote.yearLow),
      high: price5(quote.yearHigh),
      low_change: price5(bar.close - quote.yearLow),
      high_change: price5(bar.close - quote.yearHigh),
      low_change_percent: price5(((bar.close - quote.yearLow) / quote.yearLow) * 100),
      high_change_percent: price5(((bar.close - quote.yearHigh) / quote.yearHigh) * 100),
      range: `${quote.yearLow.toFixed(6)} - ${quote.yearHigh.toFixed(6)}`,
    },
  };
}

/**
 * The documented `adjust` modes of `time_series` ("Supports: all, splits, dividends, none. Default:
 * splits"; support article 5179064: daily prices are split-adjusted).
 */
const ADJUST_MODES: Readonly<Record<string, PriceBasis>> = {
  splits: 'splits',
  none: 'raw',
  dividends: 'dividends',
  all: 'all',
};

/**
 * Daily bars: `start_date`..`end_date` (both inclusive here), else the latest `outputsize` (30), on the
 * basis `adjust` names (split-adjusted by default).
 */
function timeSeriesBody(market: MarketView, listing: Listing, query: URLSearchParams, now: Date): JsonValue {
  const latest = latestTradingDay(now);
  const from = parseIsoDay(query.get('start_date') ?? '');
  const to = Math.min(parseIsoDay(query.get('end_date') ?? '') ?? latest, latest);
  const size = Math.min(Math.max(1, Number(query.get('outputsize')) || 30), 5000);
  const days = from === undefined ? tradingDaysBack(to, size) : tradingDaysBetween(from, to).slice(0, 5000);
  if (days.length === 0) return errorBody(400, TWELVE_DATA_MESSAGES.noData);
  const basis = ADJUST_MODES[query.get('adjust') ?? 'splits'] ?? 'splits';
  const bars = market.bars(listing.ticker, query.get('order') === 'asc' ? [...days].reverse() : days, basis);
  return {
    meta: {
      symbol: listing.ticker,
      interval: '1day',
      currency: listing.currency,
      exchange_timezone: listing.timezone,
      exchange: listing.exchange,
      mic_code: listing.mic,
      type: 'Common Stock',
    },
    values: bars.map((bar) => ({
      datetime: bar.date,
      open: price5(bar.open),
      high: price5(bar.high),
      low: price5(bar.low),
      close: price5(bar.close),
      volume: String(bar.volume),
    })),
    status: 'ok',
  };
}

/**
 * The days a `range` of `/splits` and `/dividends` reaches back, `null` for all of them; any other
 * value, `last` (the default) included, is the latest action only.
 */
const RANGE_DAYS: Readonly<Record<string, number | null>> = { '1y': 365, '2y': 730, '5y': 1826, full: null };

/**
 * `/splits` and `/dividends`: newest first under the listing's `meta`; a split as `from_factor` shares
 * becoming `to_factor`, a dividend's `amount` as declared.
 */
function corporateActionsBody(
  market: MarketView,
  kind: 'splits' | 'dividends',
  listing: Listing,
  range: string | null,
): JsonValue {
  const { splits, dividends } = listedActions(market, listing.ticker);
  const reach = RANGE_DAYS[range ?? 'last'];
  const since = typeof reach === 'number' ? isoDay(market.asOfDay - reach) : '';
  const rows: { date: string; row: JsonValue }[] =
    kind === 'splits'
      ? splits.map((split) => ({
          date: split.exDate,
          row: {
            date: split.exDate,
            description: `${split.to}-for-${split.from} split`,
            ratio: split.ratio,
            from_factor: split.from,
            to_factor: split.to,
          },
        }))
      : dividends.map((d) => ({ date: d.exDate, row: { ex_date: d.exDate, amount: d.amount } }));
  const reached = rows.filter(({ date }) => date >= since).map(({ row }) => row);
  const newestFirst = reach === undefined ? reached.slice(-1) : reached.reverse();
  const { ticker, company, currency, exchange, mic, timezone } = listing;
  return {
    meta: {
      symbol: ticker,
      name: company.name,
      currency,
      exchange,
      mic_code: mic,
      exchange_timezone: timezone,
    },
    [kind]: newestFirst,
  };
}

function profileBody({ ticker, company, exchange, mic }: Listing): JsonValue {
  return {
    symbol: ticker,
    name: company.name,
    exchange,
    mic_code: mic,
    sector: company.sector,
    industry: company.industry,
    employees: company.employees,
    website: `https://www.${ticker.toLowerCase().replace(/[^a-z0-9]/g, '')}.example.com`,
    description: `${company.name} is a synthetic company of the ${company.industry.toLowerCase()} industry, generated by the market-data sandbox.`,
    type: 'Common Stock',
    CEO: company.ceo,
    address: '1 Sandbox Way',
    address2: '',
    city: 'Springfield',
    zip: '62701',
    state: 'IL',
    country: 'United States',
    phone: '(555) 010-0100',
  };
}

/** The shared search's venues as Twelve Data lists them: a bare ticker with its exchange and MIC. */
const SEARCH_VENUES: Readonly<
  Record<string, { exchange: string; mic: string; timezone: string; country: string }>
> = {
  '.LON': { exchange: 'LSE', mic: 'XLON', timezone: 'Europe/London', country: 'United Kingdom' },
  '.DEX': { exchange: 'XETR', mic: 'XETR', timezone: 'Europe/Berlin', country: 'Germany' },
};

function searchBody(text: string, size: number, isKnown: (symbol: string) => boolean): JsonValue {
  const data = searchSymbols(text, isKnown)
    .slice(0, size)
    .map((match) => {
      const suffix = Object.keys(SEARCH_VENUES).find((s) => match.symbol.endsWith(s));
      const venue = suffix === undefined ? undefined : SEARCH_VENUES[suffix];
      const home = listingOf(match.symbol);
      return {
        symbol: suffix === undefined ? match.symbol : match.symbol.slice(0, -suffix.length),
        instrument_name: match.name,
        exchange: venue?.exchange ?? home.exchange,
        mic_code: venue?.mic ?? home.mic,
        exchange_timezone: venue?.timezone ?? home.timezone,
        instrument_type: 'Common Stock',
        country: venue?.country ?? 'United States',
        currency: match.currency === 'GBX' ? 'GBp' : match.currency,
      };
    });
  return { data, status: 'ok' };
}

/** The Twelve Data module. */
export const twelveData: ProviderModule = {
  id: 'twelve-data',

  // Twelve Data takes the key as `apikey=` or as `Authorization: apikey <key>`.
  apiKey(request: DataRequest) {
    const header = request.headers.authorization;
    const fromHeader = typeof header === 'string' ? /^apikey\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
    return request.query.get('apikey') ?? fromHeader;
  },

  // The Basic (free) plan: 8 API credits a minute, 800 a day.
  freePlanLimits: { perMinute: 8, perDay: 800 },

  freePlanRefusal(request) {
    const endpoint = request.path.replace(/\/+$/, '');
    return PAID_ENDPOINTS.includes(endpoint)
      ? { refused: endpoint.slice(1), answer: twelveData.fault('premium', request) }
      : undefined;
  },

  // Each symbol of a call costs a credit: the weight of quotes and series. (The heavier endpoints,
  // `/profile` and `/income_statement`, are paid-only, where the sandbox sets no limit.)
  credits(request) {
    return Math.max(1, (request.query.get('symbol') ?? '').split(',').filter((s) => s.trim() !== '').length);
  },

  fault(fault, request) {
    switch (fault) {
      case 'invalid-key':
        return error(401, TWELVE_DATA_MESSAGES.invalidKey);
      case 'throttled':
        return error(429, TWELVE_DATA_MESSAGES.minuteCredits);
      case 'daily-limit':
        return error(429, TWELVE_DATA_MESSAGES.dayCredits);
      case 'premium':
        return error(403, TWELVE_DATA_MESSAGES.premium(request.path.replace(/\/+$/, '')));
    }
  },

  handle(request, context) {
    const { query, path } = request;
    const { now } = context;
    const requested = (query.get('symbol') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const first = requested[0] ?? '';
    const known = (symbol: string) => context.isKnown(listingOf(symbol).ticker);
    const notFound = (symbol: string) => errorBody(400, TWELVE_DATA_MESSAGES.notFound(symbol));
    const endpoint = path.replace(/\/+$/, '');
    if (endpoint === '/symbol_search') {
      const size = Math.min(Math.max(1, Number(query.get('outputsize')) || 30), 120);
      // The search text is free text: commas in it are not a list.
      return ok(searchBody(query.get('symbol') ?? '', size, (s) => context.isKnown(s)));
    }
    if (
      !['/quote', '/time_series', '/profile', '/income_statement', '/splits', '/dividends'].includes(endpoint)
    ) {
      return {
        status: 404,
        kind: 'json',
        body: errorBody(404, 'Not found'),
        indent: 0,
        contentType: CONTENT_TYPE,
      };
    }
    if (first === '') return error(400, '**symbol** parameter is missing or invalid.');
    if (endpoint === '/quote' && requested.length > 1) {
      const entries = requested.map(
        (s) => [s, known(s) ? quoteBody(context.market, listingOf(s), now) : notFound(s)] as const,
      );
      return ok(Object.fromEntries(entries));
    }
    if (!known(first)) return ok(notFound(first));
    const listing = listingOf(first);
    switch (endpoint) {
      case '/quote':
        return ok(quoteBody(context.market, listing, now));
      case '/time_series':
        return ok(timeSeriesBody(context.market, listing, query, now));
      case '/profile':
        return ok(profileBody(listing));
      case '/splits':
      case '/dividends':
        return ok(
          corporateActionsBody(
            context.market,
            endpoint.slice(1) as 'splits' | 'dividends',
            listing,
            query.get('range'),
          ),
        );
      default:
        return ok(
          incomeStatementBody(
            listing.company,
            now,
            query.get('period') ?? 'annual',
            Number(query.get('outputsize')) || 5,
          ),
        );
    }
  },
};
