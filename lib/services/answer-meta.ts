import * as z from 'zod/mini';
import { PROVIDER_IDS } from '../model/provider-ids.js';
import { FAILURE_KINDS } from '../providers/provider.js';
import { QualityReportSchema } from '../quality/report.js';
import type { DataAnswer } from './market-data-service.js';

/** One provider tried or skipped for a request (`ProviderAttempt`), as `meta.attempts` lists it. */
export const ProviderAttemptSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  outcome: z.enum(['ok', ...FAILURE_KINDS, 'circuit_open']),
  ms: z.number().check(z.nonnegative()),
  /** HTTP calls made to the provider (retries included); 0 when skipped. */
  calls: z.int().check(z.nonnegative()),
});

/** Where a data answer came from and how far to trust it: `DataAnswer['meta']` as the wire carries it. */
export const AnswerMetaSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  /**
   * Only on an answer made of parts fetched apart (corporate actions: splits and dividends, each from
   * its own provider call): each part's provider. `provider` is then the splits'.
   */
  providers: z.optional(z.object({ splits: z.enum(PROVIDER_IDS), dividends: z.enum(PROVIDER_IDS) })),
  cache: z.enum(['hit', 'miss']),
  stale: z.boolean(),
  fetchedAt: z.iso.datetime(),
  ageSeconds: z.int().check(z.nonnegative()),
  /** Whole seconds the data stays fresh from now; 0 when stale. The `Cache-Control` max-age. */
  freshForSeconds: z.int().check(z.nonnegative()),
  attempts: z.array(ProviderAttemptSchema),
  quality: z.nullable(QualityReportSchema),
});

/** A data endpoint's answer, `{ data, meta }`, with `data` of the given schema. */
export function dataAnswerSchema<Data extends z.core.$ZodType>(data: Data) {
  return z.object({ data, meta: AnswerMetaSchema });
}

/**
 * `DataAnswer` is written as an interface in the service (which builds it), the schema here (which
 * the OpenAPI document is generated from): this line fails to compile the moment the two differ, so
 * a new meta field cannot reach clients undocumented.
 */
export const META_SCHEMA_MATCHES_SERVICE: SameType<
  z.infer<typeof AnswerMetaSchema>,
  DataAnswer<unknown>['meta']
> = true;

/** `true` only when `A` and `B` are the same type (each assignable to the other, exactly). */
type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
