import { nextMarketClose } from '../cache/market-close.js';
import type { CoveredSeries } from '../cache/series.js';
import type { DataType } from '../model/data-types.js';
import type { ProviderId } from '../model/provider-ids.js';
import type { Quote } from '../model/quote.js';
import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import {
  type AgreementTolerance,
  agreementCheck,
  agreementChecksOf,
  type Comparison,
  compareQuotes,
  compareSeries,
  type Sighting,
  withAgreement,
} from '../quality/agreement.js';
import type { QualityReport } from '../quality/report.js';
import type { AccuracyAudit, AuditRequest } from './accuracy-audit.js';
import type { AgreementTally } from './agreement-tally.js';

/** 16:00 New York on `day` (epoch ms): from then on, that day's prices are settled. */
export function sessionClose(day: string): number {
  // Noon UTC is morning in New York: the next close after it is that day's.
  return nextMarketClose(new Date(`${day}T12:00:00Z`));
}

/** How two providers' values of one data type compare; `null` when nothing in them is comparable. */
type Comparer<Value> = (ours: Sighting<Value>, theirs: Sighting<Value>) => Comparison | null;

export interface AgreementReviewDeps {
  tally: AgreementTally;
  audit: AccuracyAudit;
  metrics: DataLayerMetrics;
  logger: DomainLogger;
  tolerance: AgreementTolerance;
  /** The quality floor: a disagreement alone never takes an answer under it. */
  qualityFloor: number;
  /** Epoch ms: when a disagreement is recorded. */
  now: () => number;
}

/**
 * Compares a value just fetched with another provider's value of the same symbol and day, and keeps
 * the score: each comparison is a `cross_provider_agreement` check on the answer (naming the other
 * provider and the largest difference), a count of `data_provider_agreement_total` for both
 * providers, and an `ADD` to both providers' fleet-wide tallies; a disagreement is logged with both
 * values. Both providers are credited alike: one comparison cannot say which is wrong, but over many
 * pairings a provider that is off disagrees with every other, while each other disagrees only with
 * it. Quotes and daily history are compared; other data types have no shared number to compare.
 */
export class AgreementReview {
  constructor(private readonly deps: AgreementReviewDeps) {}

  /** Whether values of `dataType` are compared at all. */
  compares(dataType: DataType): boolean {
    return this.#comparer(dataType) !== undefined;
  }

  /**
   * The fill's comparison with what the cache held from another provider (fresh or stale): the report
   * the fetched value is cached and answered with.
   */
  async withCached<Value>(
    dataType: DataType,
    symbol: string,
    ours: Sighting<Value> & { quality: QualityReport | null },
    cached: Sighting<Value> | null,
  ): Promise<QualityReport | null> {
    if (!cached || cached.provider === ours.provider) return ours.quality;
    return this.#compare(dataType, symbol, ours, cached);
  }

  /**
   * A drawn share of fills also asks a second provider (`AccuracyAudit`) and compares: the report of
   * this answer only (the value is cached already; the audit's value never is).
   */
  async withAudit<Query, Value>(
    dataType: DataType,
    symbol: string,
    ours: Sighting<Value> & { quality: QualityReport | null },
    request: Omit<AuditRequest<Query, Value>, 'answeredBy'>,
  ): Promise<QualityReport | null> {
    if (!this.compares(dataType) || !this.deps.audit.draws()) return ours.quality;
    const heard = await this.deps.audit.ask({ ...request, answeredBy: ours.provider });
    return heard ? this.#compare(dataType, symbol, ours, heard) : ours.quality;
  }

  /**
   * A report rescored from part of a value (a slice of a series) with the whole value's agreement
   * checks carried over, scored as they were.
   */
  carryOver(report: QualityReport, whole: QualityReport | null): QualityReport {
    return withAgreement(report, agreementChecksOf(whole), this.deps.qualityFloor) ?? report;
  }

  async #compare<Value>(
    dataType: DataType,
    symbol: string,
    ours: Sighting<Value> & { quality: QualityReport | null },
    other: Sighting<Value>,
  ): Promise<QualityReport | null> {
    const compare = this.#comparer(dataType) as Comparer<Value> | undefined;
    const comparison = compare?.(ours, other);
    if (!comparison) return ours.quality;
    await this.#keep(dataType, symbol, ours.provider, comparison);
    const check = agreementCheck(comparison, this.deps.tolerance);
    return withAgreement(ours.quality, [check], this.deps.qualityFloor);
  }

  #comparer(dataType: DataType): Comparer<never> | undefined {
    const { tolerance } = this.deps;
    if (dataType === 'quote')
      return ((ours: Sighting<Quote>, theirs: Sighting<Quote>) =>
        compareQuotes(ours, theirs, tolerance, sessionClose)) as Comparer<never>;
    if (dataType === 'daily_history')
      return ((ours: Sighting<CoveredSeries>, theirs: Sighting<CoveredSeries>) =>
        onOneBasis(ours.value, theirs.value)
          ? compareSeries(ours, theirs, tolerance, sessionClose)
          : null) as Comparer<never>;
    return undefined;
  }

  /** The comparison's metric, log line and tally, for both providers; a tally that fails is logged. */
  async #keep(
    dataType: DataType,
    symbol: string,
    provider: ProviderId,
    comparison: Comparison,
  ): Promise<void> {
    const { agreed, other, worst } = comparison;
    for (const side of [provider, other]) this.deps.metrics.providerAgreement(side, dataType, agreed);
    const at = new Date(this.deps.now()).toISOString();
    const detail = `${worst.field} ${worst.day}: ${worst.ours} at ${provider}, ${worst.theirs} at ${other}`;
    if (!agreed) {
      this.deps.logger.warn('providers disagree beyond tolerance', {
        dataType,
        symbol,
        provider,
        other,
        field: worst.field,
        day: worst.day,
        ours: worst.ours,
        theirs: worst.theirs,
        difference: worst.difference,
      });
    }
    const outcome = (side: ProviderId, counterpart: ProviderId) => ({
      provider: side,
      dataType,
      agreed,
      ...(agreed ? {} : { disagreement: { at, other: counterpart, detail } }),
    });
    const results = await Promise.allSettled([
      this.deps.tally.record(outcome(provider, other), this.deps.now()),
      this.deps.tally.record(outcome(other, provider), this.deps.now()),
    ]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      this.deps.logger.warn('agreement tally not written; the comparison still scored the answer', {
        dataType,
        error: failed.reason instanceof Error ? failed.reason.name : 'unknown',
      });
    }
  }
}

/**
 * Whether two series are on one price basis: both brought to as traded from their providers' own
 * bases (`asTraded`), with the same splits known, so a split-adjusted provider's bars and an
 * as-traded provider's are compared as traded. A series cached before the layer converted, or
 * converted with other splits, is on a basis of its own and is not compared.
 */
function onOneBasis(ours: CoveredSeries, theirs: CoveredSeries): boolean {
  if (!ours.asTraded || !theirs.asTraded) return false;
  return JSON.stringify(ours.asTraded.splits) === JSON.stringify(theirs.asTraded.splits);
}
