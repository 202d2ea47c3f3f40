import type { DynamoDbProxyKnobsPatch } from '../../infra/local/dynamodb-proxy/knobs.js';
import { startDynamoDbProxy } from '../../infra/local/dynamodb-proxy.js';
import type { MarketSandbox } from '../../infra/local/sandbox/server.js';
import { workDueBy } from '../../lib/resilience/request-end.js';
import { benchContainer, benchSandbox, benchTable } from './bench-container.js';
import { quantile } from './stats.js';

const ROUNDS = 20;
const CONTAINERS = 4;
const REQUESTS_PER_CONTAINER = 5;

/** Data calls the sandbox received, every provider together. */
const upstreamCalls = (sandbox: MarketSandbox) =>
  Object.values(sandbox.stats().calls).reduce((sum, n) => sum + (n ?? 0), 0);

/**
 * Provider calls per cache fill, fleet-wide, when DynamoDB's replica lags 1 s (the proxy in front of
 * DynamoDB Local): each round, four containers get five concurrent requests each for one uncached quote.
 * The goal is 1.00: the waiters' re-reads after the fill are strongly consistent. Then the same with a
 * fifth of the writes applied and their replies lost (the SDK retries them, up to five attempts): still
 * one call per fill, and every request answered within the issue's 3 s (measured here, on the machine's
 * clock). A write whose five attempts all lose their reply (0.2^5, 1 in 3 125) leaves its container
 * backing off from DynamoDB: it then fetches without a lease, and a lease it held lapses (15 s).
 *
 * The default configuration (every provider, in the default quote order) on paid plans: on Alpha
 * Vantage's free plan (five calls a minute) its refusals would count against the fills rather than the
 * coordination.
 */
export async function measureFillLag(dynamodbLocalEndpoint: string, secretsManagerEndpoint: string) {
  const sandbox = await benchSandbox();
  const proxy = await startDynamoDbProxy({ target: dynamodbLocalEndpoint, knobs: { replicaLagMs: 1_000 } });
  try {
    const world = {
      dynamodbEndpoint: proxy.endpoint,
      secretsManagerEndpoint,
      tableName: await benchTable(proxy.endpoint, 'fill-lag'),
      sandbox,
    };
    const containers: Awaited<ReturnType<typeof benchContainer>>[] = [];
    for (let i = 0; i < CONTAINERS; i++) {
      containers.push(await benchContainer(world));
    }

    let fills = 0;
    const scenario = async (label: string, knobs: DynamoDbProxyKnobsPatch) => {
      proxy.setKnobs(knobs);
      proxy.resetStats();
      const callsBefore = upstreamCalls(sandbox);
      const ms: number[] = [];
      let failed = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const symbol = `LAG${++fills}`;
        await Promise.all(
          containers.flatMap((layer) =>
            Array.from({ length: REQUESTS_PER_CONTAINER }, async () => {
              const started = performance.now();
              await workDueBy(Date.now() + 25_000, () => layer.service.getQuote(symbol)).catch(() => {
                failed++;
              });
              ms.push(performance.now() - started);
            }),
          ),
        );
      }
      const { staleReads, dropped } = proxy.stats();
      return [
        label,
        ((upstreamCalls(sandbox) - callsBefore) / ROUNDS).toFixed(2),
        String(failed),
        quantile(ms, 0.5).toFixed(0),
        Math.max(...ms).toFixed(0),
        `${staleReads} stale reads, ${dropped} replies lost`,
      ];
    };
    return [
      await scenario('replica lag 1 s', { replicaLagMs: 1_000 }),
      await scenario('lag 1 s + a fifth of writes lose their reply', {
        replicaLagMs: 1_000,
        dropAfterApplyShare: 0.2,
        dropAfterApplyOperations: ['PutItem', 'UpdateItem'],
      }),
    ];
  } finally {
    await proxy.close();
    await sandbox.close();
  }
}
