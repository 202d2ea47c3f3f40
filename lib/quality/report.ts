/**
 * Quality reports: named checks on a normalized record and one score from them.
 *
 * Checks whose inputs are missing (`null`) are SKIPPED: they are not listed and do not count. A
 * check that could not look at anything says nothing about quality, and counting it as passed would
 * lift the score of the sparsest records; missing inputs are what `missing_fields` measures.
 * The one exception is `cash_flow_identity`, listed as a failed `info` check when `changeInCash`
 * alone is missing, so a reader sees that the flows could not be reconciled.
 */
import * as z from 'zod/mini';

export const CHECK_SEVERITIES = ['error', 'warning', 'info'] as const;

/**
 * How bad a failure is. `error`: the record contradicts itself or the calendar and must not be
 * served; `warning`: likely a provider quirk or gap; `info`: worth knowing, barely lowers the score.
 */
export type CheckSeverity = (typeof CHECK_SEVERITIES)[number];

/** One named check. `subject` says which part of the record (a bar's date, a report's period). */
export const QualityCheckSchema = z.object({
  id: z.string(),
  passed: z.boolean(),
  severity: z.enum(CHECK_SEVERITIES),
  subject: z.optional(z.string()),
  /** For people reading logs: what was measured. Never carries provider text. */
  detail: z.optional(z.string()),
});

/** The checks run on one record and their weighted score, 0..1 (1 when no check applied). */
export const QualityReportSchema = z.object({
  score: z.number().check(z.gte(0), z.lte(1)),
  checks: z.array(QualityCheckSchema),
});

export type QualityCheck = z.infer<typeof QualityCheckSchema>;
export type QualityReport = z.infer<typeof QualityReportSchema>;

/** What a check weighs in the score, by severity. */
export const SEVERITY_WEIGHTS: Readonly<Record<CheckSeverity, number>> = { error: 3, warning: 2, info: 1 };

/** The default lowest score worth serving. */
export const QUALITY_FLOOR = 0.6;

/** The largest share of optional fields that may be `null` for `missing_fields` to pass. */
export const MISSING_FIELDS_LIMIT = 0.3;

/** Options of the scorers that look at dates. */
export interface QualityOptions {
  /** The clock for `no_future_date(s)`; defaults to now. */
  now?: Date;
}

/** Builds a check; `subject` and `detail` are left out when not given, to keep reports small. */
export function check(
  id: string,
  severity: CheckSeverity,
  passed: boolean,
  extra: { subject?: string | undefined; detail?: string | undefined } = {},
): QualityCheck {
  const result: QualityCheck = { id, passed, severity };
  if (extra.subject !== undefined) result.subject = extra.subject;
  if (extra.detail !== undefined) result.detail = extra.detail;
  return result;
}

/** The report for a list of checks: the weighted share of passed checks (1 when there are none). */
export function reportOf(checks: QualityCheck[]): QualityReport {
  let total = 0;
  let passed = 0;
  for (const item of checks) {
    const weight = SEVERITY_WEIGHTS[item.severity];
    total += weight;
    if (item.passed) passed += weight;
  }
  return { score: total === 0 ? 1 : passed / total, checks };
}

/** Whether a record may be served: no `error` check failed and the score reaches `floor`. */
export function isServable(report: QualityReport, floor: number = QUALITY_FLOOR): boolean {
  return report.checks.every((item) => item.passed || item.severity !== 'error') && report.score >= floor;
}

/**
 * `missing_fields`: the share of `null` among a record's optional fields, passing at or under
 * {@link MISSING_FIELDS_LIMIT}. The detail names the missing fields. Skipped when there are no fields.
 */
export function missingFieldsCheck(
  fields: Readonly<Record<string, unknown>>,
  extra: { subject?: string } = {},
): QualityCheck[] {
  const names = Object.keys(fields);
  if (names.length === 0) return [];
  const missing = names.filter((name) => fields[name] === null);
  const ratio = missing.length / names.length;
  return [
    check('missing_fields', 'warning', ratio <= MISSING_FIELDS_LIMIT, {
      ...extra,
      detail: `${missing.length} of ${names.length} missing${missing.length > 0 ? `: ${missing.join(', ')}` : ''}`,
    }),
  ];
}

/** Whether `actual` is within `tolerance` of `expected`. */
export function isNear(actual: number, expected: number, tolerance: number): boolean {
  return Math.abs(actual - expected) <= tolerance;
}

/** The last calendar date (ISO) not in the future: today UTC plus one day, for exchanges east of UTC. */
export function latestPlausibleDate(now: Date): string {
  return new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
}

/** A share as a short percentage for details: `0.02241` → `2.24 %`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}
