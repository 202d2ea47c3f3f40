import type { Quote } from '../model/quote.js';
import {
  check,
  isNear,
  latestPlausibleDate,
  missingFieldsCheck,
  type QualityCheck,
  type QualityOptions,
  type QualityReport,
  reportOf,
} from './report.js';

/** The price fields where an exact 0 is a provider's stand-in for "missing", never a real price. */
const PRICE_FIELDS = ['open', 'high', 'low', 'previousClose'] as const;

/**
 * How far `change` may be from `price - previousClose`: a cent, or 0.1 % of the price for high
 * prices, where providers round the change to fewer digits than the price.
 */
function changeTolerance(price: number): number {
  return Math.max(0.01, 0.001 * Math.abs(price));
}

/** A price field as the range checks read it: an exact 0 counts as missing (`zero_for_missing` reports it). */
function priced(value: number | null): number | null {
  return value === 0 ? null : value;
}

/**
 * Scores a quote. Checks (severity): `high_gte_low` (error), `open_within_range` and
 * `close_within_range` (warning: an official auction open, or a last price from extended hours, can
 * sit outside the session's range), `volume_nonnegative` (error), `no_future_date` (error: the
 * trading day is after today UTC plus one day), `change_consistent` and `change_percent_consistent`
 * (warning: against `price - previousClose`, within a cent or 0.1 % of the price), `missing_fields`
 * (warning) and `zero_for_missing` (warning: open, high, low or previous close exactly 0).
 *
 * Range checks are skipped when the range is inverted (that is `high_gte_low`'s failure, not
 * theirs), and they read exact zeros as missing, so one broken value fails one check.
 */
export function scoreQuote(quote: Quote, options: QualityOptions = {}): QualityReport {
  const checks: QualityCheck[] = [];
  const high = priced(quote.high);
  const low = priced(quote.low);
  const open = priced(quote.open);
  const previousClose = priced(quote.previousClose);

  if (high !== null && low !== null) {
    checks.push(check('high_gte_low', 'error', high >= low, { detail: `high ${high}, low ${low}` }));
    if (high >= low) {
      if (open !== null) checks.push(check('open_within_range', 'warning', open >= low && open <= high));
      checks.push(check('close_within_range', 'warning', quote.price >= low && quote.price <= high));
    }
  }
  if (quote.volume !== null) checks.push(check('volume_nonnegative', 'error', quote.volume >= 0));

  const latest = latestPlausibleDate(options.now ?? new Date());
  checks.push(
    check('no_future_date', 'error', quote.tradingDay <= latest, {
      subject: quote.tradingDay,
      detail: `latest plausible day ${latest}`,
    }),
  );

  if (previousClose !== null) {
    const expected = quote.price - previousClose;
    const tolerance = changeTolerance(quote.price);
    if (quote.change !== null) {
      checks.push(
        check('change_consistent', 'warning', isNear(quote.change, expected, tolerance), {
          detail: `change ${quote.change}, price - previous close ${expected.toFixed(4)}`,
        }),
      );
    }
    if (quote.changePercent !== null) {
      // Compared as the change it implies, so both checks share one tolerance in price units.
      // `changePercent` is in percent (-1.8 for a 1.8 % fall), as every provider sends it.
      const implied = (quote.changePercent / 100) * previousClose;
      checks.push(
        check('change_percent_consistent', 'warning', isNear(implied, expected, tolerance), {
          detail: `change percent implies ${implied.toFixed(4)}, price - previous close ${expected.toFixed(4)}`,
        }),
      );
    }
  }

  checks.push(
    ...missingFieldsCheck({
      open: quote.open,
      high: quote.high,
      low: quote.low,
      previousClose: quote.previousClose,
      change: quote.change,
      changePercent: quote.changePercent,
      volume: quote.volume,
    }),
  );

  const given = PRICE_FIELDS.filter((name) => quote[name] !== null);
  if (given.length > 0) {
    const zeros = given.filter((name) => quote[name] === 0);
    checks.push(
      check('zero_for_missing', 'warning', zeros.length === 0, {
        detail: zeros.length === 0 ? 'no price field is exactly 0' : `exactly 0: ${zeros.join(', ')}`,
      }),
    );
  }
  return reportOf(checks);
}
