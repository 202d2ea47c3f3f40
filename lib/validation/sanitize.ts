/**
 * Readers for provider values that should be numbers or dates. Each returns `null` rather than a
 * guess: a wrong number served with confidence is worse than a gap the client can see.
 */

import { isCalendarDate } from '../model/fields.js';

/** Values providers send for "no value": never to be read as 0 or a string. */
const MISSING_MARKERS = new Set([
  '',
  'none',
  'null',
  'nil',
  'n/a',
  '#n/a',
  'n.a.',
  'na',
  'nm',
  'n/m',
  '-',
  '--',
  '—',
  '–',
  'nan',
  'undefined',
]);

/** Currency symbols a provider may put before or after an amount. Codes such as `USD 12` are not read. */
const CURRENCY_SYMBOLS = '$€£¥₹₩₽₺₪₫฿₦₱¢';

/**
 * One amount after whitespace is removed: sign, currency symbol (either order), digits with optional
 * thousands groups, fraction, exponent, then an optional trailing symbol and `%`. Groups may be
 * Western (`1,234,567`) or Indian (`12,34,567`) but must end in three digits, so a decimal comma
 * (`12,5` or `1.234,56`) is rejected instead of being misread as 125 or 1.23456.
 */
const AMOUNT = new RegExp(
  `^([-+]?)[${CURRENCY_SYMBOLS}]?([-+]?)(\\d{1,3}(?:,\\d{2,3})*,\\d{3}|\\d*)(\\.\\d*)?([eE][-+]?\\d+)?[${CURRENCY_SYMBOLS}]?%?$`,
);

/** No real amount is longer; the bound keeps a hostile megabyte string away from the regex. */
const MAX_AMOUNT_LENGTH = 100;

/**
 * Reads a provider's number. JSON numbers pass as they are (if finite). Strings may carry a
 * currency symbol, thousands separators, spaces, a trailing `%` (kept as a percentage: `"42%"` → 42,
 * the unit the model's percent fields hold), a Unicode minus, or accountants' parentheses for negatives
 * (`"(1,234)"` → -1234). Missing markers (`"None"`, `"N/A"`, `"-"`, `""`…), anything else that is not
 * one plain amount, and anything non-finite become `null`.
 *
 * Magnitude suffixes (`"1.5B"`, `"12M"`) are deliberately not read: `M` means thousands in some
 * accounting usage and millions in others, so such a value gives `null` rather than a wrong scale.
 */
export function toNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw + 0 : null;
  if (typeof raw !== 'string' || raw.length > MAX_AMOUNT_LENGTH) return null;
  let text = raw.trim();
  if (MISSING_MARKERS.has(text.toLowerCase())) return null;
  const parenthesized = /^\((.*)\)$/s.exec(text);
  if (parenthesized) text = parenthesized[1] ?? '';
  const match = AMOUNT.exec(text.replace(/\u2212/g, '-').replace(/\s+/g, ''));
  if (!match) return null;
  const [, signBefore = '', signAfter = '', integer = '', fraction = '', exponent = ''] = match;
  // One sign at most, and none inside parentheses: `(-5)` and `-$-5` have no single reading.
  if ((signBefore && signAfter) || (parenthesized && (signBefore || signAfter))) return null;
  if (!/\d/.test(integer + fraction)) return null;
  const value = Number(`${signBefore || signAfter}${integer.replace(/,/g, '')}${fraction}${exponent}`);
  if (!Number.isFinite(value)) return null;
  // `+ 0` turns -0 into 0, so `"-0.00"` does not reach clients as a negative zero.
  return (parenthesized ? -value : value) + 0;
}

/** A calendar date `YYYY-MM-DD`, or `null` when the provider's value is not one. */
export function toIsoDate(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(raw.trim());
  return match?.[1] && isCalendarDate(match[1]) ? match[1] : null;
}
