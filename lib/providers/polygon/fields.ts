import * as z from 'zod/mini';

/**
 * The fields of one daily bar in Polygon's aggregates (`/range/1/day/...` and `/prev`): single-letter
 * keys, JSON numbers.
 */
export const polygonBarFields = {
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.optional(z.nullable(z.number())),
  /** Epoch milliseconds of the start of the session day (Eastern time). */
  t: z.number(),
};

const NEW_YORK_DATE = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * Epoch milliseconds as the calendar date in New York, or `null` when not a plausible instant.
 * Polygon stamps a daily bar at the start of its session day in Eastern time (00:00 EST is 05:00
 * UTC), and US markets are what Polygon covers, so the New York date is the session date. (The UTC
 * date happens to agree for midnight stamps; the New York date stays right for any stamp in the day.)
 */
export function newYorkDateOfEpochMs(ms: number): string | null {
  if (!Number.isFinite(ms) || ms <= 0) return null;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  // Assembled from parts: a locale's own date layout is not a format to rely on.
  const parts = Object.fromEntries(NEW_YORK_DATE.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
