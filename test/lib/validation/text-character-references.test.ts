import { describe, expect, it } from 'vitest';
import { sanitizeText } from '../../../lib/validation/text.js';

describe('sanitizeText: numeric character references', () => {
  it('decodes hexadecimal references written with a capital X, and characters beyond ASCII', () => {
    expect(sanitizeText('&#X41;&#x6771;&#20140;', 100)).toBe('A東京');
  });

  it('decodes the last code point, U+10FFFF, and nothing past it', () => {
    expect(sanitizeText('a&#x10FFFF;b&#x110000;', 100)).toBe('a\u{10FFFF}b');
  });

  it('never lets a referenced surrogate half pair up with a neighbouring half into a character', () => {
    // Each referenced half is refused; the raw half beside it is then a lone surrogate, removed too.
    expect(sanitizeText('a&#xD800;\uDC00b', 100)).toBe('ab');
    expect(sanitizeText('a\uDBFF&#xDFFF;b', 100)).toBe('ab');
    expect(sanitizeText('a&#xD83D;&#xDE00;b', 100)).toBe('ab');
  });
});

describe('sanitizeText: cleaning and cutting', () => {
  it('leaves a space where a script block was, so the words around it stay apart', () => {
    expect(sanitizeText('Apple<script>steal()</script>Inc.', 100)).toBe('Apple Inc.');
  });

  it('cuts before a surrogate pair whose high half is U+DBFF, the last one', () => {
    expect(sanitizeText('ab\u{10FFFD}cd', 3)).toBe('ab');
  });

  it('answers null for a negative bound', () => {
    expect(sanitizeText('Apple', -1)).toBeNull();
  });
});
