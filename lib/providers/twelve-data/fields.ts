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
 * fields that failed, so the log says which of Twelve Data's values broke the model.
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

/**
 * A currency code from Twelve Data. London prices come in pence, which Twelve Data writes `GBp`:
 * upper-casing that to `GBP` would make every price a hundred times too large, so pence become `GBX`.
 */
export function currencyOf(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  if (value === 'GBp' || value.toUpperCase() === 'GBX') return 'GBX';
  return /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null;
}
