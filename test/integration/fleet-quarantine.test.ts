import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_KEY_PREFIX } from '../../infra/local/key-pool-seed.js';
import { DEFAULT_KEY_QUARANTINE } from '../../lib/keys/key-quarantine.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import {
  clockSkews,
  type FleetContainer,
  fleetWorld,
  LOST_REPLY_SHARE,
  lostReplySeeds,
  sharedKeyPools,
} from '../support/fleet.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

/**
 * A quarantine needs its evidence, fleet-wide: three containers (each its own `createDataLayer`,
 * DynamoDB client and skewed clock, default configuration, one shared key pool) ask for quotes of new
 * symbols one after another in a random order, so each asks Alpha Vantage (the first quote provider)
 * with its one key; before each request the sandbox is told whether it rejects that key. The key must
 * be quarantined iff `KEY_QUARANTINE_THRESHOLD` invalid answers came in a row (fleet-wide, within the
 * window; a success between them clears the count), and exactly once; a quarantined key is not called.
 *
 * Requests are at least the key states' cache period (1 s) apart: a container learns of another's
 * invalid answers from its snapshot of the key states, at most that old, and only clears a run it has
 * seen (`KeyQuarantineKeeper.accepted`). At most 5 s apart, so every run stays within the hour's window.
 * Alpha Vantage on its paid plan, as `ALPHA_VANTAGE_PLAN=paid` sets it: the runs make more calls with
 * the key than a free plan's 5 a minute and 25 a day, and then its budget, not the provider's verdicts,
 * would decide which requests reach it.
 */
const PROVIDER = 'alpha-vantage';
const AV_KEY = `${SANDBOX_KEY_PREFIX}${PROVIDER}`;
const FLEET_SIZE = 3;
const THRESHOLD = DEFAULT_KEY_QUARANTINE.threshold;
const { world, secretsManager, dynamodb, startFleet } = fleetWorld();
let stdout: ReturnType<typeof captureStdout>;
beforeEach(() => {
  stdout = captureStdout();
  return () => stdout.restore();
});

interface Step {
  container: number;
  /** Whether the provider rejects the key on this request. */
  rejects: boolean;
  gapMs: number;
}

const steps = fc.array(
  fc.record({
    container: fc.nat(FLEET_SIZE - 1),
    // Rejections are the likelier answer, so runs of three come often enough to be tried.
    rejects: fc.integer({ min: 0, max: 9 }).map((n) => n < 7),
    gapMs: fc.integer({ min: 1_000, max: 5_000 }),
  }),
  { minLength: 3, maxLength: 9 },
);

/** What the rules say a sequence of answers does: the calls made with the key, and when it is quarantined. */
function expected(schedule: Step[]) {
  let run = 0;
  let calls = 0;
  let quarantinedAt: number | undefined;
  schedule.forEach((step, index) => {
    if (quarantinedAt !== undefined) return;
    calls++;
    run = step.rejects ? run + 1 : 0;
    if (run >= THRESHOLD) quarantinedAt = index;
  });
  return { calls, quarantinedAt };
}

const callsWithKey = () => world.sandbox.stats().callsByKey[PROVIDER]?.[AV_KEY] ?? 0;
const quarantineMetrics = () =>
  emfMetrics(stdout.lines()).filter((m) => m.name === 'provider_key_quarantined_total').length;

let symbols = 0;
async function quote(container: FleetContainer) {
  return workDueBy(container.clock.now() + 19_000, () =>
    container.layer.service.getQuote(`KEYQ${symbols++}`),
  );
}

/** Runs the schedule on a fresh fleet and checks it against the rules; whether the key ended quarantined. */
async function checkQuarantineEvidence(skews: number[], schedule: Step[]): Promise<boolean> {
  world.sandbox.setKnobs({ [PROVIDER]: { plan: 'paid', invalidKeys: [] } });
  const env = await sharedKeyPools(secretsManager, { ALPHA_VANTAGE_PLAN: 'paid' });
  const fleet = await startFleet(skews, env);
  const callsBefore = callsWithKey();
  const quarantinesBefore = quarantineMetrics();
  const rules = expected(schedule);
  for (const [index, step] of schedule.entries()) {
    world.clock.advance(step.gapMs);
    world.sandbox.setKnobs({ [PROVIDER]: { invalidKeys: step.rejects ? [AV_KEY] : [] } });
    const container = fleet[step.container];
    if (!container) throw new Error(`no container ${step.container}`);
    const answer = await quote(container);
    const [first] = answer.meta.attempts;
    const quarantined = rules.quarantinedAt !== undefined && index > rules.quarantinedAt;
    if (quarantined) expect(first).toMatchObject({ provider: PROVIDER, outcome: 'no_key', calls: 0 });
    else expect(first).toMatchObject({ provider: PROVIDER, outcome: step.rejects ? 'invalid_key' : 'ok' });
  }
  const [observer] = fleet;
  const state = (await observer?.layer.keyStates.read(PROVIDER))?.get('primary');
  expect(state?.quarantinedAt !== undefined).toBe(rules.quarantinedAt !== undefined);
  expect(quarantineMetrics() - quarantinesBefore).toBe(rules.quarantinedAt === undefined ? 0 : 1);
  expect(callsWithKey() - callsBefore).toBe(rules.calls);
  return rules.quarantinedAt !== undefined;
}

describe('a key quarantine across a fleet (random interleavings of invalid-key answers and successes, skewed clocks)', () => {
  it(`quarantines the key iff ${THRESHOLD} invalid answers come with no success between them, exactly once, and then stops calling it`, async () => {
    // Whether each run ended quarantined: the runs must have tried both outcomes.
    const outcomes = new Set<boolean>();
    await fc.assert(
      fc.asyncProperty(clockSkews(FLEET_SIZE), steps, async (skews, schedule) => {
        outcomes.add(await checkQuarantineEvidence(skews, schedule));
      }),
      { numRuns: 12 },
    );
    expect(outcomes).toEqual(new Set([true, false]));
  }, 60_000);

  it('counts each answer once when DynamoDB applies a share of the key-state writes and loses their replies', async () => {
    const outcomes = new Set<boolean>();
    await fc.assert(
      fc.asyncProperty(clockSkews(FLEET_SIZE), steps, lostReplySeeds(), async (skews, schedule, seed) => {
        dynamodb.proxy.setKnobs({
          dropAfterApplyShare: LOST_REPLY_SHARE,
          dropAfterApplyOperations: ['UpdateItem'],
          seed,
        });
        outcomes.add(await checkQuarantineEvidence(skews, schedule));
      }),
      { numRuns: 8 },
    );
    expect(outcomes).toEqual(new Set([true, false]));
    expect(dynamodb.proxy.stats().dropped).toBeGreaterThan(0);
  }, 60_000);
});
