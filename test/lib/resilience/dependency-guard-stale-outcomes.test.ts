import { describe, expect, it } from 'vitest';
import {
  admitCall,
  afterAnswer,
  afterFault,
  afterNoVerdict,
  callTimeout,
  DEFAULT_DEPENDENCY_GUARD_OPTIONS,
  type GuardState,
  type GuardTicket,
  initialGuardState,
} from '../../../lib/resilience/dependency-guard-state.js';

// Outcomes that arrive after the state moved on: calls admitted together, a probe outlived by another,
// a plain call's answer during a probe. Each must leave the state as it is. Found by Stryker: the
// guard's main tests (dependency-guard-state.test.ts) pinned the fresh outcomes only.
const NOW = 1_800_000_000_000;
const options = DEFAULT_DEPENDENCY_GUARD_OPTIONS;

function send(state: GuardState, now: number): { ticket: GuardTicket; state: GuardState } {
  const admission = admitCall(state, now, options);
  if (admission.kind !== 'send') throw new Error(`expected the call to be sent, got ${admission.kind}`);
  return admission;
}

/** A probe in flight after one back-off: its ticket, and the state it left. */
function probing() {
  const call = send(initialGuardState, NOW);
  const backingOff = afterFault(call.state, call.ticket, NOW, options).state;
  return { call, ...send(backingOff, NOW + options.backoffMs) };
}

describe('an outcome the state has moved past', () => {
  it('a second timeout of calls that hung together starts no second back-off', () => {
    const first = send(initialGuardState, NOW);
    const second = send(first.state, NOW);
    const tripped = afterFault(first.state, first.ticket, NOW, options);
    expect(tripped.event).toBe('backoff');
    expect(afterFault(tripped.state, second.ticket, NOW + 10, options)).toEqual({ state: tripped.state });
  });

  it('a fault during the back-off itself changes nothing', () => {
    const call = send(initialGuardState, NOW);
    const backingOff = afterFault(call.state, call.ticket, NOW, options).state;
    const late: GuardTicket = { kind: 'call', generation: backingOff.generation };
    expect(afterFault(backingOff, late, NOW + 1, options)).toEqual({ state: backingOff });
  });

  it('a late answer or cancel of the call that started the back-off does not end the probe', () => {
    const { call, state } = probing();
    expect(afterAnswer(state, call.ticket)).toEqual({ state });
    expect(afterNoVerdict(state, call.ticket)).toEqual({ state });
  });

  it('an outlived probe’s answer, fault or cancel leaves the probe that replaced it alone', () => {
    const { ticket: first, state } = probing();
    const leaseOver = NOW + options.backoffMs + 2 * options.callTimeoutMs;
    const second = send(state, leaseOver);
    expect(second.ticket.generation).toBe(first.generation + 1);
    expect(afterAnswer(second.state, first)).toEqual({ state: second.state });
    expect(afterNoVerdict(second.state, first)).toEqual({ state: second.state });
    expect(afterFault(second.state, first, leaseOver, options)).toEqual({ state: second.state });
  });

  it('a probe’s ticket answered once the state is no longer probing changes nothing', () => {
    const { ticket, state } = probing();
    const recovered = afterAnswer(state, ticket).state;
    const stale: GuardTicket = { kind: 'probe', generation: recovered.generation };
    expect(afterAnswer(recovered, stale)).toEqual({ state: recovered });
    expect(afterNoVerdict(recovered, stale)).toEqual({ state: recovered });
  });

  it('a probe given back keeps its generation order: the next probe outranks it', () => {
    const { ticket, state } = probing();
    const givenBack = afterNoVerdict(state, ticket).state;
    expect(givenBack.generation).toBe(state.generation + 1);
    const next = send(givenBack, NOW + options.backoffMs + 1);
    expect(afterAnswer(next.state, ticket)).toEqual({ state: next.state });
  });
});

describe('callTimeout at the boundary', () => {
  it('gives the whole budget, not cut short, when exactly the budget is left', () => {
    expect(callTimeout(NOW, NOW + options.callTimeoutMs, options)).toEqual({
      timeoutMs: options.callTimeoutMs,
      cutShort: false,
    });
  });
});
