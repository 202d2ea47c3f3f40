import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../../lib/validation/text.js';
import { layerSymbol, rawSymbol } from '../../support/arbitraries.js';

/** Fragments of hostile or sloppy provider text, glued together in any order. */
const fragment = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '<SCRIPT src=//x>',
    '<scr<script>ipt>',
    '</script>',
    '<style>*{}</style>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">',
    '<!--',
    '-->',
    '<',
    '>',
    '&lt;',
    '&gt;',
    '&lt;script&gt;',
    '&amp;lt;',
    '&#60;',
    '&#x3e;',
    '&#x3C;script&#x3E;',
    '&#0;',
    '&#xD800;',
    '&#1114112;',
    '&nbsp;',
    '&quot;',
    '\u0000',
    '\u0007',
    '\u001b[31m',
    '\u0085',
    '\u200b',
    '\ufeff',
    '\ud83d',
    '\ude00',
    '😀',
    '👩‍💻',
    '\r\n\t',
    'None',
  ),
);
const markup = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
/** Plain words and punctuation, which the sanitizer must keep as they are (no missing marker among them). */
const plainWords = fc
  .stringMatching(/^[A-Za-z0-9]{1,12}( [A-Za-z0-9,.'()]{1,12}){0,8}$/)
  .filter((text) => !['none', 'null', 'undefined'].includes(text.toLowerCase()));
const anyText = fc.oneof(markup, fc.anything());
const maxLength = fc.integer({ min: 1, max: 300 });
const currencyCode = fc.stringMatching(/^[A-Z]{3}$/);

/** C0/C1 controls and lone surrogates: `\p{Cs}` matches only unpaired halves under the `u` flag. */
const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;

describe('sanitizeText (properties)', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(anyText, fc.oneof(maxLength, fc.double(), fc.integer()), (raw, limit) => {
        sanitizeText(raw, limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers null or bounded, trimmed plain text without brackets or control characters', () => {
    fc.assert(
      fc.property(anyText, maxLength, plainWords, (raw, limit, words) => {
        // A sanitizer that answered null to everything would pass the checks below: it must keep text.
        expect(sanitizeText(`<b>${words}</b>`, limit)).toBe(words.slice(0, limit).trimEnd());
        const text = sanitizeText(raw, limit);
        if (text === null) return;
        expect(text.length).toBeGreaterThan(0);
        expect(text.length).toBeLessThanOrEqual(limit);
        expect(text).not.toMatch(/[<>]/);
        expect(text.toLowerCase()).not.toContain('<script');
        expect(text).not.toMatch(CONTROL_OR_LONE_SURROGATE);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s\s/);
      }),
      { numRuns: 3000 },
    );
  });

  it('cuts a text to a prefix of the uncut text', () => {
    fc.assert(
      fc.property(markup, maxLength, plainWords, (raw, limit, words) => {
        const full = sanitizeText(raw, 1_000_000);
        const cut = sanitizeText(raw, limit);
        if (full === null) expect(cut).toBeNull();
        else if (full.length <= limit) expect(cut).toBe(full);
        else if (cut !== null) expect(full.startsWith(cut)).toBe(true);
        // A sanitizer that answered null to everything would pass the lines above: plain words are cut
        // to their first characters, without a trailing space.
        expect(sanitizeText(words, limit)).toBe(words.slice(0, limit).trimEnd());
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps plain words as they are', () => {
    fc.assert(
      fc.property(plainWords, (raw) => {
        expect(sanitizeText(raw, 200)).toBe(raw);
      }),
    );
  });
});

describe('sanitizeSymbol and sanitizeCurrency (properties)', () => {
  it('answers a symbol in the layer form or null, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(rawSymbol, fc.anything(), fc.string({ unit: 'grapheme' })),
        layerSymbol,
        (raw, known) => {
          const symbol = sanitizeSymbol(raw);
          if (symbol !== null) expect(symbol).toMatch(/^[A-Z0-9.\-^=]{1,15}$/);
          // A sanitizer that answered null to everything would pass the line above: it must also read.
          expect(sanitizeSymbol(known)).toBe(known);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads any layer symbol, in any case and padding, back as itself', () => {
    fc.assert(
      fc.property(layerSymbol, fc.boolean(), (symbol, lower) => {
        expect(sanitizeSymbol(` ${lower ? symbol.toLowerCase() : symbol}\t`)).toBe(symbol);
      }),
    );
  });

  it('answers three upper-case letters or null, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 5 }), fc.anything()), currencyCode, (raw, known) => {
        const code = sanitizeCurrency(raw);
        if (code !== null) expect(code).toMatch(/^[A-Z]{3}$/);
        // A sanitizer that answered null to everything would pass the line above: it must also read.
        expect(sanitizeCurrency(` ${known.toLowerCase()} `)).toBe(known);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers null for symbols and codes outside the layer form', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', '   ', 'TOO-LONG-SYMBOL-X', 'BRK B', 'BRK/B', 'ıBM', 'AAPL!'),
        fc.constantFrom('', 'US', 'USDX', 'U$D', 'ÜSD', '123', 'us d'),
        (symbol, code) => {
          expect(sanitizeSymbol(symbol)).toBeNull();
          expect(sanitizeCurrency(code)).toBeNull();
        },
      ),
    );
  });
});
