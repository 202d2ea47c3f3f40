import { describe, expect, it } from 'vitest';
import { isoDay, parseIsoDay } from '../../../infra/local/sandbox/calendar.js';
import { isNyseHoliday } from '../../../infra/local/sandbox/nyse-holidays.js';

/**
 * The sandbox's NYSE holidays against the exchange's published calendars (nyse.com, "Holidays &
 * Trading Hours"): every weekday the rules close, and no other, in whole years.
 */
const PUBLISHED: Record<number, string[]> = {
  2025: [
    '2025-01-01',
    '2025-01-09', // President Carter's national day of mourning
    '2025-01-20',
    '2025-02-17',
    '2025-04-18',
    '2025-05-26',
    '2025-06-19',
    '2025-07-04',
    '2025-09-01',
    '2025-11-27',
    '2025-12-25',
  ],
  2026: [
    '2026-01-01',
    '2026-01-19',
    '2026-02-16',
    '2026-04-03',
    '2026-05-25',
    '2026-06-19',
    '2026-07-03', // Independence Day falls on a Saturday
    '2026-09-07',
    '2026-11-26',
    '2026-12-25',
  ],
  2027: [
    '2027-01-01',
    '2027-01-18',
    '2027-02-15',
    '2027-03-26',
    '2027-05-31',
    '2027-06-18', // Juneteenth falls on a Saturday
    '2027-07-05', // Independence Day falls on a Sunday
    '2027-09-06',
    '2027-11-25',
    '2027-12-24', // Christmas falls on a Saturday
  ],
  // New Year's Day 2022 fell on a Saturday: not observed on Friday 2021-12-31 (the exchange was open).
  2022: [
    '2022-01-17',
    '2022-02-21',
    '2022-04-15',
    '2022-05-30',
    '2022-06-20',
    '2022-07-04',
    '2022-09-05',
    '2022-11-24',
    '2022-12-26',
  ],
};

function weekdayHolidaysOf(year: number): string[] {
  const first = parseIsoDay(`${year}-01-01`) ?? 0;
  const last = parseIsoDay(`${year}-12-31`) ?? 0;
  const days: string[] = [];
  for (let day = first; day <= last; day++) {
    const weekday = new Date(`${isoDay(day)}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && isNyseHoliday(day)) days.push(isoDay(day));
  }
  return days;
}

describe('the sandbox’s NYSE holidays', () => {
  it.each(Object.entries(PUBLISHED))('are the published ones in %s, and only those', (year, dates) => {
    expect(weekdayHolidaysOf(Number(year))).toEqual(dates);
  });
});
