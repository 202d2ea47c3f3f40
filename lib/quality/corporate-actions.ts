import type { CorporateActions } from '../model/corporate-actions.js';
import {
  type CheckSeverity,
  check,
  type QualityCheck,
  type QualityOptions,
  type QualityReport,
  reportOf,
} from './report.js';

/** The widest plausible split either way: 1000-for-1 forward, 1-for-1000 reverse. */
export const MAX_SPLIT_FACTOR = 1000;

/**
 * The largest cash dividend a share plausibly pays, in units of its currency. Generous on purpose:
 * yen and won amounts run to thousands; an amount beyond this is a misplaced decimal or a wrong unit.
 */
export const MAX_DIVIDEND_AMOUNT = 10_000;

/** How far ahead an announced ex-date plausibly lies: a year. */
const ANNOUNCED_AHEAD_DAYS = 366;

interface Action {
  readonly exDate: string;
}

/**
 * Scores a symbol's corporate actions. Splits: `split_ratio_plausible` (error beyond
 * 1/{@link MAX_SPLIT_FACTOR}..{@link MAX_SPLIT_FACTOR}) and `split_ratio_not_one` (warning: a split of
 * 1 for 1 changes nothing, so it is a provider's placeholder or a misread ratio). Dividends: `dividend_amount_plausible` (warning above {@link MAX_DIVIDEND_AMOUNT}),
 * `pay_date_not_before_ex_date` (warning). Each list: its dates unique (`*_dates_unique`, error) and
 * ascending (`*_dates_ascending`, error: a repeated date is only the first's failure), and
 * `*_dates_within_a_year` (warning): an announced action may lie ahead, but not more than a year.
 * Check ids name their list, so a report merging both lists keeps them apart.
 *
 * A list with nothing in it has no checks (no actions is a valid answer); both empty scores 1.
 */
export function scoreCorporateActions(value: CorporateActions, options: QualityOptions = {}): QualityReport {
  const latest = dayAfter(options.now ?? new Date(), ANNOUNCED_AHEAD_DAYS);
  const { splits, dividends } = value;
  return reportOf([
    ...overActions('split_ratio_plausible', 'error', splits, ({ ratio }) => ratioInRange(ratio)),
    ...overActions('split_ratio_not_one', 'warning', splits, ({ ratio }) => ratio !== 1),
    ...overActions(
      'dividend_amount_plausible',
      'warning',
      dividends,
      // The model has amounts positive already: only the upper bound is left to judge.
      ({ amount }) => amount <= MAX_DIVIDEND_AMOUNT,
    ),
    ...overActions(
      'pay_date_not_before_ex_date',
      'warning',
      dividends.flatMap(({ exDate, payDate }) => (payDate === null ? [] : [{ exDate, payDate }])),
      ({ exDate, payDate }) => payDate >= exDate,
    ),
    ...dateChecks('split', splits, latest),
    ...dateChecks('dividend', dividends, latest),
  ]);
}

function ratioInRange(ratio: number): boolean {
  return ratio >= 1 / MAX_SPLIT_FACTOR && ratio <= MAX_SPLIT_FACTOR;
}

/**
 * One check over a list: passes when every action it applies to passes; the subject is the first
 * failing action's ex-date. Skipped when it applies to none.
 */
function overActions<Item extends Action>(
  id: string,
  severity: CheckSeverity,
  actions: readonly Item[],
  passes: (action: Item) => boolean,
): QualityCheck[] {
  if (actions.length === 0) return [];
  const failed = actions.filter((action) => !passes(action));
  return [
    check(id, severity, failed.length === 0, {
      subject: failed[0]?.exDate,
      detail: `${failed.length} of ${actions.length} fail`,
    }),
  ];
}

/** `<list>_dates_unique`, `<list>_dates_ascending` and `<list>_dates_within_a_year` over one list. */
function dateChecks(list: 'split' | 'dividend', actions: readonly Action[], latest: string): QualityCheck[] {
  if (actions.length === 0) return [];
  const seen = new Set<string>();
  let repeated: string | undefined;
  let descent: string | undefined;
  let previous: string | undefined;
  for (const { exDate } of actions) {
    if (seen.has(exDate)) repeated ??= exDate;
    seen.add(exDate);
    if (exDate < (previous ?? exDate)) descent ??= exDate;
    previous = exDate;
  }
  return [
    check(`${list}_dates_unique`, 'error', repeated === undefined, { subject: repeated }),
    check(`${list}_dates_ascending`, 'error', descent === undefined, { subject: descent }),
    ...overActions(`${list}_dates_within_a_year`, 'warning', actions, ({ exDate }) => exDate <= latest),
  ];
}

/** The ISO date `days` after `now` (UTC). */
function dayAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
