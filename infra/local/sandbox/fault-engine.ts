import type { ProviderKnobs, SandboxProviderId } from './knobs.js';
import type { Answer, JsonValue, PlanLimits, ProviderFault } from './provider.js';
import { hashSeed, mulberry32 } from './random.js';

/**
 * The shared knob engine: decides, per data call, which fault (if any) a provider shows. Provider modules
 * never see knobs; they only word the faults that are theirs (`ProviderFault`).
 */

/** What to do with one call, after `delayMs`. */
export type Verdict =
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'answer'; readonly answer: Answer }
  | { readonly kind: 'provider-fault'; readonly fault: ProviderFault }
  | { readonly kind: 'healthy'; readonly malformed: ProviderKnobs['malformedKind'] | undefined };

/** A verdict and the delay before acting on it. */
export interface Decision {
  readonly delayMs: number;
  readonly verdict: Verdict;
}

interface Window {
  period: number;
  count: number;
}

interface ProviderState {
  calls: number;
  draw: () => number;
  minute: Map<string, Window>;
  day: Map<string, Window>;
}

const NGINX = (status: string): string =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** What a load balancer in front of a provider answers when the provider is down. */
export function outageAnswer(status: 500 | 502 | 503): Answer {
  if (status === 502)
    return { status, kind: 'text', body: NGINX('502 Bad Gateway'), contentType: 'text/html' };
  if (status === 503) {
    return {
      status,
      kind: 'text',
      body: NGINX('503 Service Temporarily Unavailable'),
      contentType: 'text/html',
    };
  }
  return {
    status,
    kind: 'json',
    body: { message: 'Internal server error' },
    indent: 0,
    contentType: 'application/json',
  };
}

/** Counts a call's credits in a per-key window and tells whether the window's allowance is used up. */
function overLimit(
  windows: Map<string, Window>,
  key: string,
  period: number,
  limit: number,
  credits: number,
): boolean {
  const window = windows.get(key);
  const current = window === undefined || window.period !== period ? { period, count: 0 } : window;
  current.count += credits;
  windows.set(key, current);
  return limit > 0 && current.count > limit;
}

/** Per-provider fault state; `reset` restarts a provider's counters and seeded stream. */
export class FaultEngine {
  private readonly states = new Map<SandboxProviderId, ProviderState>();

  /** Forgets a provider's counters (all providers without an id); the next call starts afresh. */
  reset(id?: SandboxProviderId): void {
    if (id === undefined) this.states.clear();
    else this.states.delete(id);
  }

  private state(id: SandboxProviderId, knobs: ProviderKnobs): ProviderState {
    let state = this.states.get(id);
    if (state === undefined) {
      state = {
        calls: 0,
        draw: mulberry32(hashSeed('faults', id, knobs.seed)),
        minute: new Map(),
        day: new Map(),
      };
      this.states.set(id, state);
    }
    return state;
  }

  /**
   * Decides the fate of one data call carrying `apiKey` at `now`, costing `credits` of the key's
   * allowance: the knobs' `throttleAfter` and `dailyLimit`, or where they are 0 on the free plan, the
   * free plan's `limits`.
   */
  decide(
    id: SandboxProviderId,
    knobs: ProviderKnobs,
    request: { apiKey: string | undefined; now: Date; credits: number; freePlanLimits: PlanLimits },
  ): Decision {
    const { apiKey, now, credits, freePlanLimits } = request;
    const state = this.state(id, knobs);
    const call = state.calls++;
    // Both draws are taken on every call so that the error-rate sequence does not depend on the jitter knob.
    const jitter = state.draw();
    const error = state.draw();
    const delayMs = knobs.latencyMs + Math.round(jitter * knobs.latencyJitterMs);
    const decide = (verdict: Verdict, extraMs = 0): Decision => ({ delayMs: delayMs + extraMs, verdict });

    if (knobs.mode === 'unreachable') return decide({ kind: 'unreachable' });
    if (knobs.mode === 'hang') return decide({ kind: 'hang' });
    if (error < knobs.errorRate) return decide({ kind: 'answer', answer: outageAnswer(500) });
    const flapFailing = knobs.mode === 'flapping' && Math.floor(call / knobs.flapEvery) % 2 === 0;
    if (knobs.mode === 'down' || flapFailing)
      return decide({ kind: 'answer', answer: outageAnswer(knobs.downStatus) });
    if (
      knobs.mode === 'invalid-key' ||
      knobs.mode === 'throttled' ||
      knobs.mode === 'daily-limit' ||
      knobs.mode === 'premium'
    ) {
      return decide({ kind: 'provider-fault', fault: knobs.mode });
    }
    if (apiKey === undefined || apiKey === '' || knobs.invalidKeys.includes(apiKey)) {
      return decide({ kind: 'provider-fault', fault: 'invalid-key' });
    }
    const minute = Math.floor(now.getTime() / 60_000);
    const day = Math.floor(now.getTime() / 86_400_000);
    // Every call with a valid key uses up allowance, answered or not, as real quota counters do.
    const free = knobs.plan === 'free';
    const perMinute = knobs.throttleAfter || (free ? (freePlanLimits.perMinute ?? 0) : 0);
    const perDay = knobs.dailyLimit || (free ? (freePlanLimits.perDay ?? 0) : 0);
    const overMinute = overLimit(state.minute, apiKey, minute, perMinute, credits);
    const overDay = overLimit(state.day, apiKey, day, perDay, credits);
    if (overDay) return decide({ kind: 'provider-fault', fault: 'daily-limit' });
    if (overMinute) return decide({ kind: 'provider-fault', fault: 'throttled' });
    const malformed = knobs.mode === 'malformed' ? knobs.malformedKind : undefined;
    return decide({ kind: 'healthy', malformed }, knobs.mode === 'slow' ? knobs.slowMs : 0);
  }
}

const GARBAGE = ['N/A', '--', '1O2.3x', 'NaN%', '#VALUE!'] as const;

/** Replaces every number and numeric string with garbage text: valid JSON, wrong shape. */
function garble(value: JsonValue, index: { n: number }): JsonValue {
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d/.test(value))) {
    return GARBAGE[index.n++ % GARBAGE.length] ?? 'N/A';
  }
  if (Array.isArray(value)) return value.map((item) => garble(item, index));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, garble(item, index)]));
  }
  return value;
}

/** Turns a healthy answer into a `malformed` one (status stays 200: only the body lies). */
export function malform(answer: Answer, kind: ProviderKnobs['malformedKind']): Answer {
  if (answer.kind === 'text') return answer;
  if (kind === 'shape') return { ...answer, status: 200, body: garble(answer.body, { n: 0 }) };
  const text = JSON.stringify(answer.body, null, answer.indent);
  return {
    status: 200,
    kind: 'text',
    body: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
    contentType: answer.contentType,
  };
}
