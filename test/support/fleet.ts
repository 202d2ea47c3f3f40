import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../infra/local/local-aws.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { MAX_CLOCK_SKEW_MS } from '../../lib/resilience/breaker-run.js';
import { buildDataLayer, FakeClock } from './data-layer.js';
import { freshDataTable } from './local-services.js';
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
  const client = () =>
    new DynamoDBClient({
      endpoint: options.dynamodbEndpoint,
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
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
