import type { SearchResult, SymbolMatch } from '../model/search-result.js';
import { check, type QualityReport, reportOf } from './report.js';

/** A name that says something: not blank, and not the symbol repeated, which providers send when they have none. */
function hasName(match: SymbolMatch): boolean {
  const name = match.name.trim();
  return name !== '' && name.toUpperCase() !== match.symbol;
}

/**
 * Scores a search result: `matches_have_names` (warning), failing on the first match without a real
 * name (its symbol is the subject). No matches: no checks, score 1; an empty search is an answer.
 */
export function scoreSearchResult(result: SearchResult): QualityReport {
  if (result.matches.length === 0) return reportOf([]);
  const nameless = result.matches.filter((match) => !hasName(match));
  return reportOf([
    check('matches_have_names', 'warning', nameless.length === 0, {
      subject: nameless[0]?.symbol,
      detail: `${nameless.length} of ${result.matches.length} matches without a name`,
    }),
  ]);
}
