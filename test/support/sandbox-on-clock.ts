import { afterAll, beforeAll, beforeEach } from 'vitest';
import { SANDBOX_PROVIDER_IDS, type SandboxProviderId } from '../../infra/local/sandbox/knobs.js';
import {
  type MarketSandbox,
  type ProviderKnobs,
  type SandboxKnobsPatch,
  startMarketSandbox,
} from '../../infra/local/sandbox/server.js';
import { PROVIDER_ENV_PREFIX } from '../../lib/model/provider-ids.js';
import { buildDataLayer, FakeClock } from './data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from './local-services.js';

/** A file's sandbox and the clock of the test running now, which the sandbox reads. */
export interface SandboxOnClock {
  readonly sandbox: MarketSandbox;
  readonly clock: FakeClock;
}

/**
 * One sandbox for the file, reading the running test's clock, so its "today" is the layer's today
 * on any date; before each test a new clock, healthy knobs and no calls counted.
 */
export function sandboxOnTestClock(): SandboxOnClock {
  let sandbox: MarketSandbox | undefined;
  let clock = new FakeClock();
  beforeAll(async () => {
    sandbox = await startMarketSandbox({ now: () => clock.date() });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    clock = new FakeClock();
    sandbox?.resetKnobs();
    sandbox?.resetStats();
  });
  return {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox starts in beforeAll');
      return sandbox;
    },
    get clock() {
      return clock;
    },
  };
}

/** The same knobs on every provider the sandbox serves: the default configuration asks all five. */
export function everyProvider(knobs: Partial<ProviderKnobs>): SandboxKnobsPatch {
  return Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, knobs])) as SandboxKnobsPatch;
}

/**
 * `providers` on their paid plans on both sides, for tests of something other than the plans that make
 * more calls than a free key grants: the sandbox's `plan` knob (knobs reset before each test, so call
 * it inside the test) and, returned, the `<PROVIDER>_PLAN` settings the layer and its keys' budgets read.
 */
export function paidPlans(
  world: SandboxOnClock,
  providers: readonly SandboxProviderId[] = SANDBOX_PROVIDER_IDS,
): Record<string, string> {
  world.sandbox.setKnobs(Object.fromEntries(providers.map((id) => [id, { plan: 'paid' }])));
  return Object.fromEntries(providers.map((id) => [`${PROVIDER_ENV_PREFIX[id]}_PLAN`, 'paid']));
}

/** Data calls the sandbox received, all providers together. */
export function upstreamCalls(sandbox: MarketSandbox): number {
  return Object.values(sandbox.stats().calls).reduce((sum, n) => sum + n, 0);
}

/**
 * One container's data layer on a fresh table of its own (named after `label`), against the file's
 * sandbox and the running test's clock, with the default configuration unless `env` says otherwise.
 */
export async function layerOnTestSandbox(
  world: SandboxOnClock,
  label: string,
  env: Record<string, string> = {},
) {
  const dynamodb = localDynamoDb();
  return buildDataLayer({
    dynamodb,
    secretsManager: localSecretsManager(),
    tableName: await freshDataTable(dynamodb, label),
    sandbox: world.sandbox,
    clock: world.clock,
    env,
  });
}
