import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataResponse } from '../../functions/shared/responses.js';
import { type MarketSandbox, startMarketSandbox } from '../../infra/local/sandbox/server.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { buildDataLayer, FakeClock } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from '../support/local-services.js';
import { captureStdout } from '../support/stdout-capture.js';

const dynamodb = localDynamoDb();
const secretsManager = localSecretsManager();
const clock = new FakeClock();
let sandbox: MarketSandbox;
const stdout = captureStdout();

beforeAll(async () => {
  // One clock for the sandbox and the layer: freshness is counted on it, never on the wall clock.
  sandbox = await startMarketSandbox({ now: clock.date });
});
afterAll(async () => {
  stdout.restore();
  await sandbox.close();
});

const noHeaders = { headers: {}, multiValueHeaders: {} };
const askingWith = (etag: unknown) => ({ headers: { 'If-None-Match': String(etag) }, multiValueHeaders: {} });

describe('HTTP caching of data answers (fake clock shared with the sandbox)', () => {
  it('gives max-age the freshness the cache has left, the same ETag while the data is the same, and 304', async () => {
    const tableName = await freshDataTable(dynamodb, 'http-caching');
    const { service, config } = await buildDataLayer({ dynamodb, secretsManager, tableName, sandbox, clock });
    const freshSeconds = config.cachePolicy.quote.freshSeconds;
    const quote = () => workDueBy(clock.now() + 19_000, () => service.getQuote('IBM'));

    const miss = dataResponse(noHeaders, await quote());
    expect(miss.statusCode).toBe(200);
    expect(miss.headers?.['cache-control']).toBe(`private, max-age=${freshSeconds}`);

    clock.advance(100_500);
    const hitAnswer = await quote();
    expect(hitAnswer.meta.cache).toBe('hit');
    const hit = dataResponse(noHeaders, hitAnswer);
    // 100.5 s gone: whole seconds left, rounded down so a client never keeps data past its freshness.
    expect(hit.headers?.['cache-control']).toBe(`private, max-age=${freshSeconds - 101}`);
    expect(hit.headers?.etag).toBe(miss.headers?.etag);

    const revalidated = dataResponse(askingWith(miss.headers?.etag), hitAnswer);
    expect(revalidated).toMatchObject({ statusCode: 304, body: '' });
    // A 304 has no content (RFC 9110 §15.4.5): no Content-Type either.
    expect(Object.keys(revalidated.headers ?? {}).map((name) => name.toLowerCase())).not.toContain(
      'content-type',
    );
    expect(revalidated.headers?.['cache-control']).toBe(`private, max-age=${freshSeconds - 101}`);

    // Past freshness with every provider down: the last good value, stale, which nothing may keep.
    clock.advance(freshSeconds * 1000);
    sandbox.setKnobs(Object.fromEntries(Object.keys(sandbox.baseUrls).map((p) => [p, { mode: 'down' }])));
    const staleAnswer = await quote();
    sandbox.resetKnobs();
    expect(staleAnswer.meta).toMatchObject({ stale: true, freshForSeconds: 0 });
    const stale = dataResponse(askingWith(miss.headers?.etag), staleAnswer);
    expect(stale).toMatchObject({ statusCode: 304, body: '' });
    expect(stale.headers?.['cache-control']).toBe('private, max-age=0');
  });
});
