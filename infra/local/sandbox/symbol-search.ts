import { companyFor } from './market-generator.js';

/**
 * Deterministic symbol search: a query names a home listing (the query read as a ticker) and two foreign
 * listings of the same company, the way real search endpoints return several venues for one name.
 */

/** One search hit, with the venue details both Alpha Vantage and FMP need. */
export interface SearchMatch {
  readonly symbol: string;
  readonly name: string;
  readonly type: 'Equity';
  readonly region: string;
  readonly marketOpen: string;
  readonly marketClose: string;
  readonly timezone: string;
  readonly currency: string;
  readonly exchange: string;
  readonly exchangeFullName: string;
  /** 0..1, 1 for an exact ticker match. */
  readonly score: number;
}

interface Venue {
  readonly suffix: string;
  readonly region: string;
  readonly marketOpen: string;
  readonly marketClose: string;
  readonly timezone: string;
  readonly currency: string;
  readonly exchange: string;
  readonly exchangeFullName: string;
}

const FOREIGN_VENUES: readonly Venue[] = [
  {
    suffix: '.LON',
    region: 'United Kingdom',
    marketOpen: '08:00',
    marketClose: '16:30',
    timezone: 'UTC+01',
    currency: 'GBX',
    exchange: 'LSE',
    exchangeFullName: 'London Stock Exchange',
  },
  {
    suffix: '.DEX',
    region: 'XETRA',
    marketOpen: '08:00',
    marketClose: '20:00',
    timezone: 'UTC+02',
    currency: 'EUR',
    exchange: 'XETRA',
    exchangeFullName: 'Deutsche Börse Xetra',
  },
];

/** 1 for an exact match, else the share of the longer string the common root covers. */
function scoreOf(symbol: string, ticker: string): number {
  if (symbol === ticker) return 1;
  const root = symbol.split('.')[0] ?? symbol;
  return root.length / Math.max(symbol.length, ticker.length);
}

/** Matches for a free-text query, best first; symbols rejected by `isKnown` are left out. */
export function searchSymbols(query: string, isKnown: (symbol: string) => boolean): SearchMatch[] {
  const ticker = query
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9.]/g, '')
    .slice(0, 10);
  const root = ticker.split('.')[0] ?? '';
  if (root === '') return [];
  const company = companyFor(root);
  const home: SearchMatch = {
    symbol: root,
    name: company.name,
    type: 'Equity',
    region: 'United States',
    marketOpen: '09:30',
    marketClose: '16:00',
    timezone: 'UTC-04',
    currency: 'USD',
    exchange: company.exchange,
    exchangeFullName: company.exchangeFullName,
    score: scoreOf(root, ticker),
  };
  const foreign = FOREIGN_VENUES.map(
    (venue): SearchMatch => ({
      symbol: `${root}${venue.suffix}`,
      name: company.name,
      type: 'Equity',
      region: venue.region,
      marketOpen: venue.marketOpen,
      marketClose: venue.marketClose,
      timezone: venue.timezone,
      currency: venue.currency,
      exchange: venue.exchange,
      exchangeFullName: venue.exchangeFullName,
      score: scoreOf(`${root}${venue.suffix}`, ticker),
    }),
  );
  return [home, ...foreign].filter((match) => isKnown(match.symbol)).sort((a, b) => b.score - a.score);
}
