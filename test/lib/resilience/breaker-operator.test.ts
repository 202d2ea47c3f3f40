import { describe, expect, it } from 'vitest';
import { closedRecord } from '../../../lib/resilience/breaker-state.js';
import { FAULT, breakerContainer as setup } from './fake-breaker-store.js';

// The operator's side of the breakers, on the in-memory store (see fake-breaker-store.ts): overrides
// and descriptions, and what this container's decisions see of them. On DynamoDB Local:
// test/integration/breaker-overrides.test.ts and the overrides in test/integration/circuit-breaker.test.ts.

describe("an operator's override", () => {
  it('reset closes an open breaker and reports the transition with who did it', async () => {
    const { operator, store, stored, metrics, logger, now } = setup();
    stored({ state: 'OPEN', version: 3, openUntil: now() + 60_000, openCount: 2 });
    await operator.reset('fmp', 'ops@example.com');
    expect(store.current('fmp')).toMatchObject({
      state: 'CLOSED',
      version: 4,
      openCount: 0,
      lastOverride: { action: 'reset', actor: 'ops@example.com', at: now() },
    });
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'CLOSED');
    expect(logger.info).toHaveBeenCalledWith(
      'circuit breaker state changed',
      expect.objectContaining({ from: 'OPEN', to: 'CLOSED', reason: 'reset by ops@example.com' }),
    );
  });

  it('counts at once in this container: its decisions see the override without another read', async () => {
    const { breaker, operator, store, stored, now } = setup();
    stored({ state: 'OPEN', version: 1, openUntil: now() + 60_000, openCount: 1 });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    await operator.reset('fmp', 'ops');
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
    await operator.forceOpen('fmp', 'ops');
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(store.sent).toEqual(['readAll', 'read', 'override', 'read', 'override']);
  });

  it('reset of a closed breaker clears a suspect run here at once, though no state changes', async () => {
    const { breaker, operator, stored, now } = setup();
    const run = Array.from({ length: 5 }, (_, i) => now() - 100 + i);
    stored({ version: 2, runFailures: run, consecutiveFailures: run.length });
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'CLOSED' });
    await operator.reset('fmp', 'ops');
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: true });
  });

  it('reset of a closed breaker is recorded without a state change', async () => {
    const { operator, store, metrics, logger } = setup();
    await operator.reset('fmp', 'ops');
    expect(store.current('fmp').lastOverride).toMatchObject({ action: 'reset', actor: 'ops' });
    expect(metrics.breakerTransition).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith(
      'circuit breaker override recorded',
      expect.objectContaining({ action: 'reset', actor: 'ops', state: 'CLOSED' }),
    );
  });

  it('force-open retries on the record a concurrent writer left, and throws after five lost races', async () => {
    const { operator, store, metrics } = setup();
    store.script('override', { lose: { ...closedRecord('fmp'), version: 7 } });
    await operator.forceOpen('fmp', 'ops');
    expect(store.current('fmp')).toMatchObject({ state: 'OPEN', forcedOpen: true, version: 8 });
    expect(metrics.breakerTransition).toHaveBeenCalledWith('fmp', 'OPEN');

    for (let version = 9; version < 14; version++)
      store.script('override', { lose: { ...closedRecord('fmp'), version } });
    await expect(operator.reset('fmp', 'ops')).rejects.toThrow('reset lost 5 races');
    expect(store.sent.filter((call) => call === 'override')).toHaveLength(7);
  });

  it('throws a store fault to the operator', async () => {
    const { operator, store } = setup();
    store.script('read', { fault: FAULT });
    await expect(operator.forceOpen('fmp', 'ops')).rejects.toBe(FAULT);
  });
});

describe('describing the breakers', () => {
  it('reads afresh, names every breaker asked for, and refreshes the view decisions use', async () => {
    const { breaker, operator, store, stored, now } = setup();
    await breaker.acquire('fmp');
    stored({ state: 'OPEN', version: 1, openUntil: now() + 30_000, openCount: 1 });
    const statuses = await operator.describeAll(['fmp', 'finnhub']);
    expect(statuses.map((status) => [status.name, status.state])).toEqual([
      ['fmp', 'OPEN'],
      ['finnhub', 'CLOSED'],
    ]);
    expect(await breaker.acquire('fmp')).toMatchObject({ allowed: false, state: 'OPEN' });
    expect(store.sent).toEqual(['readAll', 'readAll']);
  });

  it('throws a store fault to the operator instead of describing closed breakers', async () => {
    const { operator, store } = setup();
    store.script('readAll', { fault: FAULT });
    await expect(operator.describeAll(['fmp'])).rejects.toBe(FAULT);
  });
});
