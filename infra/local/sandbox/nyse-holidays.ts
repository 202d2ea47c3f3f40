/**
 * The days the New York Stock Exchange is closed on a weekday, by its published rules (NYSE Rule 7.2,
 * "Holidays"): New Year's Day, Martin Luther King Jr. Day, Washington's Birthday, Good Friday, Memorial
 * Day, Juneteenth (since 2022), Independence Day, Labor Day, Thanksgiving and Christmas. A holiday on a
 * Sunday is observed the Monday after, one on a Saturday the Friday before, except New Year's Day (the
 * exchange stays open on the Friday, the last session of the year). Besides those, the unscheduled
 * closures since 2001 (national days of mourning, 9/11, Hurricane Sandy), so that 20 years of
 * generated history have no bar on a day the exchange was shut.
 */

const MS_PER_DAY = 86_400_000;

/** Unscheduled full-day closures, from NYSE's holiday and closings history. */
const SPECIAL_CLOSURES: readonly string[] = [
  '2001-09-11',
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11', // President Reagan's national day of mourning
  '2007-01-02', // President Ford's national day of mourning
  '2012-10-29', // Hurricane Sandy
  '2012-10-30',
  '2018-12-05', // President George H. W. Bush's national day of mourning
  '2025-01-09', // President Carter's national day of mourning
];

const dayNumber = (year: number, month: number, date: number): number =>
  Math.floor(Date.UTC(year, month - 1, date) / MS_PER_DAY);

/** 0 = Sunday … 6 = Saturday. */
const weekdayOf = (day: number): number => (((day + 4) % 7) + 7) % 7;

/** The `nth` (1-based) `weekday` of a month, or with `nth` −1 the last one. */
function nthWeekday(year: number, month: number, weekday: number, nth: number): number {
  if (nth > 0) {
    const first = dayNumber(year, month, 1);
    return first + ((weekday - weekdayOf(first) + 7) % 7) + (nth - 1) * 7;
  }
  const last = dayNumber(year, month + 1, 1) - 1;
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher"). */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const date = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, date);
}

/** A fixed-date holiday moved off a weekend: Saturday to Friday, Sunday to Monday. */
function observed(day: number): number {
  const weekday = weekdayOf(day);
  return weekday === 6 ? day - 1 : weekday === 0 ? day + 1 : day;
}

function holidaysOf(year: number): Set<number> {
  const days = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King Jr. Day: third Monday of January
    nthWeekday(year, 2, 1, 3), // Washington's Birthday: third Monday of February
    easterSunday(year) - 2, // Good Friday
    nthWeekday(year, 5, 1, -1), // Memorial Day: last Monday of May
    observed(dayNumber(year, 7, 4)),
    nthWeekday(year, 9, 1, 1), // Labor Day: first Monday of September
    nthWeekday(year, 11, 4, 4), // Thanksgiving: fourth Thursday of November
    observed(dayNumber(year, 12, 25)),
  ];
  const newYear = dayNumber(year, 1, 1);
  // Saturday's New Year's Day is not moved to the Friday before (NYSE Rule 7.2).
  if (weekdayOf(newYear) !== 6) days.push(observed(newYear));
  if (year >= 2022) days.push(observed(dayNumber(year, 6, 19)));
  for (const closure of SPECIAL_CLOSURES) {
    if (closure.startsWith(`${year}-`))
      days.push(Math.floor(Date.parse(`${closure}T00:00:00Z`) / MS_PER_DAY));
  }
  return new Set(days);
}

const byYear = new Map<number, Set<number>>();

/** True when the NYSE is closed all day on `day` (days since 1970-01-01) although it is a weekday. */
export function isNyseHoliday(day: number): boolean {
  const year = new Date(day * MS_PER_DAY).getUTCFullYear();
  let holidays = byYear.get(year);
  if (holidays === undefined) {
    holidays = holidaysOf(year);
    byYear.set(year, holidays);
  }
  return holidays.has(day);
}
