/**
 * Trading calendar of the sandbox: days are whole UTC days counted from 1970-01-01, trading days are the
 * weekdays. Exchange holidays are deliberately ignored: no provider adapter may rely on a holiday list.
 */

const MS_PER_DAY = 86_400_000;

/** Day number (days since 1970-01-01 UTC) of a `YYYY-MM-DD` string, or undefined when it is not a date. */
export function parseIsoDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / MS_PER_DAY);
}

/** `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day number of an instant (its UTC date). */
export function dayOf(instant: Date): number {
  return Math.floor(instant.getTime() / MS_PER_DAY);
}

/** True on Monday to Friday. 1970-01-01 was a Thursday, hence the offset. */
export function isTradingDay(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

/** The last trading day on or before `day`. */
export function tradingDayOnOrBefore(day: number): number {
  let d = day;
  while (!isTradingDay(d)) d--;
  return d;
}

/** The trading day before `day`. */
export function previousTradingDay(day: number): number {
  return tradingDayOnOrBefore(day - 1);
}

/** The latest trading day as seen at `now`: the last weekday on or before today (UTC). */
export function latestTradingDay(now: Date): number {
  return tradingDayOnOrBefore(dayOf(now));
}

/** `count` trading days ending at `lastDay` (a trading day), newest first. */
export function tradingDaysBack(lastDay: number, count: number): number[] {
  const days: number[] = [];
  for (let d = tradingDayOnOrBefore(lastDay); days.length < count; d = previousTradingDay(d)) days.push(d);
  return days;
}

/** Trading days in [fromDay, toDay], newest first. */
export function tradingDaysBetween(fromDay: number, toDay: number): number[] {
  const days: number[] = [];
  for (let d = tradingDayOnOrBefore(toDay); d >= fromDay; d = previousTradingDay(d)) days.push(d);
  return days;
}
