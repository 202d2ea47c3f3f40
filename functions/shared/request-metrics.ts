import type { MiddlewareObj } from '@middy/core';
import type { DataLayerMetrics } from '../../lib/observability/metrics.js';

/**
 * Buffers the metrics of each invocation and writes them as one EMF document when it ends, answered
 * or failed. Register it before the error handler, so its `onError` runs after the error became an
 * answer. The container's first on-demand invocation also counts a `ColdStart`, written by Powertools
 * (provisioned-concurrency and SnapStart inits do not make a request wait).
 */
export function requestMetrics<Event, Result>(metrics: DataLayerMetrics): MiddlewareObj<Event, Result> {
  return {
    before: (request) => {
      metrics.startRequest();
      metrics.invocationStarted(request.context.functionName);
    },
    after: () => metrics.flush(),
    onError: () => metrics.flush(),
  };
}
