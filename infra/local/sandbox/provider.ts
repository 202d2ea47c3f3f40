import type { IncomingHttpHeaders } from 'node:http';
import type { Plan, SandboxProviderId } from './knobs.js';
import type { MarketView } from './price-bases.js';

/**
 * The contract between the sandbox server and one simulated provider. A provider module answers healthy
 * calls in its wire format and knows its own error bodies; everything else (latency, outages, rate
 * windows, stats) is the shared engine's job. Simulating another provider means writing one such
 * module and listing it in the server.
 */

/** A JSON value as it travels on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An HTTP answer before serialization. */
export type Answer =
  | {
      readonly status: number;
      readonly kind: 'json';
      readonly body: JsonValue;
      /** Pretty-print indentation the real provider uses (0 = compact). */
      readonly indent: number;
      readonly contentType: string;
    }
  | { readonly status: number; readonly kind: 'text'; readonly body: string; readonly contentType: string };

/** A data call as the provider module sees it. */
export interface DataRequest {
  /** Path after the provider prefix, e.g. `/query` or `/stable/quote`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/** What a provider module may ask the sandbox while answering. */
export interface ProviderContext {
  /** The sandbox clock (fixed in tests). */
  readonly now: Date;
  /** False for symbols the knobs (or the `ZZZ` rule) make unknown. */
  isKnown(symbol: string): boolean;
  /** The plan of the key: on `free` the module cuts what the provider's free plan cuts (a history depth). */
  readonly plan: Plan;
  /** The market's prices as this provider serves them (its `priceBias`, the corporate-actions knob). */
  readonly market: MarketView;
}

/** A free plan's refusal of a call: the provider's own answer, and what was refused (counted in the stats). */
export interface PlanRefusal {
  readonly refused: string;
  readonly answer: Answer;
}

/** A free plan's per-key allowance (docs/providers.md); a limit left out is one the provider does not set. */
export interface PlanLimits {
  readonly perMinute?: number;
  readonly perDay?: number;
}

/** Fault modes whose body each provider words its own way. */
export type ProviderFault = 'invalid-key' | 'throttled' | 'daily-limit' | 'premium';

/** One simulated provider, served under `/<id>/` of the sandbox. */
export interface ProviderModule {
  readonly id: SandboxProviderId;
  /** The API key of a call, or undefined when it carries none. */
  apiKey(request: DataRequest): string | undefined;
  /** The provider's own answer to a fault mode. */
  fault(fault: ProviderFault, request: DataRequest): Answer;
  /** The per-key limits of the provider's free plan, answered with its `throttled` and `daily-limit` faults. */
  readonly freePlanLimits: PlanLimits;
  /** The free plan's refusal of a call it does not serve (a paid endpoint or parameter), or undefined. */
  freePlanRefusal(request: DataRequest, context: ProviderContext): PlanRefusal | undefined;
  /** What a call costs against those limits (Twelve Data: a credit per symbol); default 1. */
  credits?(request: DataRequest): number;
  /**
   * The healthy answer to a call (including the provider's own "bad request" answers) that the plan
   * serves.
   */
  handle(request: DataRequest, context: ProviderContext): Answer;
}

/** A JSON answer. */
export function jsonAnswer(status: number, body: JsonValue, indent: number, contentType: string): Answer {
  return { status, kind: 'json', body, indent, contentType };
}

/** Serializes an answer's body as the provider prints it. */
export function serializeBody(answer: Answer): string {
  if (answer.kind === 'text') return answer.body;
  return answer.indent > 0 ? JSON.stringify(answer.body, null, answer.indent) : JSON.stringify(answer.body);
}
