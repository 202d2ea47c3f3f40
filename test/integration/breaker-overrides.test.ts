import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { BreakerStore } from '../../lib/resilience/breaker-store.js';
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS } from '../../lib/resilience/circuit-breaker.js';
import { quietLogger } from '../support/data-layer.js';
import { freshDataTable, localDynamoDb } from '../support/local-services.js';
import { captureStdout, emfMetrics } from '../support/stdout-capture.js';

const client = localDynamoDb();

describe('operator overrides on DynamoDB Local', () => {
  it('emit a state-change metric only when the state really changes', async () => {
    const tableName = await freshDataTable(client, 'overrides');
    const breaker = new CircuitBreaker({
      store: new BreakerStore(client, tableName),
      metrics: new DataLayerMetrics(new Metrics({ namespace: 'Test', serviceName: 'valor-ivx-data' })),
      logger: quietLogger,
      now: () => Date.parse('2026-11-26T15:00:00Z'),
      options: DEFAULT_BREAKER_OPTIONS,
    });
    const output = captureStdout();
    try {
      await breaker.reset('fmp', 'ops'); // already CLOSED: recorded, no transition
      await breaker.forceOpen('fmp', 'ops'); // CLOSED → OPEN
      await breaker.forceOpen('fmp', 'ops'); // already OPEN: recorded, no transition
      await breaker.reset('fmp', 'ops'); // OPEN → CLOSED
    } finally {
      output.restore();
    }
    const changes = emfMetrics(output.lines())
      .filter((m) => m.name === 'circuit_breaker_state_changes_total')
      .map((m) => m.dimensions.state);
    expect(changes).toEqual(['OPEN', 'CLOSED']);
    const [status] = await breaker.describeAll(['fmp']);
    expect(status?.lastOverride).toMatchObject({ action: 'reset', actor: 'ops' });
  });
});
