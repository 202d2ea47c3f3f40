import { isoDay, newYorkTime } from '../../infra/local/sandbox/calendar.js';
import { corporateActionsFor } from '../../infra/local/sandbox/corporate-actions.js';
import type { CorporateActions } from '../../lib/model/corporate-actions.js';

/** How far back the sandbox's corporate-actions endpoints list, unless a plan reaches less: 20 years. */
const SANDBOX_REACH_DAYS = Math.round(20 * 365.25);

/**
 * The sandbox's true corporate actions of `symbol` as its providers list them at `now`: every one from
 * `reachDays` before today (New York's date) up to today.
 */
export function trueActions(symbol: string, now: Date, reachDays = SANDBOX_REACH_DAYS): CorporateActions {
  const today = newYorkTime(now).day;
  return corporateActionsFor(symbol, { from: isoDay(today - reachDays), to: isoDay(today) }, now);
}

/** The first of `NOACTAA`, `NOACTAB`, ... that has neither a split nor a dividend to date: the empty answer. */
export function symbolWithoutActions(now: Date): string {
  for (let index = 0; index < 26 * 26; index++) {
    const letters = String.fromCharCode(65 + Math.floor(index / 26), 65 + (index % 26));
    const symbol = `NOACT${letters}`;
    const { splits, dividends } = trueActions(symbol, now);
    if (splits.length === 0 && dividends.length === 0) return symbol;
  }
  throw new Error('no sandbox symbol without corporate actions among NOACTAA..NOACTZZ');
}
