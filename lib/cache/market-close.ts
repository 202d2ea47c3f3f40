import { newYorkWallClock } from './new-york-clock.js';

/** US equity markets close at 16:00 in New York, whatever the season. */
const CLOSE_HOUR_NEW_YORK = 16;

/** New York's offset from UTC at `instant`, in ms (−4 h in summer, −5 h in winter). */
function newYorkOffsetMs(instant: number): number {
  const { year, month, day, hour, minute, second } = newYorkWallClock(instant);
  return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The next US market close after `now` (16:00 New York on a weekday), as epoch ms. Daily bars stay
 * fresh until then: a new bar can only appear at a close. Exchange holidays are not known here, so
 * on a holiday the cache is refreshed once for nothing.
 */
export function nextMarketClose(now: Date): number {
  const nowMs = now.getTime();
  // Ends by the third day: a weekend is two days long.
  for (let probe = nowMs; ; probe += 86_400_000) {
    const offset = newYorkOffsetMs(probe);
    const local = new Date(probe + offset);
    const weekday = local.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const closeMs =
      Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), CLOSE_HOUR_NEW_YORK) - offset;
    if (closeMs > nowMs) return closeMs;
  }
}
