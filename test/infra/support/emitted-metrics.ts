import { Metrics } from '@aws-lambda-powertools/metrics';
import { FUNCTION_ENVIRONMENT } from '../../../infra/function-settings.js';
import { DATA_TYPES } from '../../../lib/model/data-types.js';
import { PROVIDER_IDS } from '../../../lib/model/provider-ids.js';
import { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import { captureStdout, emfMetrics } from '../../support/stdout-capture.js';

type Emit = DataLayerMetrics;

/** One metric as the code writes it: its name and its dimensions with their values. */
export interface EmittedMetric {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

// Every value of the small closed sets the dashboard and alarms name, typed by the methods that
// take them, so a value the code no longer accepts fails to compile.
const FRESHNESS: Parameters<Emit['cacheLookup']>[1][] = ['hit', 'miss', 'stale'];
const CACHE_OPERATIONS: Parameters<Emit['cacheError']>[1][] = ['read', 'write'];
const STATES: Parameters<Emit['breakerTransition']>[1][] = ['CLOSED', 'OPEN', 'HALF_OPEN'];
const KEY_OUTCOMES: Parameters<Emit['keyUsage']>[1][] = ['leased', 'leased_fallback', 'none_usable'];
const PARK_REASONS: Parameters<Emit['keyParked']>[1][] = ['throttled', 'quota_exhausted'];

/**
 * Runs every recording method of `DataLayerMetrics` over every provider, data type and closed value,
 * through the real Powertools Metrics, and reads back the EMF lines: the metrics CloudWatch will
 * hold, with the exact dimension sets (Powertools' `service` included) and namespace.
 */
export function emittedMetrics(): { namespace: string[]; metrics: EmittedMetric[] } {
  const capture = captureStdout();
  try {
    const metrics = new DataLayerMetrics(
      new Metrics({
        namespace: FUNCTION_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE,
        serviceName: FUNCTION_ENVIRONMENT.POWERTOOLS_SERVICE_NAME,
      }),
    );
    for (const provider of PROVIDER_IDS) {
      for (const dataType of DATA_TYPES) {
        metrics.providerCall({ provider, dataType, status: 'ok', seconds: 0.2 });
        metrics.validationFailure(provider, dataType);
      }
      for (const state of STATES) metrics.breakerTransition(provider, state);
      metrics.breakerStoreError(provider);
      for (const outcome of KEY_OUTCOMES) metrics.keyUsage(provider, outcome);
      for (const reason of PARK_REASONS) metrics.keyParked(provider, reason);
      metrics.keyQuarantined(provider);
      metrics.rotationCompleted(provider);
      metrics.rotationFailed(provider, 'no_spare_keys');
    }
    for (const dataType of DATA_TYPES) {
      for (const outcome of FRESHNESS) metrics.cacheLookup(dataType, outcome);
      for (const operation of CACHE_OPERATIONS) metrics.cacheError(dataType, operation);
    }
  } finally {
    capture.restore();
  }
  const lines = capture.lines();
  const namespaces = lines.flatMap((line) =>
    line.includes('"_aws"')
      ? (JSON.parse(line)._aws.CloudWatchMetrics as { Namespace: string }[]).map((d) => d.Namespace)
      : [],
  );
  return {
    namespace: [...new Set(namespaces)],
    metrics: emfMetrics(lines).map(({ name, dimensions }) => ({
      name,
      dimensions: Object.fromEntries(Object.entries(dimensions).map(([key, value]) => [key, String(value)])),
    })),
  };
}
