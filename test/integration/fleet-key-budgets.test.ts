import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEY_PREFIX } from '../../infra/local/key-pool-seed.js';
import { PROVIDER_LIMITS } from '../../lib/keys/provider-limits.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import {
  clockSkews,
  type FleetContainer,
  fleetWorld,
  LOST_REPLY_SHARE,
  lostReplySeeds,
  sharedKeyPools,
} from '../support/fleet.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * Key budgets across a fleet: containers (each its own `createDataLayer`, DynamoDB client and skewed
 * clock, default configuration, one shared key pool) race quote misses for new symbols, so each
 * request asks Alpha Vantage, the first quote provider, and its one key's budget first. On the free
 * plan that key has 5 calls a minute: fleet-wide, Alpha Vantage must see exactly 5 calls, never more
 * (the provider would throttle the key) and never fewer while more requests want one (the other
 * requests fall through to the next provider).
 */
const PROVIDER = 'alpha-vantage';
const LIMIT = PROVIDER_LIMITS[PROVIDER].perMinute ?? 0;
const AV_KEY = `${SANDBOX_KEY_PREFIX}${PROVIDER}`;
const MINUTE = 60_000;
const { world, secretsManager, dynamodb, startFleet } = fleetWorld();
// The layers' metrics go to stdout; nothing here reads them.
beforeEach(() => {
  const stdout = captureStdout();
  return () => stdout.restore();
});

/** One request of the race: which container, after how many real milliseconds since the race began. */
const racers = (fleetSize: number) =>
  fc.array(fc.record({ container: fc.nat(fleetSize - 1), startMs: fc.integer({ min: 0, max: 3 }) }), {
    minLength: LIMIT + 1,
    maxLength: 3 * LIMIT,
  });

const alphaVantageCalls = () => world.sandbox.stats().callsByKey[PROVIDER]?.[AV_KEY] ?? 0;

let symbols = 0;
async function race(fleet: FleetContainer[], schedule: { container: number; startMs: number }[]) {
  return Promise.all(
    schedule.map(async ({ container, startMs }) => {
      await delay(startMs);
      const layer = fleet[container];
      if (!layer) throw new Error(`no container ${container}`);
      return workDueBy(layer.clock.now() + 19_000, () => layer.layer.service.getQuote(`BUDGET${symbols++}`));
    }),
  );
}

/** A fleet on a fresh table, the shared clock in the middle of a minute: every skewed clock reads the same minute. */
async function freshFleet(skews: number[]) {
  const clock = world.clock;
  clock.advance(MINUTE - (clock.now() % MINUTE) + MINUTE / 2);
  // The runs of a test spend more than the sandbox's 25 calls a day for the key, each run on a fresh
  // table (a fresh budget): the sandbox's own day is lifted, the layer's limits stay the free plan's.
  world.sandbox.setKnobs({ [PROVIDER]: { dailyLimit: 10_000 } });
  return startFleet(skews, await sharedKeyPools(secretsManager));
}

async function checkGrantsExactlyTheLimit(
  skews: number[],
  schedule: { container: number; startMs: number }[],
) {
  const fleet = await freshFleet(skews);
  const before = alphaVantageCalls();
  const answers = await race(fleet, schedule);
  const fromAlphaVantage = answers.filter((answer) => answer.meta.provider === PROVIDER);
  expect(alphaVantageCalls() - before).toBe(LIMIT);
  expect(fromAlphaVantage).toHaveLength(LIMIT);
  // Every other request was answered by the next provider, not refused.
  expect(answers).toHaveLength(schedule.length);
  const [first] = fleet;
  const usage = await first?.layer.keyStatusDeps.usage.usage(PROVIDER, ['primary'], world.clock.now());
  expect(usage?.get('primary')).toEqual({ minute: LIMIT, day: LIMIT });
}

describe("a provider key's per-minute budget raced by a fleet (random interleavings, skewed clocks)", () => {
  it('grants exactly the limit fleet-wide: Alpha Vantage sees 5 calls, whatever the demand above it', async () => {
    await fc.assert(fc.asyncProperty(clockSkews(3), racers(3), checkGrantsExactlyTheLimit), { numRuns: 5 });
  }, 60_000);

  it('grants exactly the limit when DynamoDB applies a share of the budget writes and loses their replies', async () => {
    await fc.assert(
      fc.asyncProperty(clockSkews(3), racers(3), lostReplySeeds(), async (skews, schedule, seed) => {
        dynamodb.proxy.setKnobs({
          dropAfterApplyShare: LOST_REPLY_SHARE,
          dropAfterApplyOperations: ['UpdateItem'],
          seed,
        });
        await checkGrantsExactlyTheLimit(skews, schedule);
      }),
      { numRuns: 5 },
    );
    expect(dynamodb.proxy.stats().dropped).toBeGreaterThan(0);
  }, 60_000);
});
