import { isoDay, previousTradingDay } from './calendar.js';
import { between, hashSeed, normal, pick, randomFor } from './random.js';

/**
 * Deterministic market data for any symbol: the same symbol and day always give the same numbers, in every
 * provider's wire format, so that a cross-provider comparison in the platform sees one consistent market.
 */

/** A made-up listed company; every field derives from the symbol alone. */
export interface Company {
  readonly symbol: string;
  readonly name: string;
  readonly exchange: 'NASDAQ' | 'NYSE';
  readonly exchangeFullName: string;
  readonly sector: string;
  readonly industry: string;
  readonly cik: string;
  readonly isin: string;
  readonly cusip: string;
  readonly ceo: string;
  readonly employees: number;
  readonly ipoDate: string;
  readonly sharesOutstanding: number;
  readonly beta: number;
  /** Share of the price paid as dividend per year; 0 for companies that pay none. */
  readonly dividendYield: number;
  readonly averageVolume: number;
  /** Daily log-price volatility. */
  readonly volatility: number;
  readonly basePrice: number;
}

/** One end-of-day bar; prices have 2 decimals and satisfy low ≤ min(open, close) ≤ max(open, close) ≤ high. */
export interface DailyBar {
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Close of the trading day before: the base of a quote's change. */
  readonly previousClose: number;
}

/** A quote as of the close of a trading day, with the derived figures quote endpoints carry. */
export interface QuoteSnapshot {
  readonly bar: DailyBar;
  /** close − previousClose, rounded to 2 decimals. */
  readonly change: number;
  /** change / previousClose × 100, unrounded. */
  readonly changePercent: number;
  readonly yearHigh: number;
  readonly yearLow: number;
  readonly priceAvg50: number;
  readonly priceAvg200: number;
  readonly marketCap: number;
}

// Real names for a few well-known tickers make local demos readable; all their figures stay synthetic.
const KNOWN_NAMES: Readonly<Record<string, string>> = {
  AAPL: 'Apple Inc.',
  MSFT: 'Microsoft Corporation',
  IBM: 'International Business Machines Corporation',
  TSLA: 'Tesla Inc',
  GOOGL: 'Alphabet Inc.',
  AMZN: 'Amazon.com Inc.',
  NVDA: 'NVIDIA Corporation',
  META: 'Meta Platforms Inc.',
};

type Pair = readonly [string, string];
const SECTORS: readonly [Pair, ...Pair[]] = [
  ['Technology', 'Software - Infrastructure'],
  ['Technology', 'Consumer Electronics'],
  ['Healthcare', 'Drug Manufacturers - General'],
  ['Financial Services', 'Banks - Diversified'],
  ['Consumer Cyclical', 'Auto - Manufacturers'],
  ['Industrials', 'Aerospace & Defense'],
  ['Energy', 'Oil & Gas Integrated'],
  ['Consumer Defensive', 'Beverages - Non-Alcoholic'],
];

const DAY_2020 = 18_262; // 2020-01-01: the anchor of the long-term drift.

