/**
 * Sanitizers for provider text: company descriptions, names, exchanges, symbols, currencies.
 *
 * Provider text is shown by web clients, so the layer hands out plain text only: no markup can
 * survive, whatever the provider sent. Escaping for a given output context (HTML attribute, SQL…)
 * stays the client's job; this module guarantees there are no `<` or `>` and no control characters.
 */

/**
 * Values providers send for "no value" in a text field. Not `NA`: that is Namibia's country code,
 * and `country` carries ISO codes.
 */
const MISSING_TEXT = new Set(['none', 'null', 'n/a', '#n/a', '-', '--', '—', 'undefined']);

/** Named entities providers actually send; anything else is left as text (it is harmless without `<`/`>`). */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** `<script>` and `<style>` carry code, not prose: their content goes with the tags. */
const CODE_BLOCK = /<(script|style)\b[^>]*>[\s\S]*?(<\/\1\s*>|$)/gi;
/** A tag, a comment or a declaration. An unclosed `<` is caught by the final `<`/`>` removal. */
const TAG = /<!--[\s\S]*?(-->|$)|<\/?[a-z!?][^>]*>/gi;
const ENTITY = /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi;
/**
 * C0 and C1 control characters (`Cc`) and lone surrogates (`Cs`: with the `u` flag a well-formed
 * pair reads as one code point, so only halves match). Tab, newlines and form feeds are left for
 * the whitespace step, so `a\nb` becomes `a b`, not `ab`: `\t-\r` is U+0009..U+000D (tab, line feed,
 * vertical tab, form feed, carriage return). A range rather than `\v`: Stryker's regex mutator turns
 * `\v` into `\V`, a syntax error under the `u` flag that keeps the whole module from loading
 * (stryker-js issue 6130).
 */
const CONTROL = /(?![\t-\r])[\p{Cc}\p{Cs}]/gu;
/**
 * Invisible characters that carry no meaning in provider text: zero-width space, word joiner, BOM.
 * Zero-width (non-)joiners stay: Persian, Indic scripts and emoji sequences need them.
 */
const INVISIBLE = /[\u200b\u2060\ufeff]/g;
/** Whitespace including tabs, newlines, NBSP, line separators and the Unicode spaces. */
const WHITESPACE = /\s+/g;

function decodeEntity(entity: string, body: string): string {
  if (body.startsWith('#')) {
    const code =
      body[1] === 'x' || body[1] === 'X'
        ? Number.parseInt(body.slice(2), 16)
        : Number.parseInt(body.slice(1), 10);
    // Surrogate halves and code points past U+10FFFF are not characters; NUL is a control character.
    if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return '';
    return String.fromCodePoint(code);
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
}

/**
 * Cuts `value` to at most `maxLength` UTF-16 code units without splitting a surrogate pair,
 * so the result is still well-formed text (the schemas' `maxLength` counts code units too).
 */
function truncate(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  let end = maxLength;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end).trimEnd();
}

/**
 * A provider's free text as plain text: tags and the content of `<script>`/`<style>` blocks
 * removed, common and numeric HTML entities decoded, then any `<` or `>` left removed (so an
 * encoded `&lt;script&gt;` cannot come back as markup), control characters removed,
 * whitespace collapsed, trimmed and cut to `maxLength` code units on a character boundary.
 *
 * Returns `null` for non-strings, missing markers (`"None"`, `"N/A"`, `"-"`…) and empty results.
 * Words such as `javascript:` are left as text: without markup they cannot run, and a company
 * description may legitimately mention them.
 */
export function sanitizeText(raw: unknown, maxLength: number): string | null {
  if (typeof raw !== 'string') return null;
  const limit = Number.isFinite(maxLength) ? Math.floor(maxLength) : 0;
  if (limit <= 0) return null;
  const cleaned = raw
    .replace(CODE_BLOCK, ' ')
    .replace(TAG, ' ')
    .replace(ENTITY, decodeEntity)
    .replace(/[<>]/g, '')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(WHITESPACE, ' ')
    .trim();
  // A marker is read after cleaning, so `<b>N/A</b>` is one too; an empty result is caught below.
  if (MISSING_TEXT.has(cleaned.toLowerCase())) return null;
  const bounded = truncate(cleaned, limit);
  return bounded === '' ? null : bounded;
}

/**
 * The layer's symbol form (`symbol` in `lib/model/fields.ts`), tested before upper-casing in either
 * case: `toUpperCase` maps some non-ASCII letters to ASCII (`ı` → `I`, `ß` → `SS`), which must not
 * turn a foreign character into a valid symbol.
 */
const SYMBOL = /^[A-Za-z0-9.\-^=]{1,15}$/;

/** A symbol trimmed and upper-cased, or `null` if it is not 1–15 of `A-Z 0-9 . - ^ =`. */
export function sanitizeSymbol(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  return SYMBOL.test(value) ? value.toUpperCase() : null;
}

/** An ISO 4217 currency code trimmed and upper-cased, or `null` if it is not three ASCII letters. */
export function sanitizeCurrency(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  return /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null;
}
