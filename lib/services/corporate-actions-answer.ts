import type { CorporateActions, CorporateActionsQuery } from '../model/corporate-actions.js';
import { type QualityReport, reportOf } from '../quality/report.js';
import type { DataAnswer } from './market-data-service.js';

/** One of the two parts of a symbol's corporate actions: providers serve each on its own endpoint. */
export type CorporateActionKind = CorporateActionsQuery['kind'];

/** `SYMBOL#splits`, `SYMBOL#dividends`: each part cached apart, with its own provider, time and quality. */
export function corporateActionsKey(symbol: string, kind: CorporateActionKind): string {
  return `${symbol}#${kind}`;
}

/**
 * One answer from the splits part and the dividends part, each fetched (or cached) on its own. The
 * meta says what the whole is worth: as old as its older part (`fetchedAt`, `ageSeconds`), fresh only
 * as long as both are, stale if either is, a hit only if both were, every provider attempt of both,
 * and the checks of both parts in one report. `provider` is the splits' provider (the part that
 * changes a price series); `providers` names each part's.
 */
export function mergeCorporateActions(
  symbol: string,
  splits: DataAnswer<CorporateActions>,
  dividends: DataAnswer<CorporateActions>,
): DataAnswer<CorporateActions> {
  const parts = [splits.meta, dividends.meta];
  const older = splits.meta.fetchedAt <= dividends.meta.fetchedAt ? splits.meta : dividends.meta;
  return {
    data: { symbol, splits: splits.data.splits, dividends: dividends.data.dividends },
    meta: {
      provider: splits.meta.provider,
      providers: { splits: splits.meta.provider, dividends: dividends.meta.provider },
      cache: parts.every((meta) => meta.cache === 'hit') ? 'hit' : 'miss',
      stale: parts.some((meta) => meta.stale),
      fetchedAt: older.fetchedAt,
      ageSeconds: Math.max(...parts.map((meta) => meta.ageSeconds)),
      freshForSeconds: Math.min(...parts.map((meta) => meta.freshForSeconds)),
      attempts: parts.flatMap((meta) => meta.attempts),
      quality: mergedQuality(splits.meta.quality, dividends.meta.quality),
    },
  };
}

/** Each part's checks looked at its own list only, so the whole's report is both parts' checks. */
function mergedQuality(splits: QualityReport | null, dividends: QualityReport | null): QualityReport | null {
  if (splits === null && dividends === null) return null;
  return reportOf([...(splits?.checks ?? []), ...(dividends?.checks ?? [])]);
}
