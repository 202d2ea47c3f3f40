import { describe, expect, it } from 'vitest';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { MISS_COST_HEADER, meterByKind, missCostRows, perRequest } from '../bench/miss-cost.js';
import { formatTable } from '../bench/stats.js';
import { buildDataLayer } from '../support/data-layer.js';
import { dynamoDbProxyForFile } from '../support/dynamodb-proxy.js';
import { freshDataTable, localSecretsManager } from '../support/local-services.js';
import { sandboxOnTestClock } from '../support/sandbox-on-clock.js';

/**
 * What a quote miss and a quote hit write and spend in DynamoDB request units, measured on DynamoDB
 * Local (which reports consumed capacity as DynamoDB does), through the default configuration. The
 * memory cache is off so a hit reads DynamoDB, as a cold container's does.
 */
const world = sandboxOnTestClock();
// The replica lags 1 s on the test's clock, so the hits, a few seconds later, read what the misses stored.
const file = dynamoDbProxyForFile({ now: () => world.clock.now(), knobs: { replicaLagMs: 1_000 } });
const MISSES = 8;

/** The value's own writes: the cache head and its parts. */
const VALUE_KINDS = new Set(['quote/cache']);

describe('a quote miss on DynamoDB Local', () => {
  it('spends at most 2 WRU of bookkeeping (key budget, fill lease claim) beside the value it stores', async () => {
    const dynamodb = file.dynamodb;
    const kinds = meterByKind(dynamodb);
    const layer = await buildDataLayer({
      dynamodb,
      secretsManager: localSecretsManager(),
      tableName: await freshDataTable(dynamodb, 'miss-cost'),
      sandbox: world.sandbox,
      clock: world.clock,
      env: { CACHE_MEMORY_MAX_ENTRIES: '0' },
    });
    // Warm: the key pools' and breakers' first reads are the container's, not a miss's.
    await workDueBy(world.clock.now() + 5_000, () => layer.service.getQuote('WARM'));
    const beforeMisses = structuredClone(kinds);
    for (let i = 0; i < MISSES; i++) {
      const answer = await workDueBy(world.clock.now() + 5_000, () => layer.service.getQuote(`MISS${i}`));
      expect(answer.meta.cache).toBe('miss');
    }
    const miss = perRequest(kinds, beforeMisses, MISSES);
    const bookkeeping = perRequest(kinds, beforeMisses, MISSES, (name) => !VALUE_KINDS.has(name));
    world.clock.advance(3_000);
    const beforeHits = structuredClone(kinds);
    for (let i = 0; i < MISSES; i++) {
      const answer = await workDueBy(world.clock.now() + 5_000, () => layer.service.getQuote(`MISS${i}`));
      expect(answer.meta.cache).toBe('hit');
    }
    const hit = perRequest(kinds, beforeHits, MISSES);
    console.info(
      formatTable(MISS_COST_HEADER, missCostRows('cache hit (DynamoDB, memory cache off)', hit, miss)),
    );

    expect(hit.writes).toBe(0);
    expect(bookkeeping.writeUnits).toBeLessThanOrEqual(2);
  });
});
