import { describe, expect, it } from 'vitest';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { buildDataLayer } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { sandboxOnTestClock, upstreamCalls } from '../support/sandbox-on-clock.js';

// DynamoDB throttles here as it does (its own ProvisionedThroughputExceededException, from this
// file's proxy); DynamoDB Local never throttles. The replica lag runs on the test's clock.
const onClock = sandboxOnTestClock();
const proxied = dynamoDbProxyForFile({ now: () => onClock.clock.now() });

const SYMBOLS = ['IBM', 'MSFT', 'AAPL'];

type Metadata = { $metadata?: { totalRetryDelay?: number } };

/** The SDK's own count of the time each call spent waiting between its attempts (ms), call by call. */
function retryWaits(client: {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}): number[] {
  const waits: number[] = [];
  const middleware = (next: (args: unknown) => Promise<{ output: Metadata }>) => async (args: unknown) => {
    try {
      const result = await next(args);
      waits.push(result.output.$metadata?.totalRetryDelay ?? 0);
      return result;
    } catch (error) {
      waits.push((error as Metadata).$metadata?.totalRetryDelay ?? 0);
      throw error;
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'retryWaits' });
  return waits;
}

describe('one container while DynamoDB throttles a fifth of its calls (the production wiring)', () => {
  it('serves cached keys from the cache, with no provider call and no back-off', async () => {
    const { sandbox, clock } = onClock;
    const tableName = await freshDataTable(proxied.dynamodb, 'throttling');
    const layer = await buildDataLayer({
      dynamodb: proxied.dynamodb,
      secretsManager: localSecretsManager(),
      tableName,
      sandbox,
      clock,
      env: {
        // Every request reads DynamoDB: the container's memory cache (default on) would answer the
        // repeats itself, and DynamoDB's throttling is what this test is about.
        CACHE_MEMORY_MAX_ENTRIES: '0',
        // The guard's budget bounds each DynamoDB call (all its attempts) at 1.5 s: a call that
        // waited longer would fail, miss the cache and call a provider, which the test counts.
        DEPENDENCY_CALL_TIMEOUT_SECONDS: '1.5',
      },
    });
    const quote = (symbol: string) => workDueBy(clock.now() + 19_000, () => layer.service.getQuote(symbol));

    for (const symbol of SYMBOLS) expect((await quote(symbol)).meta.cache).toBe('miss');
    const filled = upstreamCalls(sandbox);
    // Past the replica's lag: an eventually consistent read now sees the fills.
    clock.advance(1_100);

    proxied.proxy.setKnobs({ throttleShare: 0.2 });
    const waits = retryWaits(proxied.dynamodb);
    const answers = [];
    for (let round = 0; round < 30; round++)
      for (const symbol of SYMBOLS) answers.push((await quote(symbol)).meta.cache);

    expect(answers).toEqual(Array(90).fill('hit'));
    expect(upstreamCalls(sandbox)).toBe(filled);
    // DynamoDB did throttle, and the container never skipped it.
    expect(proxied.proxy.stats().throttled).toBeGreaterThanOrEqual(10);
    expect(layer.guards.dynamodb.status().state).toBe('healthy');
    // No call waited long between its attempts, by the SDK's own count: at most 550 ms by design,
    // well inside a 1 s budget. (The SDK's default waits up to 1 s before the first retry of a
    // throttled call, and up to 2 s before the second.)
    expect(waits.length).toBeGreaterThanOrEqual(90);
    expect(Math.max(...waits)).toBeLessThan(600);
  }, 60_000);
});
