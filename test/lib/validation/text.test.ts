import { describe, expect, it } from 'vitest';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../../lib/validation/text.js';
import { providerFixture } from '../../support/fixtures.js';

describe('sanitizeText', () => {
  it('keeps a real description as it is', () => {
    const overview = providerFixture('alphavantage/overview_TSLA_2023-01-27.json') as { Description: string };
    expect(sanitizeText(overview.Description, 5000)).toBe(overview.Description);
  });

  it('strips tags and keeps their text', () => {
    expect(sanitizeText('<p>Apple <b>designs</b> phones.</p>', 100)).toBe('Apple designs phones.');
  });

  it('drops the content of script and style blocks with the tags', () => {
    expect(sanitizeText('Apple<script type="text/javascript">alert(1)</script> Inc.', 100)).toBe(
      'Apple Inc.',
    );
    expect(sanitizeText('<style>p { color: red }</style>Apple', 100)).toBe('Apple');
    expect(sanitizeText('Apple <SCRIPT>steal()', 100)).toBe('Apple');
  });

  it('drops comments and tags with attributes, including event handlers', () => {
    expect(sanitizeText('A<!-- hidden -->B', 100)).toBe('A B');
    expect(sanitizeText('<img src=x onerror=alert(1)>Apple', 100)).toBe('Apple');
  });

  it('decodes the common entities and numeric references', () => {
    expect(sanitizeText('AT&amp;T &quot;Ma Bell&quot; &#39;s&#39;&nbsp;&#x41;&#66;', 100)).toBe(
      `AT&T "Ma Bell" 's' AB`,
    );
  });

  it('removes brackets that entities decode to, so encoded markup cannot come back', () => {
    expect(sanitizeText('&lt;script&gt;alert(1)&lt;/script&gt;', 100)).toBe('scriptalert(1)/script');
    expect(sanitizeText('&#60;img src=x&#62;', 100)).toBe('img src=x');
  });

  it('removes stray brackets, even in prose', () => {
    expect(sanitizeText('margins < 5 % and > 2 %', 100)).toBe('margins 5 % and 2 %');
  });

  it('leaves unknown entities and invalid references harmless', () => {
    expect(sanitizeText('R&D &copy; &#0;&#xD800;&#x110000;', 100)).toBe('R&D &copy;');
  });

  it('keeps "javascript:" as text: without markup it cannot run', () => {
    expect(sanitizeText('<a href="javascript:alert(1)">javascript:alert(1)</a>', 100)).toBe(
      'javascript:alert(1)',
    );
  });

  it('removes control characters, zero-width spaces and collapses whitespace', () => {
    expect(sanitizeText('  Apple\u0000\u0007 \u200b Inc.\r\n\tCupertino\u0085  ', 100)).toBe(
      'Apple Inc. Cupertino',
    );
  });

  it('keeps emoji joiners and non-Latin text', () => {
    expect(sanitizeText('東京 👩‍💻 می‌خواهم', 100)).toBe('東京 👩‍💻 می‌خواهم');
  });

  it('cuts to maxLength without splitting a surrogate pair', () => {
    expect(sanitizeText('abcdef', 3)).toBe('abc');
    expect(sanitizeText('ab😀cd', 3)).toBe('ab');
    expect(sanitizeText('ab😀cd', 4)).toBe('ab😀');
    expect(sanitizeText('ab cd', 3)).toBe('ab');
  });

  it.each(['None', 'N/A', '-', '--', 'null', '', '   ', '<b></b>', '<script>x</script>'])(
    'answers null for the missing marker or empty result %j',
    (raw) => {
      expect(sanitizeText(raw, 100)).toBeNull();
    },
  );

  it("keeps Namibia's country code, which looks like a marker", () => {
    expect(sanitizeText('NA', 64)).toBe('NA');
  });

  it('answers null for other types and for a bound that allows nothing', () => {
    for (const raw of [null, undefined, 42, {}, ['Apple']]) expect(sanitizeText(raw, 100)).toBeNull();
    expect(sanitizeText('Apple', 0)).toBeNull();
    expect(sanitizeText('Apple', Number.NaN)).toBeNull();
  });
});

describe('sanitizeSymbol', () => {
  it.each([
    [' brk.b ', 'BRK.B'],
    ['^GSPC', '^GSPC'],
    ['EURUSD=X', 'EURUSD=X'],
    ['TSCO.LON', 'TSCO.LON'],
    ['BRK-B', 'BRK-B'],
  ])('reads %j as %j', (raw, expected) => {
    expect(sanitizeSymbol(raw)).toBe(expected);
  });

  it.each(['', 'A B', 'AAPL;', '<b>', 'ABCDEFGHIJKLMNOP', 'ı', 'straße', 42, null])('rejects %j', (raw) => {
    expect(sanitizeSymbol(raw)).toBeNull();
  });
});

describe('sanitizeCurrency', () => {
  it('reads ISO codes in any case', () => {
    expect(sanitizeCurrency('USD')).toBe('USD');
    expect(sanitizeCurrency(' gbx ')).toBe('GBX');
  });

  it.each(['US', 'USDT', '$', 'U$D', 'None', '', 'ıso', 7, null])('rejects %j', (raw) => {
    expect(sanitizeCurrency(raw)).toBeNull();
  });
});
