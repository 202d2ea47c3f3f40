import * as z from 'zod/mini';

/** A finite number (never NaN or ±Infinity). */
export const finite = z.number().check(z.refine(Number.isFinite, 'must be finite'));

/** A finite number or `null` for "the provider did not say" (never 0 standing in for missing). */
export const amount = z.nullable(finite);

/**
 * An amount of money or `null`, its unit in its description (which the OpenAPI document carries), so
 * no client has to guess a scale: `money('Net income', FULL_UNITS)`.
 */
export const money = (what: string, unit = 'in `currency`') =>
  amount.check(z.describe(`${what}, ${unit}; null when the provider did not say.`));

/** The unit of a reported total (statements, market capitalization): providers differ, the model does not. */
export const FULL_UNITS = 'in full units of `currency` (not thousands or millions)';

/** `YYYY-MM-DD`: how the model writes a calendar date. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * True when `value`, written `YYYY-MM-DD`, names a day that exists: the date reads back as itself, so
 * `2020-13-01`, `2020-02-30` and `2021-02-29` (which `Date` would roll over or refuse) are not.
 */
export function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * A calendar date, ISO `YYYY-MM-DD`, that exists: `2020-02-29`, never `2020-13-01` or `2021-02-29`.
 * The day is checked only once the pattern holds, so a value fails on one count, not two; the
 * pattern's failure does not abort the parse, which keeps a union (the statements' `reports`)
 * naming the failing field rather than the union as a whole.
 */
export const isoDate = z.string().check(
  z.regex(ISO_DATE),
  z.refine((value) => !ISO_DATE.test(value) || isCalendarDate(value), 'must be a calendar date'),
);

/** An ISO 4217 currency code, or `null` when the provider does not say. */
export const currency = z.nullable(z.string().check(z.regex(/^[A-Z]{3}$/)));

/** A symbol in the layer's form: upper case, 1–15 of letters, digits, `. - ^ =`. */
export const symbol = z.string().check(z.regex(/^[A-Z0-9.\-^=]{1,15}$/));

/** Free text from a provider, already sanitized (no markup) and bounded. */
export const text = (maxLength: number) => z.nullable(z.string().check(z.maxLength(maxLength)));
