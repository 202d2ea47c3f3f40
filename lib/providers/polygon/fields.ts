import * as z from 'zod/mini';
import { failure, type ProviderResult } from '../provider.js';

/** The fields named in a zod error, list indices dropped: `c, t` or `bars.date`. */
export function fieldsIn(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string {
  const names = error.issues.map(
    (issue) =>
      issue.path
        .filter((key) => typeof key === 'string')
        .map(String)
        .join('.') || 'answer',
  );
  return [...new Set(names)].join(', ');
}

/**
 * `candidate` checked against a model schema: the value when it passes, else `bad_data` naming the
 * fields that failed, so the log says which of Polygon's values broke the model.
 */
export function checkedAgainst<Schema extends z.ZodMiniType>(
  schema: Schema,
  candidate: unknown,
  what: string,
): ProviderResult<z.infer<Schema>> {
  const result = z.safeParse(schema, candidate);
  if (result.success) return { ok: true, value: result.data };
  return failure('bad_data', `${what} failed validation: ${fieldsIn(result.error)}`);
}

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
