import type { MiddlewareObj } from '@middy/core';
import type { DataLayerMetrics } from '../../lib/observability/metrics.js';

/**
 * Buffers the metrics of each invocation and writes them as one EMF document when it ends, answered
 * or failed. Register it before the error handler, so its `onError` runs after the error became an
 * answer. The container's first on-demand invocation also counts a `ColdStart` (Powertools' rule:
 * provisioned-concurrency and SnapStart inits do not make a request wait).
 */
export function requestMetrics<Event, Result>(metrics: DataLayerMetrics): MiddlewareObj<Event, Result> {
  let coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'on-demand';
  return {
    before: (request) => {
      metrics.startRequest();
      if (coldStart) {
        coldStart = false;
        metrics.coldStart(request.context.functionName);
      }
    },
    after: () => metrics.flush(),
    onError: () => metrics.flush(),
  };
}
