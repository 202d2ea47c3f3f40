import { newYorkWallClock } from '../../../lib/cache/new-york-clock.js';
import { isNyseHoliday } from './nyse-holidays.js';

/**
 * Trading calendar of the sandbox, the NYSE's: days are whole days counted from 1970-01-01 (dated as in
 * New York), trading days are the weekdays that are not exchange holidays, and a day's session exists
 * from its opening bell (09:30 New York) on. So no quote or bar is dated on a weekend, a holiday or a
 * session that has not opened yet: at 02:25 UTC on a Monday (Sunday evening in New York) the latest
 * trading day is the Friday before.
 */

const MS_PER_DAY = 86_400_000;
/** The NYSE's opening bell, minutes after midnight New York time. */
const OPEN_MINUTE_NEW_YORK = 9 * 60 + 30;

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

/** 20:00 UTC: the sandbox's close of a session (16:00 New York in summer time). */
const CLOSE_MS_INTO_DAY = 20 * 3_600_000;

/**
 * The instant (epoch ms) of a session's last trade as of `now`: now while the session trades, its
 * close once it has closed. A quote's timestamp, so its trading day is the session's, not today's
 * before the next session opens.
 */
export function lastTradeMs(day: number, now: Date): number {
  return Math.min(now.getTime(), day * MS_PER_DAY + CLOSE_MS_INTO_DAY);
}

/** Day number of an instant (its UTC date). */
export function dayOf(instant: Date): number {
  return Math.floor(instant.getTime() / MS_PER_DAY);
}

/** New York's date (as a day number) and minute of the day at `instant`. */
export function newYorkTime(instant: Date): { day: number; minute: number } {
  const { year, month, day, hour, minute } = newYorkWallClock(instant);
  return { day: Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY), minute: hour * 60 + minute };
}

/** True on a weekday the NYSE is open. 1970-01-01 was a Thursday, hence the offset. */
export function isTradingDay(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return weekday !== 0 && weekday !== 6 && !isNyseHoliday(day);
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

/**
 * The latest trading day as seen at `now`: the last session that has opened, today in New York once
 * its opening bell has rung, else the trading day before.
 */
export function latestTradingDay(now: Date): number {
  const { day, minute } = newYorkTime(now);
  const last = tradingDayOnOrBefore(day);
  return last === day && minute < OPEN_MINUTE_NEW_YORK ? previousTradingDay(day) : last;
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
