import { z } from 'zod';
import { PROVIDER_ENV_PREFIX, type ProviderId } from '../../../lib/model/provider-ids.js';
import type { AddedActions } from './corporate-actions.js';

/**
 * Knobs of the market-data sandbox: how each simulated provider misbehaves. They are set per provider id,
 * a patch deep-merges into the current knobs per provider (lists are replaced, not appended), and the
 * defaults are a healthy provider on its free plan. Changing a provider's knobs restarts its fault counters (flapping
 * phase, error-rate draws, per-key rate windows) so that every test starts from the same state.
 */

/**
 * Ids of the providers the sandbox simulates (a subset of the platform's provider ids); a new provider
 * adds its id here and registers its module in the server.
 */
export const SANDBOX_PROVIDER_IDS = [
  'alpha-vantage',
  'fmp',
  'finnhub',
  'twelve-data',
  'polygon',
] as const satisfies readonly ProviderId[];
export type SandboxProviderId = (typeof SANDBOX_PROVIDER_IDS)[number];

/**
 * Behaviour modes. Faults that every provider shows alike (`down`, `unreachable`, `slow`, `hang`,
 * `flapping`, `malformed`) come from the shared engine; the others answer with the provider's own error body.
 */
export const MODES = [
  'healthy',
  'down',
  'unreachable',
  'slow',
  'hang',
  'flapping',
  'throttled',
  'daily-limit',
  'malformed',
  'invalid-key',
  'premium',
] as const;
export type Mode = (typeof MODES)[number];

/** The plans the sandbox tells apart: each provider's free plan, or a paid one that has every endpoint. */
export const PLANS = ['free', 'paid'] as const;
export type Plan = (typeof PLANS)[number];

/** The knobs of one provider. Defaults (`defaultProviderKnobs`) describe a healthy provider on its free plan. */
export interface ProviderKnobs {
  /**
   * `free` (default): the provider's free plan as its documentation states it (docs/providers.md):
   * its per-key limits, and its own refusals of the endpoints, parameters and history depth the plan
   * lacks (Alpha Vantage: `compact` only, premium functions refused, 5 calls a minute and 25 a day).
   * `paid`: every endpoint and parameter, no per-key limit but `throttleAfter` and `dailyLimit`.
   */
  plan: Plan;
  /** Delay in milliseconds added before every data answer. Default 0. */
  latencyMs: number;
  /** Extra delay drawn uniformly in [0, latencyJitterMs] from the seeded stream. Default 0. */
  latencyJitterMs: number;
  /**
   * `healthy` (default); `down`: HTTP `downStatus` with a load balancer's HTML (502/503) or JSON (500) body;
   * `unreachable`: the socket is destroyed without an answer; `slow`: a healthy answer after `slowMs`;
   * `hang`: the connection is accepted and never answered, until the client gives up;
   * `flapping`: `flapEvery` failing calls (as `down`), then `flapEvery` healthy ones, and so on, failing
   * first; `throttled`: the provider's per-minute limit answer (Alpha Vantage: HTTP 200 with a `Note`;
   * FMP: HTTP 429); `daily-limit`: the provider's daily quota answer (Alpha Vantage: HTTP 200 with the
   * 25-requests-per-day `Information`; FMP: HTTP 429 "Limit Reach"); `malformed`: HTTP 200 with a broken
   * body (see `malformedKind`); `invalid-key`: the provider's bad-key answer whatever the key (Alpha
   * Vantage: HTTP 200 `Error Message`; FMP: HTTP 401); `premium`: the provider's paid-plan answer (Alpha
   * Vantage: HTTP 200 premium-endpoint `Information`; FMP: HTTP 402 "Premium Query Parameter").
   */
  mode: Mode;
  /** HTTP status of `down` and of the failing runs of `flapping`: 500, 502 or 503. Default 503. */
  downStatus: 500 | 502 | 503;
  /** Delay of `slow` mode in milliseconds, meant to outlast any adapter timeout. Default 30000. */
  slowMs: number;
  /** Length in calls of each failing and each healthy run of `flapping`. Default 1 (fail, ok, fail...). */
  flapEvery: number;
  /**
   * `shape` (default): valid JSON of the healthy answer with every number and numeric string replaced by
   * garbage text; `truncated`: the healthy JSON cut in the middle (invalid JSON).
   */
  malformedKind: 'shape' | 'truncated';
  /** Share (0..1) of calls answered with an HTTP 500, drawn from the seeded stream, on top of the mode. Default 0. */
  errorRate: number;
  /** Seed of the error-rate and jitter draws: the same seed and call sequence replay the same faults. Default 1. */
  seed: number;
  /**
   * Symbols the provider does not know (case-insensitive); each provider answers them as it answers an
   * unknown symbol. Besides these, every symbol starting with `ZZZ` is unknown. Default [].
   */
  unknownSymbols: string[];
  /**
   * Data calls per API key per minute (of `now()`) answered normally before `throttled` answers; 0 (default):
   * the free plan's own limit on `free`, none on `paid`.
   */
  throttleAfter: number;
  /**
   * Data calls per API key per UTC day (of `now()`) answered normally before `daily-limit` answers; 0
   * (default): the free plan's own limit on `free`, none on `paid`.
   */
  dailyLimit: number;
  /** API key values the provider rejects as invalid; a missing key is always rejected. Default []. */
  invalidKeys: string[];
}

