import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { BreakerOperator } from '../../lib/resilience/breaker-operator.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { BreakerView } from '../../lib/resilience/breaker-view.js';
import { DEFAULT_BREAKER_OPTIONS } from '../../lib/resilience/circuit-breaker.js';
import { quietLogger } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const client = localDynamoDb();

describe('operator overrides on DynamoDB Local', () => {
  it('emit a state-change metric only when the state really changes', async () => {
    const tableName = await freshDataTable(client, 'overrides');
    const store = new BreakerStore(client, tableName);
    const breakers = new BreakerOperator({
      store,
      view: new BreakerView(store, DEFAULT_BREAKER_OPTIONS.stateCacheMs),
      metrics: new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' })),
      logger: quietLogger,
      now: () => Date.parse('2026-11-26T15:00:00Z'),
      options: DEFAULT_BREAKER_OPTIONS,
    });
    const output = captureStdout();
    try {
      await breakers.reset('fmp', 'ops'); // already CLOSED: recorded, no transition
      await breakers.forceOpen('fmp', 'ops'); // CLOSED → OPEN
      await breakers.forceOpen('fmp', 'ops'); // already OPEN: recorded, no transition
      await breakers.reset('fmp', 'ops'); // OPEN → CLOSED
    } finally {
      output.restore();
    }
    const changes = emfMetrics(output.lines())
      .filter((m) => m.name === 'circuit_breaker_state_changes_total')
      .map((m) => m.dimensions.state);
    expect(changes).toEqual(['OPEN', 'CLOSED']);
    const [status] = await breakers.describeAll(['fmp']);
    expect(status?.lastOverride).toMatchObject({ action: 'reset', actor: 'ops' });
  });
});
