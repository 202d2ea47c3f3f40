/**
 * New York's wall clock, where US markets keep their hours (daylight saving included): one formatter for
 * the process, built once (building an `Intl.DateTimeFormat` is costly).
 */
const newYorkParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The date and time a clock in New York shows at `instant` (month 1–12, hour 0–23). */
export interface NewYorkWallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function newYorkWallClock(instant: Date | number): NewYorkWallClock {
  const clock: NewYorkWallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  // The formatter's options name every field; its other parts are the separators between them.
  for (const { type, value } of newYorkParts.formatToParts(instant))
    if (type in clock) clock[type as keyof NewYorkWallClock] = Number(value);
  // Formatters differ on midnight ("00" or "24"): the hour is read modulo 24.
  clock.hour %= 24;
  return clock;
}
