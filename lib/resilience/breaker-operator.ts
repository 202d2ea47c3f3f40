import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import { type BreakerOverride, type CircuitBreakerOptions, closedRecord } from './breaker-state.js';
import { type CircuitStatus, describeBreaker } from './breaker-status.js';
import type { BreakerStore } from './breaker-store.js';
import { settle } from './breaker-transition.js';
import type { BreakerView } from './breaker-view.js';

/** How often an override retries when a transition slips in between its read and its write. */
const MAX_OVERRIDE_ATTEMPTS = 5;

/** What the operator's side needs: the breaker's store and this container's view of it. */
export interface BreakerOperatorDeps {
  store: BreakerStore;
  view: BreakerView;
  metrics: Pick<DataLayerMetrics, 'breakerTransition'>;
  logger: DomainLogger;
  /** Epoch ms. */
  now: () => number;
  options: CircuitBreakerOptions;
}

/**
 * The breakers as operators handle them: overrides (reset, force open) recorded with who made them,
 * and every named breaker as it stands. The request path's decisions are `CircuitBreaker`'s; both
 * share this container's `BreakerView`, so an override made here counts here at once.
 *
 * Unlike decisions, which fail open, these throw a DynamoDB fault: an operator must see a failure.
 */
export class BreakerOperator {
  constructor(private readonly deps: BreakerOperatorDeps) {}

  /** CLOSED with every count cleared, recorded with who did it. */
  async reset(circuit: string, actor: string): Promise<void> {
    await this.#override(circuit, 'reset', actor);
  }

  /** OPEN with no automatic probe until `reset`, recorded with who did it. */
  async forceOpen(circuit: string, actor: string): Promise<void> {
    await this.#override(circuit, 'force-open', actor);
  }

  /** The named breakers, from a fresh read (which also refreshes this container's view). */
  async describeAll(circuits: readonly string[]): Promise<CircuitStatus[]> {
    const now = this.deps.now();
    const records = await this.deps.view.readAfresh(now);
    return circuits.map((name) =>
      describeBreaker(records.get(name) ?? closedRecord(name), now, this.deps.options),
    );
  }

  /** One override on the version read; a lost race retries on the record the failed condition showed. */
  async #override(circuit: string, action: BreakerOverride['action'], actor: string): Promise<void> {
    const at = this.deps.now();
    let current = await this.deps.store.read(circuit);
    for (let attempt = 0; attempt < MAX_OVERRIDE_ATTEMPTS; attempt++) {
      const outcome = await this.deps.store.override(current, { action, actor, at });
      if (outcome.won && outcome.record.state === current.state) {
        // Recorded, but no transition: a reset of a closed breaker emits no state-change metric.
        this.deps.view.remember(outcome.record);
        this.deps.logger.info('circuit breaker override recorded', {
          circuit,
          action,
          actor,
          state: current.state,
        });
        return;
      }
      if (outcome.won) {
        settle(this.deps, current.state, outcome, `${action} by ${actor}`);
        return;
      }
      current = outcome.current;
    }
    throw new Error(`breaker ${circuit}: ${action} lost ${MAX_OVERRIDE_ATTEMPTS} races with other writers`);
  }
}
