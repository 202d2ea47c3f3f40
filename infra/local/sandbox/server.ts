import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../control-endpoints.js';
import { alphaVantage } from './alpha-vantage.js';
import { type ControlTarget, type SandboxStats, serveControl } from './control.js';
import { FaultEngine, malform } from './fault-engine.js';
import { finnhub } from './finnhub.js';
import { fmp } from './fmp.js';
import {
  defaultKnobs,
  mergeKnobs,
  type Plan,
  type ProviderKnobs,
  parseKnobsPatch,
  SANDBOX_PROVIDER_IDS,
  type SandboxKnobs,
  type SandboxKnobsPatch,
  type SandboxProviderId,
} from './knobs.js';
import { polygon } from './polygon.js';
import { MarketView } from './price-bases.js';
import { type Answer, type DataRequest, type ProviderModule, serializeBody } from './provider.js';
import { twelveData } from './twelve-data.js';

/**
 * The market-data sandbox: one local HTTP server that answers as Alpha Vantage, FMP, Finnhub, Twelve Data
 * and Polygon do, in their real wire formats, with deterministic data for any symbol and knobs to inject
 * faults. Each provider is served under `/<provider id>/`, so an adapter given the base URL
 * `${url}/<provider id>` appends the provider's own path exactly as it would to the real host.
 */

export type { SandboxStats } from './control.js';
export type { ProviderKnobs, SandboxKnobs, SandboxKnobsPatch, SandboxProviderId } from './knobs.js';
export { knobsFromEnv, plansFromEnv } from './knobs.js';

/** Provider modules served; a new provider adds its module here (and its id in knobs.ts). */
const PROVIDERS: readonly ProviderModule[] = [alphaVantage, fmp, finnhub, twelveData, polygon];

/** A running sandbox. */
export interface MarketSandbox {
  /** `http://HOST:PORT`, without a trailing slash. */
  url: string;
  port: number;
  /**
   * Base URL per provider, as the provider adapters take it: the stand-in for the real host.
   * `alpha-vantage`: `${url}/alpha-vantage` (adapters call `${base}/query?function=...`, as with
   * `https://www.alphavantage.co`); `fmp`: `${url}/fmp` (adapters call `${base}/stable/quote?...`, as
   * with `https://financialmodelingprep.com`); `finnhub`: `${url}/finnhub` (`${base}/api/v1/quote`);
   * `twelve-data`: `${url}/twelve-data` (`${base}/quote`); `polygon`: `${url}/polygon` (`${base}/v2/aggs/...`).
   */
  baseUrls: Record<SandboxProviderId, string>;
  /** Applies a patch, merged per provider; throws a TypeError on an invalid knob. Restarts the patched providers' counters. */
  setKnobs(patch: SandboxKnobsPatch): void;
  /** Back to the knobs the sandbox started with (`options.knobs` over the healthy defaults). */
  resetKnobs(): void;
  /** Current knobs of every provider (a copy). */
  knobs(): SandboxKnobs;
  /** Data calls received so far, per provider and per API key value (`(none)` without a key). Control calls are not counted. */
  stats(): SandboxStats;
  resetStats(): void;
  /** Stops the server, drops open connections and cancels pending delayed answers. */
  close(): Promise<void>;
}

/** Options of `startMarketSandbox`. */
export interface MarketSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Knobs applied over the healthy defaults at start (and restored by `resetKnobs`). */
  knobs?: SandboxKnobsPatch;
  /**
   * Each provider's plan at start (and after `resetKnobs`), over `knobs`; default `free` for every
   * provider. `plansFromEnv(process.env)` reads them from `<PROVIDER>_PLAN`, as the data layer does.
   */
  plans?: Partial<Record<SandboxProviderId, Plan>>;
  /** The clock: latest trading day, quote timestamps, rate-limit windows. Default: the system clock. */
  now?: () => Date;
}

function emptyStats(): SandboxStats {
  return {
    calls: Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, 0])),
    // Null-prototype maps: an API key is caller input and may be `__proto__`.
    callsByKey: Object.fromEntries(
      SANDBOX_PROVIDER_IDS.map((id) => [id, Object.create(null) as Record<string, number>]),
    ),
    planRefusals: Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, {}])),
  };
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const body = serializeBody(answer);
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function isKnownSymbol(knobs: ProviderKnobs, symbol: string): boolean {
  const upper = symbol.trim().toUpperCase();
  return !upper.startsWith('ZZZ') && !knobs.unknownSymbols.some((s) => s.trim().toUpperCase() === upper);
}

