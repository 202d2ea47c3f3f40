import { randomUUID } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { vi } from 'vitest';
import { seedKeyPools } from '../../infra/local/key-pool-seed.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { PROVIDER_IDS } from '../../lib/model/provider-ids.js';
import { MAX_CLOCK_SKEW_MS } from '../../lib/resilience/breaker-run.js';
import { buildDataLayer, FakeClock } from './data-layer.js';
import { dynamoDbProxyForFile, type ProxyForFile } from './dynamodb-proxy.js';
import { dynamoDbClient, freshDataTable, localSecretsManager } from './local-services.js';
import type { ManualClock } from './manual-clock.js';
import { type SandboxOnClock, sandboxOnTestClock } from './sandbox-on-clock.js';
import { captureStdout, emfMetrics } from './stdout-capture.js';

/**
 * A fleet of Lambda containers in one process: each its own `createDataLayer` (through
 * `buildDataLayer`, default configuration unless `env` says otherwise), its own DynamoDB client and
 * its own clock, skewed from one shared test clock as real machines' clocks are. They share what a
 * real fleet shares: one data table (behind the DynamoDB proxy, so their reads are as stale as
 * DynamoDB's) and the providers (one sandbox).
 */

/** A container's clock: the shared test clock plus this container's skew; sleeping moves the shared clock. */
class SkewedClock extends FakeClock {
  constructor(
    private readonly shared: FakeClock,
    readonly skewMs: number,
  ) {
    super();
  }
  override now = (): number => this.shared.now() + this.skewMs;
  override date = (): Date => new Date(this.now());
  override advance = (ms: number): void => this.shared.advance(ms);
  override sleep = (ms: number): Promise<void> => this.shared.sleep(ms);
}

/** One container of the fleet. */
export interface FleetContainer {
  readonly clock: FakeClock;
  readonly layer: Awaited<ReturnType<typeof buildDataLayer>>;
}

/** One call of a schedule: which container makes it, after how long since the previous one. */
export interface FleetStep {
  container: number;
  gapMs: number;
}

/**
 * A schedule of calls in real-time order for a busy fleet: rounds in which every container makes one
 * call, in a random order, each call a random gap (`gapMs` min..max) after the one before it on the
 * shared clock. A Lambda container only runs while it serves a request, so a container that stops
 * getting requests cannot act on anything it learned; in these rounds none goes idle for more than
 * `2 × size − 1` gaps.
 */
export function fleetSchedule(
  size: number,
  rounds: { minLength: number; maxLength: number },
  gapMs: { min: number; max: number },
): fc.Arbitrary<FleetStep[]> {
  const containers = Array.from({ length: size }, (_, i) => i);
  const round = fc
    .shuffledSubarray(containers, { minLength: size, maxLength: size })
    .chain((order) =>
      fc.tuple(
        ...order.map((container) =>
          fc.record({ container: fc.constant(container), gapMs: fc.integer(gapMs) }),
        ),
      ),
    );
  return fc.array(round, rounds).map((all) => all.flat());
}

/** Each container's clock skew, within ±`MAX_CLOCK_SKEW_MS`. */
export function clockSkews(size: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: -MAX_CLOCK_SKEW_MS, max: MAX_CLOCK_SKEW_MS }), {
    minLength: size,
    maxLength: size,
  });
}

/** The fleet's containers on one fresh table; each container gets its own DynamoDB client on `dynamodbEndpoint`. */
export async function startFleet(options: {
  skewsMs: readonly number[];
  dynamodbEndpoint: string;
  secretsManager: SecretsManagerClient;
  sandbox: MarketSandbox;
  clock: FakeClock;
  env?: Record<string, string>;
}): Promise<FleetContainer[]> {
  const client = () => dynamoDbClient(options.dynamodbEndpoint);
  const tableName = await freshDataTable(client(), 'fleet');
  return Promise.all(
    options.skewsMs.map(async (skewMs) => {
      const clock = new SkewedClock(options.clock, skewMs);
      const layer = await buildDataLayer({
        dynamodb: client(),
        secretsManager: options.secretsManager,
        tableName,
        sandbox: options.sandbox,
        clock,
        ...(options.env ? { env: options.env } : {}),
      });
      return { clock, layer };
    }),
  );
}

