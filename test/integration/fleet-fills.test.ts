import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { ProvidersUnavailableError } from '../../lib/errors.js';
import type { Quote } from '../../lib/model/quote.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { DEFAULT_RETRY } from '../../lib/resilience/retry.js';
import type { DataAnswer } from '../../lib/services/market-data-service.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import {
  clockSkews,
  type FleetContainer,
  LOST_REPLY_SHARE,
  lostReplySeeds,
  settleFleet,
  sharedKeyPools,
  startFleet,
} from '../support/fleet.js';
import { localSecretsManager } from '../support/local-services.js';
import { ManualClock } from '../support/manual-clock.js';
import { everyProvider } from '../support/sandbox-on-clock.js';
import { captureStdout } from '../support/stdout-capture.js';

/**
 * One provider call per key per fill, fleet-wide: three containers (each its own `createDataLayer`,
 * DynamoDB client and skewed clock, default configuration, one shared key pool) get concurrent misses
 * of the same quote, started in a random interleaving, key after key. DynamoDB is this file's proxy,
 * its replica 1 s behind on the shared clock, so an eventually consistent read never shows a fill made
 * during the burst. The shared clock is a `ManualClock`, moved only while every container still working
 * is parked in a sleep (`settleFleet`): a waiter's polls never race the clock past the leader's lease
 * while the leader's real HTTP call is in flight.
 */
const FLEET_SIZE = 3;
const FIRST_QUOTE_PROVIDER = 'alpha-vantage';
/** Issue 14's bound on answering every request of a burst, lost replies included. */
const ANSWERED_WITHIN_MS = 3_000;
/**
 * What the leader may add to it when the first provider is down: its retries' backoffs there before it
 * moves on (full jitter under base × 2^n, the default retry's), which every waiter waits out with it.
 */
const RETRY_BACKOFFS_MS = Array.from(
  { length: DEFAULT_RETRY.maxAttempts - 1 },
  (_, n) => DEFAULT_RETRY.baseDelayMs * 2 ** n,
).reduce((sum, ms) => sum + ms, 0);
let clock = new ManualClock();
const dynamodb = dynamoDbProxyForFile({ now: () => clock.now(), knobs: { replicaLagMs: 1_000 } });
const secretsManager = localSecretsManager();
let sandbox: MarketSandbox;

beforeAll(async () => {
  sandbox = await startMarketSandbox({ now: () => clock.date() });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  clock = new ManualClock();
  sandbox.resetKnobs();
  sandbox.resetStats();
  // The layers' metrics go to stdout; nothing here reads them.
  const stdout = captureStdout();
  return () => stdout.restore();
});

/** One key's burst: each container's concurrent requests, each started a few real ms into the burst. */
interface Burst {
  /** Whether Alpha Vantage, the first quote provider, is down for this key's fill. */
  firstProviderDown: boolean;
  starts: { container: number; startMs: number }[];
}

const bursts = fc.array(
  fc.record({
    firstProviderDown: fc.boolean(),
    starts: fc.array(
      fc.record({ container: fc.nat(FLEET_SIZE - 1), startMs: fc.integer({ min: 0, max: 3 }) }),
      {
        minLength: 2,
        maxLength: 8,
      },
    ),
  }),
  { minLength: 1, maxLength: 3 },
);

const callsTo = () => ({ ...sandbox.stats().calls });
const sum = (calls: Record<string, number>, except?: string) =>
  Object.entries(calls).reduce((total, [provider, n]) => total + (provider === except ? 0 : (n ?? 0)), 0);

let symbols = 0;

/** Runs one burst for a new symbol and settles it; every request's result, in container order. */
async function burst(fleet: FleetContainer[], { starts }: Pick<Burst, 'starts'>) {
  const symbol = `FLEETFILL${symbols++}`;
  const byContainer: Promise<DataAnswer<Quote>>[][] = fleet.map(() => []);
  for (const { container, startMs } of starts) {
    const member = fleet[container];
    if (!member) throw new Error(`no container ${container}`);
    byContainer[container]?.push(
      delay(startMs).then(() =>
        workDueBy(member.clock.now() + 25_000, () => member.layer.service.getQuote(symbol)),
      ),
    );
  }
  return settleFleet(clock, byContainer);
}

async function fleetOf(skews: number[], env: Record<string, string> = {}) {
  return startFleet({
    skewsMs: skews,
    dynamodbEndpoint: dynamodb.proxy.endpoint,
    secretsManager,
    sandbox,
    clock,
    env: await sharedKeyPools(secretsManager, env),
  });
}