/** Starts the sandbox; resolves once it listens. */
export async function startMarketSandbox(options: MarketSandboxOptions = {}): Promise<MarketSandbox> {
  const now = options.now ?? (() => new Date());
  const initial = parseKnobsPatch(options.knobs ?? {});
  if (!initial.ok) throw new TypeError(`Invalid sandbox knobs:\n${initial.error}`);
  const planPatch = Object.fromEntries(
    Object.entries(options.plans ?? {}).map(([id, plan]) => [id, { plan }]),
  ) as SandboxKnobsPatch;
  const plans = parseKnobsPatch(planPatch);
  if (!plans.ok) throw new TypeError(`Invalid sandbox plans:\n${plans.error}`);
  const startKnobs = mergeKnobs(mergeKnobs(defaultKnobs(), initial.patch), plans.patch);
  let knobs = startKnobs;
  let stats = emptyStats();
  const engine = new FaultEngine();
  const closing = new AbortController();

  const target: ControlTarget = {
    knobs: () => structuredClone(knobs),
    setKnobs(patch) {
      const parsed = parseKnobsPatch(patch);
      if (!parsed.ok) throw new TypeError(`Invalid sandbox knobs:\n${parsed.error}`);
      knobs = mergeKnobs(knobs, parsed.patch);
      for (const id of SANDBOX_PROVIDER_IDS) if (parsed.patch[id] !== undefined) engine.reset(id);
    },
    resetKnobs() {
      knobs = startKnobs;
      engine.reset();
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
  };

  /** Waits `ms` unless the client leaves or the sandbox closes; true when the answer is still wanted. */
  async function pause(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms > 0) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      res.once('close', onClose);
      try {
        await sleep(ms, undefined, { signal: AbortSignal.any([gone.signal, closing.signal]) });
      } catch {
        return false;
      } finally {
        res.off('close', onClose);
      }
    }
    return !res.destroyed;
  }

  /** Holds a request open until the client leaves or the sandbox closes: a host that accepts and never answers. */
  function hold(res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      if (res.destroyed || closing.signal.aborted) return resolve();
      res.once('close', () => resolve());
      closing.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async function serveData(
    module: ProviderModule,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
  ) {
    const request: DataRequest = { path, query: url.searchParams, headers: req.headers };
    const apiKey = module.apiKey(request);
    const keyLabel = apiKey === undefined || apiKey === '' ? '(none)' : apiKey;
    stats.calls[module.id] = (stats.calls[module.id] ?? 0) + 1;
    const byKey = stats.callsByKey[module.id] ?? (Object.create(null) as Record<string, number>);
    byKey[keyLabel] = (byKey[keyLabel] ?? 0) + 1;
    stats.callsByKey[module.id] = byKey;

    const providerKnobs = knobs[module.id];
    const at = now();
    const { delayMs, verdict } = engine.decide(module.id, providerKnobs, {
      apiKey,
      now: at,
      credits: module.credits?.(request) ?? 1,
      freePlanLimits: module.freePlanLimits,
    });
    if (!(await pause(delayMs, res))) return;
    switch (verdict.kind) {
      case 'unreachable':
        // No status line, no body: the client sees a reset connection, as with a dead host or a dropped NLB.
        req.socket.destroy();
        return;
      case 'hang':
        return hold(res);
      case 'answer':
        return send(res, verdict.answer);
      case 'provider-fault':
        return send(res, module.fault(verdict.fault, request));
      case 'healthy': {
        const context = {
          now: at,
          isKnown: (symbol: string) => isKnownSymbol(providerKnobs, symbol),
          plan: providerKnobs.plan,
          market: new MarketView(at, knobs.corporateActions, knobs.priceBias[module.id] ?? 0),
        };
        const refusal = context.plan === 'free' ? module.freePlanRefusal(request, context) : undefined;
        if (refusal !== undefined) {
          const counts = stats.planRefusals[module.id] ?? {};
          counts[refusal.refused] = (counts[refusal.refused] ?? 0) + 1;
          stats.planRefusals[module.id] = counts;
          return send(res, refusal.answer);
        }
        const answer = module.handle(request, context);
        // Only a 200 is malformed: a broken body behind an error status would test nothing new.
        return send(
          res,
          verdict.malformed !== undefined && answer.status === 200
            ? malform(answer, verdict.malformed)
            : answer,
        );
      }
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const path = url.pathname;
    const handle = async (): Promise<void> => {
      if (path === '/__sandbox' || path.startsWith('/__sandbox/'))
        return serveControl(req, res, path, target);
      const module = PROVIDERS.find((p) => path === `/${p.id}` || path.startsWith(`/${p.id}/`));
      if (module !== undefined)
        return serveData(module, req, res, url, path.slice(module.id.length + 1) || '/');
      sendJson(res, 404, {
        error: `No provider at ${path}`,
        baseUrls: sandbox.baseUrls,
        control: ['/__sandbox/knobs', '/__sandbox/stats'],
      });
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `Sandbox failure: ${String(error)}` });
      else res.destroy();
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const sandbox: MarketSandbox = {
    url,
    port,
    baseUrls: Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, `${url}/${id}`])) as Record<
      SandboxProviderId,
      string
    >,
    setKnobs: target.setKnobs,
    resetKnobs: target.resetKnobs,
    knobs: target.knobs,
    stats: target.stats,
    resetStats: target.resetStats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (undici pools them) would hold close() open otherwise.
        server.closeAllConnections();
      }),
  };
  return sandbox;
}
