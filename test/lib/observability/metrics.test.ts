import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { emfDocumentsIn, extractMetrics } from '../../support/cloudwatch-emf.js';

function recorder(metrics = new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' })) {
  const writes: string[] = [];
  const layer = new DataLayerMetrics(metrics, (lines) => writes.push(lines));
  const documents = () => emfDocumentsIn(writes.join('').split('\n'));
  return { layer, writes, documents };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('DataLayerMetrics', () => {
  it('writes each metric at once outside a request', () => {
    const { layer, documents } = recorder();
    layer.cacheLookup('quote', 'miss');
    layer.keyUsage('fmp', 'leased');
    expect(documents()).toHaveLength(2);
  });

  it('keeps a request’s metrics until it ends, then writes them in one write', () => {
    const { layer, writes, documents } = recorder();
    layer.startRequest();
    layer.cacheLookup('quote', 'miss');
    layer.keyUsage('fmp', 'leased');
    layer.providerCall({ provider: 'fmp', dataType: 'quote', status: 'ok', seconds: 0.1 });
    expect(writes).toEqual([]);
    layer.flush();
    expect(writes).toHaveLength(1);
    expect(documents()).toHaveLength(1);
    expect(extractMetrics(documents()).map((m) => m.name)).toEqual([
      'cache_misses_total',
      'provider_key_usage_total',
      'data_provider_requests_total',
      'data_provider_duration_seconds',
    ]);
  });

  it('writes nothing for a request without metrics, and a flush without a start changes nothing', () => {
    const { layer, writes, documents } = recorder();
    layer.startRequest();
    layer.flush();
    layer.flush();
    expect(writes).toEqual([]);
    layer.breakerTransition('fmp', 'OPEN');
    expect(documents()).toHaveLength(1);
  });

  it('writes every metric of overlapping requests exactly once', () => {
    const { layer, documents } = recorder();
    layer.startRequest();
    layer.cacheLookup('quote', 'hit');
    layer.startRequest();
    layer.cacheLookup('company', 'hit');
    layer.flush();
    layer.cacheLookup('quote', 'hit');
    layer.flush();
    const hits = extractMetrics(documents()).map((m) => [m.dimensions.data_type, m.values]);
    expect(hits).toEqual([
      ['quote', [1]],
      ['company', [1]],
      ['quote', [1]],
    ]);
  });

  it('has Powertools count a cold start by function name, on the first on-demand invocation only', () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const printed: string[] = [];
    // Powertools writes its cold-start document to stdout itself, beside the layer's own sink.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const { layer, documents } = recorder();
      for (let i = 0; i < 3; i++) {
        layer.startRequest();
        layer.invocationStarted('valor-ivx-GetStockQuote');
        layer.cacheLookup('quote', 'hit');
        layer.flush();
      }
      expect(
        extractMetrics(emfDocumentsIn(printed.join('').split('\n'))).map((m) => [m.name, m.dimensions]),
      ).toEqual([['ColdStart', { service: 'valor-ivx-data', function_name: 'valor-ivx-GetStockQuote' }]]);
      expect(documents()).toHaveLength(3);
    } finally {
      stdout.mockRestore();
    }
  });

  it('counts no cold start where the container was initialised ahead of requests (provisioned concurrency)', () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'provisioned-concurrency');
    const printed: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const { layer } = recorder();
      layer.invocationStarted('valor-ivx-GetStockQuote');
      expect(printed.join('')).not.toContain('ColdStart');
    } finally {
      stdout.mockRestore();
    }
  });

  it('takes namespace and service from Powertools, which reads them from its environment variables', () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'FromEnv/Namespace');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'from-env');
    const { layer, documents } = recorder(new Metrics());
    layer.keyQuarantined('polygon');
    expect(extractMetrics(documents())).toEqual([
      {
        namespace: 'FromEnv/Namespace',
        name: 'provider_key_quarantined_total',
        unit: 'Count',
        dimensions: { service: 'from-env', provider: 'polygon' },
        values: [1],
      },
    ]);
  });
});
