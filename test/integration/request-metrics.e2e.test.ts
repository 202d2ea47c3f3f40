import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { LocalStack } from '../../infra/local/local-stack.js';
import type { ProviderId } from '../../lib/model/provider-ids.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { quoteInvoker } from '../bench/invoke.js';
import { cloudWatchView, emfDocumentsIn, extractMetrics } from '../support/cloudwatch-emf.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureOutput } from '../support/stdout-capture.js';

/**
 * The quote handler in this process, one invocation at a time, its output captured per invocation:
 * what one request writes to CloudWatch Logs. Each request's metric calls are also replayed through
 * a layer outside any request, which writes one document per metric as the layer did before, so the
 * metrics CloudWatch extracts from both can be compared.
 */
const run = randomUUID().slice(0, 8);
let stack: LocalStack;
let invoke: Awaited<ReturnType<typeof quoteInvoker>>;
const calls: { method: string; args: unknown[] }[] = [];

beforeAll(async () => {
  stack = await startContainerStack('metrics', {
    LOCAL_API_KEY: `metrics-client-${run}`,
    // Retries wait up to 50 ms, not a second: the test is about what a request writes, not backoff.
    RETRY_BASE_DELAY: '0.05',
  });
  invoke = await quoteInvoker(stack.clientApiKey);
  const { metrics } = await import('../../functions/shared/container.js');
  // Only outermost calls are replayed: a public method may call another (or the private emit).
  let depth = 0;
  const scoped = new Set(['constructor', 'startRequest', 'flush']);
  const target = metrics as unknown as Record<string, (...args: unknown[]) => void>;
  for (const method of Object.getOwnPropertyNames(DataLayerMetrics.prototype).filter((m) => !scoped.has(m))) {
    const original = target[method];
    target[method] = (...args: unknown[]) => {
      if (depth === 0) calls.push({ method, args });
      depth++;
      try {
        original?.apply(metrics, args);
      } finally {
        depth--;
      }
    };
  }
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  stack.sandbox.resetKnobs();
  // Each test starts with closed breakers and no parked key; the resets' own log lines kept quiet.
  const { breakerOperator, keyStates } = await import('../../functions/shared/container.js');
  const quiet = captureOutput();
  try {
    await Promise.all(
      Object.keys(stack.sandbox.baseUrls).map(async (name) => {
        await breakerOperator.reset(name, 'e2e-test');
        await keyStates.release(name as ProviderId, 'primary');
      }),
    );
  } finally {
    quiet.restore();
  }
});

/** One invocation: its answer, every line it wrote, its EMF documents, and the per-metric documents. */
async function serve(symbol: string) {
  const context = lambdaContext('valor-ivx-GetStockQuote', 20_000);
  calls.length = 0;
  // Both streams: Powertools' logger writes warnings and errors to stderr.
  const output = captureOutput();
  let result: Awaited<ReturnType<typeof invoke>>;
  try {
    result = await invoke(symbol, context);
  } finally {
    output.restore();
  }
  const lines = output.lines();
  return { result, context, lines, documents: emfDocumentsIn(lines), perMetric: replayPerMetric() };
}

function replayPerMetric() {
  const written: string[] = [];
  const service = process.env.POWERTOOLS_SERVICE_NAME;
  const old = new DataLayerMetrics(
    new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE, serviceName: service }),
    (lines) => written.push(lines),
  );
  for (const { method, args } of calls)
    (old as unknown as Record<string, (...a: unknown[]) => void>)[method]?.(...args);
  return emfDocumentsIn(written.join('').split('\n'));
}

const dimensionsOf = (documents: Record<string, unknown>[], name: string) =>
  extractMetrics(documents)
    .filter((m) => m.name === name)
    .map((m) => m.dimensions);

describe('what one quote request writes to the log', () => {
  it('is exactly one EMF document, and nothing else, for a cache hit', async () => {
    expect((await serve('IBM')).result.statusCode).toBe(200);
    const hit = await serve('IBM');
    expect(JSON.parse(hit.result.body).meta.cache).toBe('hit');
    expect(hit.lines).toHaveLength(1);
    expect(hit.documents).toHaveLength(1);
    expect(extractMetrics(hit.documents)).toEqual([
      {
        namespace: 'ValorIVX/DataLayer',
        name: 'cache_hits_total',
        unit: 'Count',
        dimensions: { service: 'valor-ivx-data', data_type: 'quote', freshness: 'fresh' },
        values: [1],
      },
    ]);
    expect(cloudWatchView(extractMetrics(hit.documents))).toEqual(
      cloudWatchView(extractMetrics(hit.perMetric)),
    );
  });

  it('falls back from one provider to the next in two documents, each metric under its own dimensions', async () => {
    stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
    const miss = await serve('MSFT');
    expect(JSON.parse(miss.result.body).meta.provider).toBe('fmp');

    // provider and status each hold two values in this request, so two documents, no more.
    expect(miss.documents).toHaveLength(2);
    expect(miss.perMetric.length).toBeGreaterThan(4);
    expect(cloudWatchView(extractMetrics(miss.documents))).toEqual(
      cloudWatchView(extractMetrics(miss.perMetric)),
    );
    expect(dimensionsOf(miss.documents, 'cache_misses_total')).toEqual([
      { service: 'valor-ivx-data', data_type: 'quote' },
    ]);
    expect(dimensionsOf(miss.documents, 'data_provider_requests_total')).toEqual([
      { service: 'valor-ivx-data', provider: 'alpha-vantage', data_type: 'quote', status: 'upstream_error' },
      { service: 'valor-ivx-data', provider: 'fmp', data_type: 'quote', status: 'ok' },
    ]);
    // Alpha Vantage's retries are one series: a summed count and one duration per attempt.
    const alphaVantage = miss.documents.find((d) => d.provider === 'alpha-vantage');
    expect(alphaVantage?.data_provider_requests_total).toBe(3);
    expect(alphaVantage?.data_provider_duration_seconds).toHaveLength(3);
  });

  it('writes the metrics of a failed request too, with the request id on each of its log lines', async () => {
    stack.sandbox.setKnobs(
      Object.fromEntries(Object.keys(stack.sandbox.baseUrls).map((provider) => [provider, { mode: 'down' }])),
    );
    const failed = await serve('NFLX');
    expect(failed.result.statusCode).toBe(503);
    expect(failed.documents.length).toBeGreaterThan(0);
    expect(cloudWatchView(extractMetrics(failed.documents))).toEqual(
      cloudWatchView(extractMetrics(failed.perMetric)),
    );
    const logLines = failed.lines.filter((line) => !line.includes('"_aws"'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines)
      expect(JSON.parse(line)).toMatchObject({ function_request_id: failed.context.awsRequestId });

    stack.sandbox.resetKnobs();
    const next = await serve('IBM');
    expect(extractMetrics(next.documents).map((m) => m.name)).toEqual(['cache_hits_total']);
  });
});
