import type { DomainLogger } from '../observability/logger.js';
import type { DataLayerMetrics } from '../observability/metrics.js';
import type { BreakerRecord, BreakerState } from './breaker-state.js';
import { iso } from './breaker-status.js';
import type { WriteOutcome } from './breaker-store.js';
import type { BreakerView } from './breaker-view.js';

/** Where a transition is told: the container's view, the state-change metric and the log. */
export interface TransitionReporting {
  view: BreakerView;
  metrics: Pick<DataLayerMetrics, 'breakerTransition'>;
  logger: DomainLogger;
}

/**
 * After a conditional write that moves a breaker from `from`: the view learns the record either way;
 * only the winner reports the transition, so the fleet emits exactly one state-change metric for it.
 * A loser is not in error: another container made this transition (or another one) first.
 */
export function settle(deps: TransitionReporting, from: BreakerState, outcome: WriteOutcome, reason: string) {
  deps.view.remember(outcome.won ? outcome.record : outcome.current);
  if (outcome.won) reportTransition(deps, from, outcome.record, reason);
}

/** A transition this container won: `circuit_breaker_state_changes_total` and a log line saying why. */
export function reportTransition(
  deps: Omit<TransitionReporting, 'view'>,
  from: BreakerState,
  to: BreakerRecord,
  reason: string,
): void {
  deps.metrics.breakerTransition(to.circuit, to.state);
  deps.logger.info('circuit breaker state changed', {
    circuit: to.circuit,
    from,
    to: to.state,
    version: to.version,
    reason,
    nextProbeAt: iso(to.openUntil),
  });
}