/** Knobs of the market every provider reports on, beside the per-provider ones. */
export interface MarketKnobs {
  /**
   * Corporate actions added on top of the generated ones, per symbol (upper case): `{ AAPL: { splits:
   * [{ exDate, ratio }], dividends: [{ exDate, amount, currency?, payDate? }] } }` (a test's "split
   * learned after the series was cached"). Every provider's prices and corporate-actions endpoints
   * follow them. A patch replaces a symbol's additions whole; `{}` for a symbol removes them. Default {}.
   */
  corporateActions: Record<string, AddedActions>;
  /**
   * Per provider id, a fraction multiplying every price it serves (bars and quotes) by (1 + fraction):
   * `{ fmp: 0.02 }` makes FMP 2 % dearer than the others, for tests of cross-provider agreement. A
   * patch merges per provider; 0 removes a bias. Default {}.
   */
  priceBias: Partial<Record<SandboxProviderId, number>>;
}

/** Knobs of every provider, and of the market they report on. */
export type SandboxKnobs = Record<SandboxProviderId, ProviderKnobs> & MarketKnobs;
/** A partial update: per provider, the knobs to change; per market knob, the entries to change. */
export type SandboxKnobsPatch = Partial<Record<SandboxProviderId, Partial<ProviderKnobs>>> &
  Partial<MarketKnobs>;

const duration = z.number().int().min(0).max(600_000);

const providerKnobsSchema = z
  .object({
    plan: z.enum(PLANS),
    latencyMs: duration,
    latencyJitterMs: duration,
    mode: z.enum(MODES),
    downStatus: z.union([z.literal(500), z.literal(502), z.literal(503)]),
    slowMs: duration,
    flapEvery: z.number().int().min(1),
    malformedKind: z.enum(['shape', 'truncated']),
    errorRate: z.number().min(0).max(1),
    seed: z.number().int(),
    unknownSymbols: z.array(z.string().min(1)),
    throttleAfter: z.number().int().min(0),
    dailyLimit: z.number().int().min(0),
    invalidKeys: z.array(z.string()),
  })
  .strict() satisfies z.ZodType<ProviderKnobs>;

const isoDate = z.iso.date();
const addedActionsSchema = z
  .object({
    splits: z.array(z.object({ exDate: isoDate, ratio: z.number().positive().max(1000) }).strict()),
    dividends: z.array(
      z
        .object({
          exDate: isoDate,
          amount: z.number().positive().max(1e6),
          currency: z.string().regex(/^[A-Z]{3}$/),
          payDate: isoDate.nullable(),
        })
        .partial({ currency: true, payDate: true })
        .strict(),
    ),
  })
  .partial()
  .strict() satisfies z.ZodType<AddedActions>;

const marketKnobsSchema = {
  corporateActions: z.record(z.string().regex(/^[A-Za-z0-9.\-^=]{1,15}$/), addedActionsSchema),
  // A bias of -1 or less would make prices zero or negative.
  priceBias: z
    .object(Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, z.number().gt(-1).lte(10).optional()])))
    .strict(),
};

// Unknown provider ids and unknown knob names are rejected (strict) so that a typo fails loudly.
const patchSchema = z
  .object({
    ...Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, providerKnobsSchema.partial().optional()])),
    corporateActions: marketKnobsSchema.corporateActions.optional(),
    priceBias: marketKnobsSchema.priceBias.optional(),
  })
  .strict();

/** The healthy defaults of one provider. */
export function defaultProviderKnobs(): ProviderKnobs {
  return {
    plan: 'free',
    latencyMs: 0,
    latencyJitterMs: 0,
    mode: 'healthy',
    downStatus: 503,
    slowMs: 30_000,
    flapEvery: 1,
    malformedKind: 'shape',
    errorRate: 0,
    seed: 1,
    unknownSymbols: [],
    throttleAfter: 0,
    dailyLimit: 0,
    invalidKeys: [],
  };
}

/** Healthy defaults for every provider, and the generated market alone. */
export function defaultKnobs(): SandboxKnobs {
  const providers = Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, defaultProviderKnobs()]));
  return { ...providers, corporateActions: {}, priceBias: {} } as SandboxKnobs;
}

/** Validates an untrusted patch (a PUT body); the error text lists every bad knob with its path. */
export function parseKnobsPatch(
  input: unknown,
): { ok: true; patch: SandboxKnobsPatch } | { ok: false; error: string } {
  const result = patchSchema.safeParse(input);
  if (result.success) return { ok: true, patch: result.data as SandboxKnobsPatch };
  return { ok: false, error: z.prettifyError(result.error) };
}

