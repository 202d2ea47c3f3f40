import * as z from 'zod/mini';
import {
  BREAKER_STATES,
  type BreakerRecord,
  type CircuitBreakerOptions,
  isWindowCurrent,
  OVERRIDE_ACTIONS,
} from './breaker-state.js';

/** One breaker as operators see it; times are ISO 8601, `null` when not applicable. */
export const CircuitStatusSchema = z.object({
  name: z.string(),
  state: z.enum(BREAKER_STATES),
  consecutiveFailures: z.int(),
  /** Calls, failures and slow calls in the current rate window (0 when it has lapsed). */
  windowCalls: z.int(),
  windowFailures: z.int(),
  windowSlowCalls: z.int(),
  openedAt: z.nullable(z.iso.datetime()),
  /** When OPEN: the earliest time a probe goes through; `null` when forced open. */
  nextProbeAt: z.nullable(z.iso.datetime()),
  openCount: z.int(),
  forcedOpen: z.boolean(),
  lastOverride: z.nullable(
    z.object({ action: z.enum(OVERRIDE_ACTIONS), actor: z.string(), at: z.iso.datetime() }),
  ),
  probeLeaseUntil: z.nullable(z.iso.datetime()),
});

export type CircuitStatus = z.infer<typeof CircuitStatusSchema>;

/** Epoch ms as ISO 8601, `null` when absent. */
export const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A breaker as operators see it at `now`: a lapsed window shows no calls. */
export function describeBreaker(
  record: BreakerRecord,
  now: number,
  options: CircuitBreakerOptions,
): CircuitStatus {
  const windowCurrent = isWindowCurrent(record, now, options.windowMs);
  return {
    name: record.circuit,
    state: record.state,
    consecutiveFailures: record.consecutiveFailures,
    windowCalls: windowCurrent ? record.windowCalls : 0,
    windowFailures: windowCurrent ? record.windowFailures : 0,
    windowSlowCalls: windowCurrent ? record.windowSlowCalls : 0,
    openedAt: iso(record.openedAt),
    nextProbeAt: record.state === 'OPEN' ? iso(record.openUntil) : null,
    openCount: record.openCount,
    forcedOpen: record.forcedOpen,
    lastOverride: record.lastOverride
      ? { ...record.lastOverride, at: new Date(record.lastOverride.at).toISOString() }
      : null,
    probeLeaseUntil: record.state === 'HALF_OPEN' ? iso(record.probeLeaseUntil) : null,
  };
}
