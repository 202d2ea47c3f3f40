import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { QuoteSchema } from '../../../lib/model/quote.js';
import { alphaVantageGlobalQuote } from '../../../lib/providers/alpha-vantage/global-quote.js';
import { fmpQuote } from '../../../lib/providers/fmp/quote.js';
import type { ProviderResult } from '../../../lib/providers/provider.js';
import {
  decoration,
  isoDay,
  layerSymbol,
  rawAlphaVantageGlobalQuote,
  rawFmpQuote,
  withThousands,
} from '../../support/arbitraries.js';

/** The only two outcomes a transform may have: a value its schema accepts, or `bad_data`. */
function expectSchemaValueOrBadData(result: ProviderResult<unknown>, outcomes: { quotes: number }) {
  if (result.ok) {
    const parsed = z.safeParse(QuoteSchema, result.value);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    outcomes.quotes++;
  } else {
    expect(result.failure.kind).toBe('bad_data');
  }
}

/**
 * Most generated answers are plausible (`mostly` in the arbitraries), so a sound transform reads many of
 * them as quotes: one that answered `bad_data` to everything would pass every run of the properties.
 */
const RUNS = 3000;
const ENOUGH_QUOTES = RUNS / 10;

describe('normalized records always pass their schema', () => {
  it('Alpha Vantage GLOBAL_QUOTE gives a valid quote or bad_data for any raw answer', () => {
    const outcomes = { quotes: 0 };
    fc.assert(
      fc.property(rawAlphaVantageGlobalQuote, layerSymbol, (body, symbol) => {
        expectSchemaValueOrBadData(alphaVantageGlobalQuote.transform(body, { symbol }), outcomes);
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.quotes).toBeGreaterThan(ENOUGH_QUOTES);
  });

  it('FMP quote gives a valid quote or bad_data for any raw answer', () => {
    const outcomes = { quotes: 0 };
    fc.assert(
      fc.property(rawFmpQuote, layerSymbol, (body, symbol) => {
        expectSchemaValueOrBadData(fmpQuote.transform(body, { symbol }), outcomes);
      }),
      { numRuns: RUNS },
    );
    expect(outcomes.quotes).toBeGreaterThan(ENOUGH_QUOTES);
  });
});

/** A price with four decimals, as Alpha Vantage writes them, rendered the ways providers dress numbers. */
const price = fc.integer({ min: 1, max: 9_999_999_999 }).map((tenThousandths) => tenThousandths / 10_000);
const signedAmount = fc.integer({ min: -9_999_999_999, max: 9_999_999_999 }).map((n) => n / 10_000);

function dress(
  value: number,
  { currency, thousands, pad }: { currency: string; thousands: boolean; pad: string },
) {
  const plain = Math.abs(value).toFixed(4);
  const body = `${currency}${thousands ? withThousands(plain) : plain}`;
  return `${pad}${value < 0 ? `-${body}` : body}${pad}`;
}

describe('normalization keeps the values it reads', () => {
  it('reads back every dressed-up number of a GLOBAL_QUOTE answer', () => {
    fc.assert(
      fc.property(
        fc.record({
          symbol: layerSymbol,
          open: price,
          high: price,
          low: price,
          price,
          volume: fc.integer({ min: 0, max: 10_000_000_000 }),
          day: isoDay,
          previousClose: price,
          change: signedAmount,
          percent: signedAmount,
        }),
        decoration,
        (quote, style) => {
          const body = {
            'Global Quote': {
              '01. symbol': ` ${quote.symbol.toLowerCase()} `,
              '02. open': dress(quote.open, style),
              '03. high': dress(quote.high, style),
              '04. low': dress(quote.low, style),
              '05. price': dress(quote.price, style),
              '06. volume': style.thousands ? withThousands(String(quote.volume)) : String(quote.volume),
              '07. latest trading day': quote.day,
              '08. previous close': dress(quote.previousClose, style),
              '09. change': dress(quote.change, style),
              '10. change percent': `${dress(quote.percent, { ...style, currency: '' })}%`,
            },
          };
          const result = alphaVantageGlobalQuote.transform(body, { symbol: quote.symbol });
          expect(result).toEqual({
            ok: true,
            value: {
              symbol: quote.symbol,
              price: quote.price,
              open: quote.open,
              high: quote.high,
              low: quote.low,
              previousClose: quote.previousClose,
              change: quote.change,
              changePercent: quote.percent,
              volume: quote.volume,
              tradingDay: quote.day,
              currency: null,
            },
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
