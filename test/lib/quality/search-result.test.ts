import { describe, expect, it } from 'vitest';
import type { SearchResult } from '../../../lib/model/search-result.js';
import { isServable } from '../../../lib/quality/report.js';
import { scoreSearchResult } from '../../../lib/quality/search-result.js';
import { toNumber } from '../../../lib/validation/sanitize.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../../lib/validation/text.js';
import { providerFixture } from '../../support/fixtures.js';

/** The Alpha Vantage search for "tesco", read field by field. */
function tesco(): SearchResult {
  const raw = providerFixture('alphavantage/symbol_search_tesco.json') as {
    bestMatches: Record<string, string>[];
  };
  return {
    query: 'tesco',
    matches: raw.bestMatches.map((match) => ({
      symbol: sanitizeSymbol(match['1. symbol']) ?? 'INVALID',
      name: sanitizeText(match['2. name'], 200) ?? '?',
      type: sanitizeText(match['3. type'], 40),
      exchange: null,
      region: sanitizeText(match['4. region'], 64),
      currency: sanitizeCurrency(match['8. currency']),
      matchScore: toNumber(match['9. matchScore']),
    })),
  };
}

describe('scoreSearchResult', () => {
  it('passes the Alpha Vantage search for tesco', () => {
    const report = scoreSearchResult(tesco());
    expect(report.checks).toEqual([
      {
        id: 'matches_have_names',
        passed: true,
        severity: 'warning',
        detail: '0 of 5 matches without a name',
      },
    ]);
  });

  it('fails matches_have_names on a match named by its own symbol or by blanks, naming the first', () => {
    const result = tesco();
    const matches = result.matches.map((match, i) =>
      i === 1 ? { ...match, name: match.symbol.toLowerCase() } : i === 3 ? { ...match, name: '  ' } : match,
    );
    const report = scoreSearchResult({ ...result, matches });
    expect(report.checks).toEqual([
      {
        id: 'matches_have_names',
        passed: false,
        severity: 'warning',
        subject: 'TSCDF',
        detail: '2 of 5 matches without a name',
      },
    ]);
    expect(isServable(report)).toBe(false);
  });

  it('has no checks and scores 1 when nothing matched', () => {
    expect(scoreSearchResult({ query: 'zzzz', matches: [] })).toEqual({ score: 1, checks: [] });
  });
});
