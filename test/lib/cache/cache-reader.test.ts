import { describe, expect, it } from 'vitest';
import { CacheReader } from '../../../lib/cache/cache-reader.js';
import type { CacheLookup } from '../../../lib/cache/data-cache.js';
import type { DomainLogger } from '../../../lib/observability/logger.js';

// The cache as a request reads it: DynamoDB's answer when it gives one, and what the container
// remembers when it fails (a fault DynamoDB Local cannot produce on demand, thrown by the fake).

const REMEMBERED: CacheLookup<string> = { kind: 'not_found' };
const READ: CacheLookup<string> = { kind: 'none' };

function reader(fails: boolean) {
  const events: string[] = [];
  const lookups: unknown[] = [];
  const logger: DomainLogger = {
    debug: () => {},
    info: () => {},
    warn: (message, ...context) => void events.push(`warn ${message} ${JSON.stringify(context[0])}`),
    error: () => {},
  };
  const fault = () => Promise.reject(Object.assign(new Error('away'), { name: 'InternalServerError' }));
  const cacheReader = new CacheReader({
    cache: {
      lookup: async (_dataType, key, options) => {
        lookups.push({ key, options });
        return fails ? fault() : READ;
      },
      lookupMany: async (_dataType, keys) => (fails ? fault() : new Map(keys.map((key) => [key, READ]))),
      remembered: async () => REMEMBERED,
    } as ConstructorParameters<typeof CacheReader>[0]['cache'],
    metrics: {
      cacheError: (dataType, operation) => void events.push(`cache error ${dataType} ${operation}`),
    },
    logger,
  });
  return { cacheReader, events, lookups };
}

describe('CacheReader', () => {
  it("answers DynamoDB's read, passing a strongly consistent read on", async () => {
    const { cacheReader, events, lookups } = reader(false);
    expect(await cacheReader.read('quote', 'IBM', { consistent: true })).toEqual(READ);
    expect(lookups).toEqual([{ key: 'IBM', options: { consistent: true } }]);
    expect(events).toEqual([]);
  });

  it('answers what the container remembers when the read fails, counting and logging the fault', async () => {
    const { cacheReader, events } = reader(true);
    expect(await cacheReader.read('quote', 'IBM')).toEqual(REMEMBERED);
    expect(events).toEqual([
      'cache error quote read',
      'warn cache unavailable; going on without it {"dataType":"quote","operation":"read","error":"InternalServerError"}',
    ]);
  });

  it("answers a batch's keys from one read, or each from memory when that read fails", async () => {
    expect(await reader(false).cacheReader.readMany('quote', ['IBM', 'MSFT'])).toEqual(
      new Map([
        ['IBM', READ],
        ['MSFT', READ],
      ]),
    );
    const failing = reader(true);
    expect(await failing.cacheReader.readMany('quote', ['IBM', 'MSFT'])).toEqual(
      new Map([
        ['IBM', REMEMBERED],
        ['MSFT', REMEMBERED],
      ]),
    );
    expect(failing.events[0]).toBe('cache error quote read');
  });

  it('names a fault that is not an Error "unknown" in the log', async () => {
    const events: string[] = [];
    const cacheReader = new CacheReader({
      cache: {
        lookup: () => Promise.reject('a string'),
        remembered: async () => REMEMBERED,
      } as unknown as ConstructorParameters<typeof CacheReader>[0]['cache'],
      metrics: { cacheError: () => {} },
      logger: {
        debug: () => {},
        info: () => {},
        warn: (_message, ...context) => void events.push(JSON.stringify(context[0])),
        error: () => {},
      },
    });
    await cacheReader.read('quote', 'IBM');
    expect(events).toEqual(['{"dataType":"quote","operation":"read","error":"unknown"}']);
  });
});