/** Returns new knobs with the patch applied per provider; the input is not modified. */
export function mergeKnobs(base: SandboxKnobs, patch: SandboxKnobsPatch): SandboxKnobs {
  const merged = structuredClone(base);
  for (const id of SANDBOX_PROVIDER_IDS) {
    const change = patch[id];
    if (change === undefined) continue;
    const defined = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    merged[id] = { ...merged[id], ...structuredClone(defined) };
  }
  for (const [symbol, added] of Object.entries(patch.corporateActions ?? {})) {
    merged.corporateActions[symbol.toUpperCase()] = structuredClone(added);
  }
  for (const [id, bias] of Object.entries(patch.priceBias ?? {})) {
    if (bias !== undefined) merged.priceBias[id as SandboxProviderId] = bias;
  }
  return merged;
}

/**
 * Each provider's plan from `<PROVIDER>_PLAN` (`ALPHA_VANTAGE_PLAN=paid`, ...), the variable the data
 * layer's configuration reads (`providerPlans`), so that `npm start` simulates the plans the layer is
 * told it has. Unset or empty leaves the free plan; another value throws.
 */
export function plansFromEnv(env: NodeJS.ProcessEnv): Partial<Record<SandboxProviderId, Plan>> {
  const plans: Partial<Record<SandboxProviderId, Plan>> = {};
  for (const id of SANDBOX_PROVIDER_IDS) {
    const name = `${PROVIDER_ENV_PREFIX[id]}_PLAN`;
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const plan = PLANS.find((p) => p === raw);
    if (plan === undefined) throw new Error(`${name}=${raw} is not one of ${PLANS.join(', ')}`);
    plans[id] = plan;
  }
  return plans;
}

/** Environment variable of one provider's mode, e.g. `SANDBOX_ALPHA_VANTAGE_MODE` for `alpha-vantage`. */
export function providerModeVariable(id: SandboxProviderId): string {
  return `SANDBOX_${id.toUpperCase().replace(/-/g, '_')}_MODE`;
}

function envNumber(env: NodeJS.ProcessEnv, name: string, integer: boolean): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${raw} is not ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

function envMode(env: NodeJS.ProcessEnv, name: string): Mode | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const mode = MODES.find((m) => m === raw);
  if (mode === undefined) throw new Error(`${name}=${raw} is not one of ${MODES.join(', ')}`);
  return mode;
}

/**
 * Knobs from environment variables, for `npm start`. Unset or empty variables leave the defaults:
 * - `SANDBOX_LATENCY_MS`: `latencyMs` of every provider (integer ≥ 0);
 * - `SANDBOX_MODE`: `mode` of every provider;
 * - `SANDBOX_<PROVIDER>_MODE` (`SANDBOX_ALPHA_VANTAGE_MODE`, `SANDBOX_FMP_MODE`, `SANDBOX_FINNHUB_MODE`,
 *   `SANDBOX_TWELVE_DATA_MODE`, `SANDBOX_POLYGON_MODE`): `mode` of one provider, overriding `SANDBOX_MODE`;
 * - `SANDBOX_ERROR_RATE`: `errorRate` of every provider (0..1);
 * - `SANDBOX_UNKNOWN_SYMBOLS`: `unknownSymbols` of every provider, comma-separated (`FOO,BAR`);
 * - `SANDBOX_THROTTLE_AFTER`: `throttleAfter` of every provider (calls per key per minute, 0 = off);
 * - `SANDBOX_DAILY_LIMIT`: `dailyLimit` of every provider (calls per key per UTC day, 0 = off).
 * Throws on a value that is not valid, so that a typo stops the start instead of being ignored.
 */
export function knobsFromEnv(env: NodeJS.ProcessEnv): SandboxKnobsPatch {
  const shared: Partial<ProviderKnobs> = {};
  const latencyMs = envNumber(env, 'SANDBOX_LATENCY_MS', true);
  if (latencyMs !== undefined) shared.latencyMs = latencyMs;
  const mode = envMode(env, 'SANDBOX_MODE');
  if (mode !== undefined) shared.mode = mode;
  const errorRate = envNumber(env, 'SANDBOX_ERROR_RATE', false);
  if (errorRate !== undefined) shared.errorRate = errorRate;
  const unknown = env.SANDBOX_UNKNOWN_SYMBOLS?.trim();
  if (unknown !== undefined && unknown !== '') {
    shared.unknownSymbols = unknown
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== '');
  }
  const throttleAfter = envNumber(env, 'SANDBOX_THROTTLE_AFTER', true);
  if (throttleAfter !== undefined) shared.throttleAfter = throttleAfter;
  const dailyLimit = envNumber(env, 'SANDBOX_DAILY_LIMIT', true);
  if (dailyLimit !== undefined) shared.dailyLimit = dailyLimit;

  const patch: SandboxKnobsPatch = {};
  for (const id of SANDBOX_PROVIDER_IDS) {
    const own = envMode(env, providerModeVariable(id));
    const knobs = own === undefined ? { ...shared } : { ...shared, mode: own };
    if (Object.keys(knobs).length > 0) patch[id] = knobs;
  }
  const checked = parseKnobsPatch(patch);
  if (!checked.ok) throw new Error(`Invalid sandbox environment variables:\n${checked.error}`);
  return checked.patch;
}
