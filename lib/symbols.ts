import * as z from 'zod/mini';
import { InvalidRequestError } from './errors.js';

/** What a valid symbol is, as error messages and the API description say it. */
export const SYMBOL_RULE = 'must be 1-15 letters, digits, ".", "-", "^" or "="';

/**
 * A ticker as clients send it: 1–15 characters of letters, digits and `. - ^ =` (`BRK.B`, `^GSPC`,
 * `EURUSD=X`), trimmed and upper-cased.
 */
export const SymbolSchema = z
  .pipe(
    z.string(),
    z.transform((raw) => raw.trim().toUpperCase()),
  )
  .check(z.refine((s) => /^[A-Z0-9.\-^=]{1,15}$/.test(s), SYMBOL_RULE));

/** Parses a client's symbol or throws `InvalidRequestError` saying what is wrong. */
export function parseSymbol(raw: unknown): string {
  const result = z.safeParse(SymbolSchema, raw);
  if (!result.success) {
    throw new InvalidRequestError('invalid symbol', [`symbol ${SYMBOL_RULE}`]);
  }
  return result.data;
}
