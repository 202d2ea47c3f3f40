import * as z from 'zod/mini';

/** A finite number (never NaN or ±Infinity). */
export const finite = z.number().check(z.refine(Number.isFinite, 'must be finite'));

/** A finite number or `null` for "the provider did not say" (never 0 standing in for missing). */
export const amount = z.nullable(finite);

/** A calendar date, ISO `YYYY-MM-DD`. */
export const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

/** An ISO 4217 currency code, or `null` when the provider does not say. */
export const currency = z.nullable(z.string().check(z.regex(/^[A-Z]{3}$/)));

/** A symbol in the layer's form: upper case, 1–15 of letters, digits, `. - ^ =`. */
export const symbol = z.string().check(z.regex(/^[A-Z0-9.\-^=]{1,15}$/));

/** Free text from a provider, already sanitized (no markup) and bounded. */
export const text = (maxLength: number) => z.nullable(z.string().check(z.maxLength(maxLength)));
