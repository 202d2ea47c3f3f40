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
 * fields that failed, so the log says which of Finnhub's values broke the model.
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

/** Epoch seconds as the UTC calendar date, or `null` when it is not a plausible instant. */
export function utcDateOfEpochSeconds(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}
