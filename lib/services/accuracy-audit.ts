import type { ProviderId } from '../model/provider-ids.js';
import type { ProviderEndpoint } from '../providers/provider.js';
import type { ProviderAttempt, ProviderManager } from '../providers/provider-manager.js';
import type { Sighting } from '../quality/agreement.js';
import type { QualityReport } from '../quality/report.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { providerWorkEnd, workDueBy } from '../resilience/request-end.js';

/** How audits are drawn and bounded. */
export interface AuditOptions {
  /** The share of fills (0..1) that also ask a second provider. @default 0.02 */
  share: number;
  /** The share of each key window an audit leaves untouched, at least one call. @default 0.2 */
  spare: number;
  /** The most an audit adds to a request, within its deadline. @default 1500 */
  timeoutMs: number;
}

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = { share: 0.02, spare: 0.2, timeoutMs: 1500 };

/** Below this much time left, an audit is not started: it could only time out. */
const MIN_AUDIT_MS = 200;

export interface AccuracyAuditDeps {
  /**
   * A provider manager whose keys keep `spare` of every window (`KeyBroker.lease(_, { spare })`) and
   * which makes one attempt per provider (no retries): an audit is worth one call, never a quota's last.
   */
  providers: Pick<ProviderManager, 'fetch'>;
  breaker: Pick<CircuitBreaker, 'retryAfterSeconds'>;
  options: AuditOptions;
  now: () => number;
  random?: () => number;
}

/** What an audit asks about: the fill's endpoints, query, answer and the request's end. */
export interface AuditRequest<Query, Value> {
  endpoints: readonly ProviderEndpoint<Query, Value>[];
  query: Query;
  answeredBy: ProviderId;
  /** The fill's attempts: a provider that failed this request is not asked again. */
  attempts: readonly ProviderAttempt[];
  score: (value: Value) => QualityReport;
}

/**
 * The accuracy audit: a drawn share of fills also asks the next provider in the data type's order
 * that is available, for the value just fetched, so two providers' answers can be compared even when
 * the cache held nothing from another. Its value is compared and forgotten: never cached, never the
 * answer.
 *
 * "Available" means its breaker has no open or half-open state on record (an audit is never a
 * recovery probe) and one of its keys has budget to spare: the audit's lease keeps `spare` of every
 * limited window, so it never spends the last calls of a quota (Alpha Vantage's 25 a day: it stops at
 * 20). At most one provider call per audit: a provider with no key to spare is passed over without a
 * call, the first that is called ends the audit whatever it answers.
 *
 * It runs before the answer, bounded by `timeoutMs` and the request's provider work end: on Lambda nothing
 * runs after the response (the container freezes), and a task left running would finish, if ever, in
 * some later request's time. So 2 % of fills pay up to `timeoutMs` more; it starts once the fill is
 * over (the value cached, its lease released), so requests waiting on the fill are not held.
 */
export class AccuracyAudit {
  constructor(private readonly deps: AccuracyAuditDeps) {}

  /** Whether this fill is audited: a draw against `share`. */
  draws(): boolean {
    return (this.deps.random ?? Math.random)() < this.deps.options.share;
  }

  /** The second provider's value, or `null` when none was available or its call failed. */
  async ask<Query, Value>(request: AuditRequest<Query, Value>): Promise<Sighting<Value> | null> {
    const start = this.deps.now();
    // Its own share of the request's time: `timeoutMs` at most, within the request's provider work.
    const auditEnd = Math.min(providerWorkEnd(), start + this.deps.options.timeoutMs);
    for (const endpoint of candidates(request)) {
      if (auditEnd - this.deps.now() < MIN_AUDIT_MS) return null;
      if ((await this.deps.breaker.retryAfterSeconds([endpoint.provider])) !== undefined) continue;
      const result = await workDueBy(auditEnd, () =>
        this.deps.providers.fetch([endpoint], request.query, request.score),
      );
      if (result.ok)
        return { provider: result.provider, value: result.value, fetchedAt: result.fetchedAt.getTime() };
      if (result.attempts.some((attempt) => attempt.calls > 0)) return null;
    }
    return null;
  }
}

/**
 * The providers after the one that answered, in the data type's order, then those before it that this
 * request did not see fail (they were skipped, or not needed).
 */
function candidates<Query, Value>(request: AuditRequest<Query, Value>): ProviderEndpoint<Query, Value>[] {
  const { endpoints, answeredBy, attempts } = request;
  const failed = new Set(
    attempts.filter((attempt) => attempt.outcome !== 'ok').map((attempt) => attempt.provider),
  );
  const at = endpoints.findIndex((endpoint) => endpoint.provider === answeredBy);
  const ordered = [...endpoints.slice(at + 1), ...endpoints.slice(0, Math.max(0, at))];
  return ordered.filter((endpoint) => !failed.has(endpoint.provider));
}