/** What a fleet test file runs on, and its fleets. */
export interface FleetWorld {
  /** The sandbox and the test clock the fleet's clocks are skewed from. */
  readonly world: SandboxOnClock;
  readonly secretsManager: SecretsManagerClient;
  /** The file's DynamoDB proxy: a replica a second behind on the test clock, as stale as DynamoDB's reads may be. */
  readonly dynamodb: ProxyForFile;
  /** A fleet on a fresh table in this world, one container per skew. */
  startFleet(skewsMs: readonly number[], env?: Record<string, string>): Promise<FleetContainer[]>;
}

/** A fleet test file's world (call at the top of the file: it registers the sandbox's and proxy's hooks). */
export function fleetWorld(): FleetWorld {
  const secretsManager = localSecretsManager();
  const world = sandboxOnTestClock();
  const dynamodb = dynamoDbProxyForFile({ now: () => world.clock.now(), knobs: { replicaLagMs: 1_000 } });
  return {
    world,
    secretsManager,
    dynamodb,
    startFleet: (skewsMs, env) =>
      startFleet({
        skewsMs,
        dynamodbEndpoint: dynamodb.proxy.endpoint,
        secretsManager,
        sandbox: world.sandbox,
        clock: world.clock,
        ...(env ? { env } : {}),
      }),
  };
}

/** The `circuit_breaker_state_changes_total` metrics the fleet emitted while `run` ran, in order. */
export async function stateChangesDuring(circuit: string, run: () => Promise<void>): Promise<string[]> {
  const stdout = captureStdout();
  try {
    await run();
  } finally {
    stdout.restore();
  }
  return emfMetrics(stdout.lines())
    .filter((m) => m.name === 'circuit_breaker_state_changes_total' && m.dimensions.circuit_name === circuit)
    .map((m) => String(m.dimensions.state));
}

/**
 * `env` plus one key pool for every container of a fleet: a real fleet reads one set of secrets, so its
 * containers lease the same keys with the same `addedAt` (which a quarantine names). Without it each
 * `buildDataLayer` seeds pools of its own under another prefix.
 */
export async function sharedKeyPools(
  secretsManager: SecretsManagerClient,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  const prefix = `fleet-${randomUUID().slice(0, 8)}/`;
  await seedKeyPools(secretsManager, env, new Set(PROVIDER_IDS), prefix);
  return { ...env, KEY_POOL_SECRET_PREFIX: prefix };
}

/**
 * Settles each container's requests on a `ManualClock` fleet (containers built on that clock as the
 * shared one), moving the clock only when every container still working is parked in a sleep (a
 * poll's back-off), never while one is busy with DynamoDB or a provider: so no waiter's polls race
 * the clock past a lease while the leader's real HTTP call is in flight.
 */
export async function settleFleet<T>(
  clock: ManualClock,
  containers: Promise<T>[][],
  /**
   * What may be busy: `container` (default) when each container's requests share one fill (the others
   * join it in process and never sleep), so a container is idle once one request sleeps; `request` when
   * every request runs its own fill (distinct keys), so each must sleep before the clock moves.
   */
  unit: 'container' | 'request' = 'container',
): Promise<PromiseSettledResult<T>[][]> {
  const groups = unit === 'container' ? containers : containers.flat().map((request) => [request]);
  const done = groups.map(() => false);
  groups.forEach((requests, i) => {
    void Promise.allSettled(requests).then(() => {
      done[i] = true;
    });
  });
  const working = () => done.filter((d) => !d).length;
  for (let round = 0; working() > 0; round++) {
    if (round > 1_000) throw new Error("the fleet's requests did not settle");
    await vi.waitFor(
      () => {
        if (working() > 0 && clock.sleeping < working()) throw new Error('a container is busy');
      },
      { timeout: 10_000, interval: 2 },
    );
    clock.wakeNext();
  }
  return Promise.all(containers.map((requests) => Promise.allSettled(requests)));
}

/** The share of writes whose reply the DynamoDB proxy loses in the fleet's lost-replies properties. */
export const LOST_REPLY_SHARE = 0.3;

/**
 * Seeds of the DynamoDB proxy's draws (`dropAfterApplyShare`): any seed, so a property also meets the
 * write that loses the reply of every one of its attempts. The far end reset each of those
 * connections, so the container's dependency guard knows DynamoDB is there and does not back off:
 * the write fails (as any write may), and the container's next writes, its lease release among them,
 * go through.
 */
export function lostReplySeeds(): fc.Arbitrary<number> {
  return fc.integer();
}
