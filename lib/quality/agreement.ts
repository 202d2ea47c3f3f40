/**
 * Agreement between two providers on the same symbol and day: the one check that compares a provider
 * with another instead of judging an answer alone.
 *
 * Only settled numbers are compared. A quote's `previousClose` is settled for its trading day; its
 * `price` moves all session, so it is compared only when both quotes were taken after that day's close
 * or within {@link SIMULTANEOUS_MS} of each other (an audit call). A daily bar is compared once both
 * series were fetched after its session closed (a bar fetched during its session is partial). A series
 * compares the closes of every day both hold and the open, high and low of the latest of those days.
 */
import type { DailySeries } from '../model/daily-bars.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { Quote } from '../model/quote.js';
import { check, percent, type QualityCheck, type QualityReport, reportOf } from './report.js';

/**
 * How far two providers' prices may differ and still agree: `relative` of the larger price, or
 * `absolute` (currency units), whichever is larger. Real providers differ by the consolidated close
 * against the primary exchange's closing auction (typically a few hundredths of a percent, rarely past
 * 0.3 % for thin names), by late trade corrections, and by rounding to the cent: 0.5 % or one cent
 * passes all of that and still catches a wrong scale, a stale day or a mis-mapped symbol.
 */
export interface AgreementTolerance {
  relative: number;
  absolute: number;
}

/** @default { relative: 0.005, absolute: 0.01 } */
export const DEFAULT_AGREEMENT_TOLERANCE: AgreementTolerance = { relative: 0.005, absolute: 0.01 };

/**
 * When a day's session closes (epoch ms), after which its prices are settled: the market's clock
 * (`lib/cache/market-close.ts`), handed in by the caller.
 */
export type SessionClose = (day: string) => number;

/** Two quotes taken this close together price the same instant, for an agreement check. */
export const SIMULTANEOUS_MS = 60_000;

/** The check's id in quality reports. */
export const AGREEMENT_CHECK_ID = 'cross_provider_agreement';

/** One provider's value of a data type, with when it was fetched (epoch ms). */
export interface Sighting<Value> {
  provider: ProviderId;
  value: Value;
  fetchedAt: number;
}

/** One number both providers gave: which (field and day) and each side's value. */
export interface ComparedValue {
  field: string;
  day: string;
  ours: number;
  theirs: number;
  /** |ours − theirs| over the larger of the two. */
  difference: number;
}

/** What comparing two providers' values found; `null` from a comparer when nothing was comparable. */
export interface Comparison {
  other: ProviderId;
  agreed: boolean;
  /** How many numbers were compared. */
  compared: number;
  /** The value that differed most (the one a reader checks first). */
  worst: ComparedValue;
}

/** Whether two prices agree within the tolerance. */
export function agrees(ours: number, theirs: number, tolerance: AgreementTolerance): boolean {
  const allowed = Math.max(
    tolerance.absolute,
    tolerance.relative * Math.max(Math.abs(ours), Math.abs(theirs)),
  );
  // A billionth of slack: 0.51 − 0.5 is 0.010000000000000009 in binary floating point.
  return Math.abs(ours - theirs) <= allowed + 1e-9;
}

function compared(field: string, day: string, ours: number, theirs: number): ComparedValue {
  const scale = Math.max(Math.abs(ours), Math.abs(theirs));
  return { field, day, ours, theirs, difference: scale === 0 ? 0 : Math.abs(ours - theirs) / scale };
}

function comparisonOf(
  other: ProviderId,
  values: ComparedValue[],
  tolerance: AgreementTolerance,
): Comparison | null {
  const [first, ...rest] = values;
  if (!first) return null;
  const worst = rest.reduce((a, b) => (b.difference > a.difference ? b : a), first);
  return {
    other,
    agreed: values.every((value) => agrees(value.ours, value.theirs, tolerance)),
    compared: values.length,
    worst,
  };
}

/** Compares two quotes of the same trading day; `null` for different days (nothing in common). */
export function compareQuotes(
  ours: Sighting<Quote>,
  theirs: Sighting<Quote>,
  tolerance: AgreementTolerance,
  closeOf: SessionClose,
): Comparison | null {
  const day = ours.value.tradingDay;
  if (day !== theirs.value.tradingDay) return null;
  const values: ComparedValue[] = [];
  const settled = Math.min(ours.fetchedAt, theirs.fetchedAt) >= closeOf(day);
  if (settled || Math.abs(ours.fetchedAt - theirs.fetchedAt) <= SIMULTANEOUS_MS) {
    values.push(compared('price', day, ours.value.price, theirs.value.price));
  }
  const [a, b] = [ours.value.previousClose, theirs.value.previousClose];
  if (a !== null && b !== null) values.push(compared('previousClose', day, a, b));
  return comparisonOf(theirs.provider, values, tolerance);
}

/**
 * Compares two daily series presented on the same price basis (the caller's duty: as traded against
 * as traded): the closes of every settled day both hold, and the open, high and low of the latest.
 */
export function compareSeries(
  ours: Sighting<DailySeries>,
  theirs: Sighting<DailySeries>,
  tolerance: AgreementTolerance,
  closeOf: SessionClose,
): Comparison | null {
  const settledBy = Math.min(ours.fetchedAt, theirs.fetchedAt);
  const theirBars = new Map(theirs.value.bars.map((bar) => [bar.date, bar]));
  const pairs = ours.value.bars.flatMap((bar) => {
    const other = theirBars.get(bar.date);
    return other && closeOf(bar.date) <= settledBy ? [[bar, other] as const] : [];
  });
  const values = pairs.map(([bar, other]) => compared('close', bar.date, bar.close, other.close));
  const latest = pairs.at(-1);
  if (latest) {
    const [bar, other] = latest;
    for (const field of ['open', 'high', 'low'] as const)
      values.push(compared(field, bar.date, bar[field], other[field]));
  }
  return comparisonOf(theirs.provider, values, tolerance);
}

/**
 * The quality check of one comparison: names the other provider (its subject) and the largest
 * difference with both values. A `warning`: two providers disagreeing is likely one's quirk or gap.
 */
export function agreementCheck(comparison: Comparison, tolerance: AgreementTolerance): QualityCheck {
  const { worst, other } = comparison;
  const values = `${worst.field} ${worst.day}: ${worst.ours} here, ${worst.theirs} at ${other}`;
  const detail = comparison.agreed
    ? `${comparison.compared} values within ${percent(tolerance.relative)} or ${tolerance.absolute}; largest ${percent(worst.difference)} (${values})`
    : `${percent(worst.difference)} apart, beyond ${percent(tolerance.relative)} or ${tolerance.absolute} (${values})`;
  return check(AGREEMENT_CHECK_ID, 'warning', comparison.agreed, { subject: other, detail });
}

/**
 * The answer's report with agreement checks added. A disagreement lowers the score, but never below
 * `floor` on its own: it says two providers differ, not which is wrong, so it never blocks an answer
 * that was servable without it (an answer already under the floor keeps its own score).
 */
export function withAgreement(
  report: QualityReport | null,
  checks: readonly QualityCheck[],
  floor: number,
): QualityReport | null {
  if (checks.length === 0) return report;
  const before = report ?? reportOf([]);
  const after = reportOf([...before.checks, ...checks]);
  return { ...after, score: Math.max(after.score, Math.min(before.score, floor)) };
}

/** The agreement checks of a report: what a rescored slice of a series keeps from its series' report. */
export function agreementChecksOf(report: QualityReport | null): QualityCheck[] {
  return report?.checks.filter((item) => item.id === AGREEMENT_CHECK_ID) ?? [];
}
