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
  probeLeaseMs,
} from '../../../lib/resilience/dependency-guard-state.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_DEPENDENCY_GUARD_OPTIONS;

/** Admits a call that must be sent, and returns its ticket and the state it leaves. */
function send(state: GuardState, now: number): { ticket: GuardTicket; state: GuardState } {
  const admission = admitCall(state, now, options);
  if (admission.kind !== 'send') throw new Error(`expected the call to be sent, got ${admission.kind}`);
  return admission;
}

/** The state after one call that timed out while healthy, at `NOW`. */
function backingOff(): GuardState {
  const call = send(initialGuardState, NOW);
  return afterFault(call.state, call.ticket, NOW, options).state;
}

describe('admitCall', () => {
  it('sends every call while healthy', () => {
    expect(admitCall(initialGuardState, NOW, options)).toEqual({
      kind: 'send',
      ticket: { kind: 'call', generation: 0 },
      state: initialGuardState,
    });
  });

  it('skips calls until the back-off ends, saying when', () => {
    const state = backingOff();
    expect(admitCall(state, NOW, options)).toEqual({ kind: 'skip', retryAt: NOW + options.backoffMs });
    expect(admitCall(state, NOW + options.backoffMs - 1, options).kind).toBe('skip');
  });

  it('lets one probe through when the back-off ends and skips the others meanwhile', () => {
    const probe = send(backingOff(), NOW + options.backoffMs);
    expect(probe.ticket.kind).toBe('probe');
    expect(probe.state).toMatchObject({ kind: 'probing', since: NOW + options.backoffMs });
    expect(admitCall(probe.state, NOW + options.backoffMs + 10, options)).toEqual({
      kind: 'skip',
      retryAt: NOW + options.backoffMs + probeLeaseMs(options),
    });
  });

  it('lets another probe through once a probe outlives its lease', () => {
    const probe = send(backingOff(), NOW + options.backoffMs);
    const second = send(probe.state, NOW + options.backoffMs + probeLeaseMs(options));
    expect(second.ticket).toEqual({ kind: 'probe', generation: probe.ticket.generation + 1 });
    // The lost probe's late answer no longer speaks for the dependency.
    expect(afterAnswer(second.state, probe.ticket).state).toBe(second.state);
  });
});

describe('afterFault', () => {
  it('starts the first back-off on a call that hung while healthy, and reports it', () => {
    const call = send(initialGuardState, NOW);
    const transition = afterFault(call.state, call.ticket, NOW, options);
    expect(transition).toEqual({
      state: {
        kind: 'backing_off',
        generation: 1,
        until: NOW + options.backoffMs,
        backoffMs: options.backoffMs,
      },
      event: 'backoff',
    });
  });

  it('starts one back-off for calls that hung together', () => {
    const first = send(initialGuardState, NOW);
    const second = send(first.state, NOW + 5);
    const tripped = afterFault(first.state, first.ticket, NOW + options.callTimeoutMs, options).state;
    const again = afterFault(tripped, second.ticket, NOW + options.callTimeoutMs + 5, options);
    expect(again).toEqual({ state: tripped });
  });

  it('doubles the back-off after each failed probe, up to the cap', () => {
    let state = backingOff();
    let now = NOW;
    const lengths: number[] = [];
    for (let i = 0; i < 5; i++) {
      now = (state.kind === 'backing_off' ? state.until : now) + 1;
      const probe = send(state, now);
      const transition = afterFault(probe.state, probe.ticket, now + 100, options);
      expect(transition.event).toBe('backoff');
      state = transition.state;
      if (state.kind === 'backing_off') lengths.push(state.backoffMs);
    }
    expect(lengths).toEqual([2_000, 4_000, 4_000, 4_000, 4_000]);
  });
});

describe('afterAnswer', () => {
  it('ends the back-off when the probe is answered', () => {
    const probe = send(backingOff(), NOW + options.backoffMs);
    const transition = afterAnswer(probe.state, probe.ticket);
    expect(transition).toEqual({ state: { kind: 'healthy', generation: 3 }, event: 'recovered' });
    expect(admitCall(transition.state, NOW + options.backoffMs + 1, options).kind).toBe('send');
  });

  it('leaves a back-off alone when a call admitted before it is answered late', () => {
    const early = send(initialGuardState, NOW);
    const hung = send(early.state, NOW);
    const tripped = afterFault(hung.state, hung.ticket, NOW + options.callTimeoutMs, options).state;
    expect(afterAnswer(tripped, early.ticket)).toEqual({ state: tripped });
  });

  it('changes nothing while healthy: the healthy path has no transitions', () => {
    const call = send(initialGuardState, NOW);
    expect(afterAnswer(call.state, call.ticket)).toEqual({ state: initialGuardState });
  });
});

describe('afterNoVerdict', () => {
  it('gives the probe back when it ended without a verdict, so the next call probes at once', () => {
    const probe = send(backingOff(), NOW + options.backoffMs);
    const state = afterNoVerdict(probe.state, probe.ticket).state;
    const next = admitCall(state, NOW + options.backoffMs + 1, options);
    expect(next.kind === 'send' && next.ticket.kind).toBe('probe');
    // The back-off's length is kept: a probe cut short neither doubles nor resets it.
    expect(state).toMatchObject({ kind: 'backing_off', backoffMs: options.backoffMs });
  });

  it('leaves the healthy state alone', () => {
    const call = send(initialGuardState, NOW);
    expect(afterNoVerdict(call.state, call.ticket)).toEqual({ state: initialGuardState });
  });
});

describe('callTimeout', () => {
  it('gives a call its whole budget outside a request or when the request has time for it', () => {
    expect(callTimeout(NOW, undefined, options)).toEqual({
      timeoutMs: options.callTimeoutMs,
      cutShort: false,
    });
    expect(callTimeout(NOW, NOW + 20_000, options)).toEqual({
      timeoutMs: options.callTimeoutMs,
      cutShort: false,
    });
  });

  it("cuts a call short to what is left of the request, and to nothing past the request's end", () => {
    expect(callTimeout(NOW, NOW + 300, options)).toEqual({ timeoutMs: 300, cutShort: true });
    expect(callTimeout(NOW, NOW - 5, options)).toEqual({ timeoutMs: 0, cutShort: true });
  });
});