/** Rounds to `digits` decimals; the result is what the wire formats print. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
}

function titleCase(symbol: string): string {
  const root = symbol.split('.')[0] ?? symbol;
  return root.charAt(0) + root.slice(1).toLowerCase();
}

/** The company behind a symbol (case-insensitive). */
export function companyFor(rawSymbol: string): Company {
  const symbol = rawSymbol.trim().toUpperCase();
  const random = randomFor('company', symbol);
  const [sector, industry] = pick(random, SECTORS);
  const exchange = random() < 0.6 ? 'NASDAQ' : 'NYSE';
  const basePrice = Math.exp(between(random, Math.log(8), Math.log(600)));
  const marketCapTarget = Math.exp(between(random, Math.log(2e9), Math.log(2e12)));
  const cikNumber = 100_000 + (hashSeed('cik', symbol) % 1_800_000);
  const cusip = (hashSeed('cusip', symbol) % 1_000_000_000).toString().padStart(9, '0');
  return {
    symbol,
    name:
      KNOWN_NAMES[symbol] ??
      `${titleCase(symbol)} ${pick(random, ['Holdings Inc.', 'Technologies Inc.', 'Group Plc', 'Corporation'])}`,
    exchange,
    exchangeFullName: exchange === 'NASDAQ' ? 'NASDAQ Global Select' : 'New York Stock Exchange',
    sector,
    industry,
    cik: cikNumber.toString().padStart(10, '0'),
    isin: `US${cusip}${hashSeed('isin', symbol) % 10}`,
    cusip,
    ceo: `${pick(random, ['Ms.', 'Mr.'])} ${pick(random, ['Alex', 'Jordan', 'Morgan', 'Taylor'])} ${pick(random, ['Reed', 'Hale', 'Stone', 'Park'])}`,
    employees: Math.round(Math.exp(between(random, Math.log(800), Math.log(300_000)))),
    ipoDate: isoDay(3_000 + Math.floor(random() * 15_000)),
    sharesOutstanding: Math.round(marketCapTarget / basePrice / 1000) * 1000,
    beta: round(between(random, 0.4, 2.2), 3),
    dividendYield: random() < 0.5 ? 0 : round(between(random, 0.004, 0.045), 4),
    averageVolume: Math.round(Math.exp(between(random, Math.log(300_000), Math.log(80_000_000)))),
    volatility: between(random, 0.008, 0.025),
    basePrice,
  };
}

/**
 * Economic close of a day, as a direct function of the day (no random walk to replay): a slow drift, two
 * cycles and a daily shock. Being O(1) per day lets any bar be produced alone, yet every bar's previous
 * close is the close of the bar before. Economic: in the shares of a time before every split; the
 * as-traded prices divide it by the splits since (corporate-actions.ts, price-bases.ts).
 */
export function closeOn(company: Company, day: number): number {
  const shape = randomFor('shape', company.symbol);
  const drift = between(shape, -0.04, 0.12);
  const slow = {
    amplitude: between(shape, 0.08, 0.3),
    period: between(shape, 250, 900),
    phase: shape() * 6.3,
  };
  const fast = {
    amplitude: between(shape, 0.02, 0.08),
    period: between(shape, 20, 90),
    phase: shape() * 6.3,
  };
  const shock = normal(randomFor('shock', company.symbol, day)) * company.volatility;
  const logPrice =
    Math.log(company.basePrice) +
    (drift * (day - DAY_2020)) / 365.25 +
    slow.amplitude * Math.sin((2 * Math.PI * day) / slow.period + slow.phase) +
    fast.amplitude * Math.sin((2 * Math.PI * day) / fast.period + fast.phase) +
    shock;
  return Math.max(0.01, round(Math.exp(logPrice), 2));
}

/** The economic bar of a trading day (as traded and adjusted bars: price-bases.ts). */
export function barOn(company: Company, day: number): DailyBar {
  const random = randomFor('bar', company.symbol, day);
  const previousClose = closeOn(company, previousTradingDay(day));
  const close = closeOn(company, day);
  const open = Math.max(0.01, round(previousClose * Math.exp(normal(random) * company.volatility * 0.4), 2));
  const top = Math.max(open, close);
  const bottom = Math.min(open, close);
  // Extensions are rounded on their own so that adding them to 2-decimal prices keeps the ordering exact.
  const high = round(top + round(Math.abs(normal(random)) * company.volatility * 0.5 * top, 2), 2);
  const low = Math.max(
    0.01,
    round(bottom - round(Math.abs(normal(random)) * company.volatility * 0.5 * bottom, 2), 2),
  );
  const volume = Math.max(0, Math.round(company.averageVolume * Math.exp(normal(random) * 0.35)));
  return { date: isoDay(day), open, high, low, close, volume, previousClose };
}

/** Economic bars of the given trading days, in the order given. */
export function barsOn(company: Company, days: readonly number[]): DailyBar[] {
  return days.map((day) => barOn(company, day));
}