async function checkOneCallPerFill(skews: number[], plan: Burst[]) {
  const fleet = await fleetOf(skews);
  for (const key of plan) {
    sandbox.setKnobs({ [FIRST_QUOTE_PROVIDER]: { mode: key.firstProviderDown ? 'down' : 'healthy' } });
    const before = callsTo();
    const startedAt = clock.now();
    const results = (await burst(fleet, key)).flat();
    // On the shared test clock (it moves only while every request sleeps): no request waited out a
    // lease, not even one it holds itself after its claim's reply was lost.
    const bound = ANSWERED_WITHIN_MS + (key.firstProviderDown ? RETRY_BACKOFFS_MS : 0);
    expect(clock.now() - startedAt).toBeLessThanOrEqual(bound);
    const after = callsTo();
    const delta = Object.fromEntries(Object.entries(after).map(([id, n]) => [id, n - (before[id] ?? 0)]));
    // Every request is answered, all with the one quote the fill fetched.
    const answers = results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    expect(answers.map((answer) => answer.meta.stale)).toEqual(Array(key.starts.length).fill(false));
    expect(new Set(answers.map((answer) => answer.data.price)).size).toBe(1);
    if (key.firstProviderDown) {
      // The leader's own attempts at the provider that is down (none once its breaker is open), then
      // one call to the next provider, which answers.
      expect(delta[FIRST_QUOTE_PROVIDER] ?? 0).toBeLessThanOrEqual(DEFAULT_RETRY.maxAttempts);
      expect(sum(delta, FIRST_QUOTE_PROVIDER)).toBe(1);
    } else {
      expect(sum(delta)).toBe(1);
    }
  }
}

describe('concurrent misses of one key across a fleet (random interleavings, skewed clocks, a lagging replica)', () => {
  it('make one provider call per key per fill, and every request is answered within 3 s (plus the leader’s retry backoffs at a provider that is down) with that quote', async () => {
    await fc.assert(fc.asyncProperty(clockSkews(FLEET_SIZE), bursts, checkOneCallPerFill), { numRuns: 6 });
  }, 60_000);

  it('make one provider call per key per fill, answered within the same bound, when DynamoDB applies a share of the writes and loses their replies', async () => {
    await fc.assert(
      fc.asyncProperty(clockSkews(FLEET_SIZE), bursts, lostReplySeeds(), async (skews, plan, seed) => {
        dynamodb.proxy.setKnobs({ dropAfterApplyShare: LOST_REPLY_SHARE, seed });
        await checkOneCallPerFill(skews, plan);
      }),
      { numRuns: 6 },
    );
    expect(dynamodb.proxy.stats().dropped).toBeGreaterThan(0);
  }, 60_000);

  it('make one call per provider per fill when the leader fails: its container answers 503, one waiter takes over and fills', async () => {
    // Each provider fails its first call and answers its second (the sandbox's `flapping`, restarted
    // per key), so the first fill fails at all five quote providers and a takeover succeeds at the
    // first. One attempt per provider call (`RETRY_MAX_ATTEMPTS=1`): a retry would turn the leader's
    // failure into its own success.
    const starts = fc.array(
      fc.record({ container: fc.nat(FLEET_SIZE - 1), startMs: fc.integer({ min: 0, max: 3 }) }),
      { minLength: 2, maxLength: 8 },
    );
    let takenOver = 0;
    await fc.assert(
      fc.asyncProperty(clockSkews(FLEET_SIZE), starts, async (skews, requests) => {
        const fleet = await fleetOf(skews, { RETRY_MAX_ATTEMPTS: '1' });
        sandbox.setKnobs(everyProvider({ mode: 'flapping', flapEvery: 1 }));
        const before = callsTo();
        const byContainer = await burst(fleet, { starts: requests });
        const delta = Object.fromEntries(
          Object.entries(callsTo()).map(([id, n]) => [id, n - (before[id] ?? 0)]),
        );
        const failedIn = byContainer.flatMap((results, container) =>
          results.some((result) => result.status === 'rejected') ? [container] : [],
        );
        const rejected = byContainer
          .flat()
          .flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
        const answers = byContainer
          .flat()
          .flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        // The failed fill is one container's: its requests share it and answer 503.
        expect(failedIn).toHaveLength(1);
        expect(rejected.every((reason) => reason instanceof ProvidersUnavailableError)).toBe(true);
        expect(new Set(answers.map((answer) => answer.data.price)).size).toBeLessThanOrEqual(1);
        // One call per quote provider for the failed fill, and one more for the fill that succeeded.
        const filled = answers.length > 0 ? 1 : 0;
        takenOver += filled;
        expect(delta).toEqual({
          'alpha-vantage': 1 + filled,
          fmp: 1,
          finnhub: 1,
          'twelve-data': 1,
          polygon: 1,
        });
      }),
      { numRuns: 6 },
    );
    // The runs had waiters in other containers, which took over.
    expect(takenOver).toBeGreaterThan(0);
  }, 60_000);
});
