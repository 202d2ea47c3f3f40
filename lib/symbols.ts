import * as z from 'zod/mini';
import { InvalidRequestError } from './errors.js';

/** What a valid symbol is, as error messages and the API description say it. */
export const SYMBOL_RULE = 'must be 1-15 letters, digits, ".", "-", "^" or "="';

/** Longest symbol a client may send (the OpenAPI document's `maxLength`). */
const MAX_SYMBOL_LENGTH = 15;

/**
 * A ticker as clients may send it, in either letter case: the OpenAPI document's `pattern` for every
 * symbol input. ASCII only, checked before upper-casing, so no other script's letter can upper-case
 * into one that passes (`'ſ'.toUpperCase()` is `S`).
 */
const SYMBOL_PATTERN = /^[A-Za-z0-9.^=-]{1,15}$/;

/**
 * A ticker as clients send it: 1–15 characters of letters, digits and `. - ^ =` (`BRK.B`, `^GSPC`,
 * `EURUSD=X`), upper-cased. Nothing is trimmed: the string the document's pattern accepts is exactly
 * the string this accepts, so a client that validates against the document is never refused here.
 */
export const SymbolSchema = z.pipe(
  z
    .string(SYMBOL_RULE)
    .check(
      z.minLength(1, SYMBOL_RULE),
      z.maxLength(MAX_SYMBOL_LENGTH, SYMBOL_RULE),
      z.regex(SYMBOL_PATTERN, SYMBOL_RULE),
    ),
  z.transform((raw: string) => raw.toUpperCase()),
);

/** Parses a client's symbol or throws `InvalidRequestError` saying what is wrong. */
export function parseSymbol(raw: unknown): string {
  const result = z.safeParse(SymbolSchema, raw);
  if (!result.success) {
    throw new InvalidRequestError('invalid symbol', [`symbol ${SYMBOL_RULE}`]);
  }
  return result.data;
}
