import { describe, expect, it } from 'vitest';
import { dataCacheControl, entityTag, ifNoneMatchMatches } from '../../../lib/api/http-caching.js';

describe('entityTag', () => {
  it('is a strong tag that is the same for the same data and differs for other data', () => {
    const tag = entityTag({ symbol: 'IBM', price: 1 });
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entityTag({ symbol: 'IBM', price: 1 })).toBe(tag);
    expect(entityTag({ symbol: 'IBM', price: 2 })).not.toBe(tag);
  });
});

describe('ifNoneMatchMatches (RFC 9110 §13.1.2)', () => {
  const tag = '"abc"';
  it('matches the same tag, `*`, and any member of a list', () => {
    expect(ifNoneMatchMatches('"abc"', tag)).toBe(true);
    expect(ifNoneMatchMatches(' * ', tag)).toBe(true);
    expect(ifNoneMatchMatches('"x", "abc" ,"y"', tag)).toBe(true);
  });

  it('compares weakly: W/"abc" matches "abc"', () => {
    expect(ifNoneMatchMatches('W/"abc"', tag)).toBe(true);
  });

  it('does not match another tag, an unquoted one, an empty header or none', () => {
    expect(ifNoneMatchMatches('"abd"', tag)).toBe(false);
    expect(ifNoneMatchMatches('abc', tag)).toBe(false);
    expect(ifNoneMatchMatches('', tag)).toBe(false);
    expect(ifNoneMatchMatches(undefined, tag)).toBe(false);
  });

  it('keeps a comma inside a tag as part of it', () => {
    expect(ifNoneMatchMatches('"a,b"', '"a,b"')).toBe(true);
    expect(ifNoneMatchMatches('"a,b"', '"a"')).toBe(false);
  });
});

describe('dataCacheControl', () => {
  it('is private, for the whole seconds given, and never negative', () => {
    expect(dataCacheControl(299)).toBe('private, max-age=299');
    expect(dataCacheControl(12.9)).toBe('private, max-age=12');
    expect(dataCacheControl(-5)).toBe('private, max-age=0');
    expect(dataCacheControl(Number.NaN)).toBe('private, max-age=0');
  });
});
