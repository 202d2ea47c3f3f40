import type { DailyBar, DailySeries } from '../model/daily-bars.js';
import {
  type CheckSeverity,
  check,
  latestPlausibleDate,
  MISSING_FIELDS_LIMIT,
  type QualityCheck,
  type QualityOptions,
  type QualityReport,
  reportOf,
} from './report.js';

/**
 * One check over many bars: passes when every bar it applies to passes. A series of thousands of
 * bars gives one line per check, not per bar; the subject is the first failing bar's date.
 * Skipped when it applies to no bar.
 */
function overBars(
  id: string,
  severity: CheckSeverity,
  bars: readonly DailyBar[],
  passes: (bar: DailyBar) => boolean,
): QualityCheck[] {
  if (bars.length === 0) return [];
  const failing = bars.filter((bar) => !passes(bar));
  const first = failing[0];
  return [
    check(id, severity, first === undefined, {
      subject: first?.date,
      detail: `${failing.length} of ${bars.length} bars fail`,
    }),
  ];
}

/**
 * Scores daily bars. Per bar, over the whole series: `high_gte_low` (error), `open_within_range`
 * and `close_within_range` (warning; skipped for bars whose range is inverted), `volume_nonnegative`
 * (error). Over the dates: `no_future_dates` (error: after today UTC plus one day),
 * `no_duplicate_dates` (error) and `ascending_dates` (error: never going back; a repeated date is
 * `no_duplicate_dates`' failure only). `missing_fields` (warning) counts nulls among the optional
 * fields the series carries at all: a field null in every bar (no adjusted close from an unadjusted
 * endpoint, no volume for an index) is what the endpoint offers, not a gap.
 *
 * An empty series has no checks and scores 1: whether no bars is an acceptable answer is the caller's call.
 */
export function scoreDailySeries(series: DailySeries, options: QualityOptions = {}): QualityReport {
  const { bars } = series;
  if (bars.length === 0) return reportOf([]);
  const ordered = bars.filter((bar) => bar.high >= bar.low);
  const withVolume = bars.filter((bar) => bar.volume !== null);
  const latest = latestPlausibleDate(options.now ?? new Date());

  const checks: QualityCheck[] = [
    ...overBars('high_gte_low', 'error', bars, (bar) => bar.high >= bar.low),
    ...overBars(
      'open_within_range',
      'warning',
      ordered,
      (bar) => bar.open >= bar.low && bar.open <= bar.high,
    ),
    ...overBars(
      'close_within_range',
      'warning',
      ordered,
      (bar) => bar.close >= bar.low && bar.close <= bar.high,
    ),
    ...overBars('volume_nonnegative', 'error', withVolume, (bar) => (bar.volume ?? 0) >= 0),
    ...overBars('no_future_dates', 'error', bars, (bar) => bar.date <= latest),
    ...dateOrderChecks(bars),
    ...seriesMissingFields(bars),
  ];
  return reportOf(checks);
}

/** `no_duplicate_dates` and `ascending_dates`, kept apart so a repeated date fails only the first. */
function dateOrderChecks(bars: readonly DailyBar[]): QualityCheck[] {
  const seen = new Set<string>();
  let duplicate: string | undefined;
  let descent: string | undefined;
  let previous: string | undefined;
  for (const { date } of bars) {
    if (seen.has(date)) duplicate ??= date;
    seen.add(date);
    if (previous !== undefined && date < previous) descent ??= date;
    previous = date;
  }
  return [
    check('no_duplicate_dates', 'error', duplicate === undefined, { subject: duplicate }),
    check('ascending_dates', 'error', descent === undefined, {
      subject: descent,
      detail: descent === undefined ? undefined : 'a bar dated before the bar preceding it',
    }),
  ];
}

/** `missing_fields` over the series: one share across all bars, for the fields the series carries. */
function seriesMissingFields(bars: readonly DailyBar[]): QualityCheck[] {
  const carried = (['adjustedClose', 'volume'] as const).filter((name) =>
    bars.some((bar) => bar[name] !== null),
  );
  const total = carried.length * bars.length;
  let missing = 0;
  for (const bar of bars) for (const name of carried) if (bar[name] === null) missing += 1;
  const ratio = total === 0 ? 0 : missing / total;
  return [
    check('missing_fields', 'warning', ratio <= MISSING_FIELDS_LIMIT, {
      detail: `${missing} of ${total} optional values missing`,
    }),
  ];
}
