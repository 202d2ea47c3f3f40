import { describe, expect, it } from 'vitest';
import { requestEndOf } from '../../../functions/shared/deadline.js';
import { ROUTE_FUNCTION_SIZE } from '../../../infra/function-settings.js';
import { lambdaContext } from '../../../infra/local/lambda-context.js';
import { toProxyEvent } from '../../../infra/local/proxy-event.js';
import { ROUTES } from '../../../lib/api/routes.js';
import { DEFAULT_PROVIDER_ORDER, loadConfig } from '../../../lib/config.js';
import {
  admit,
  type BreakerRecord,
  closedRecord,
  DEFAULT_BREAKER_OPTIONS,
  DEFAULT_SLOW_CALL_MS,
  isSlow,
  nextChanceInMs,
  openTimeoutMs,
  shouldTrip,
  tripReason,
} from '../../../lib/resilience/breaker-state.js';
import { ANSWER_MARGIN_MS } from '../../../lib/resilience/request-end.js';

const NOW = 1_800_000_000_000;
const options = DEFAULT_BREAKER_OPTIONS;
const record = (fields: Partial<BreakerRecord>): BreakerRecord => ({
  ...closedRecord('alpha-vantage'),
  ...fields,
});

describe('shouldTrip', () => {
  it('trips at the consecutive-failure threshold, not before', () => {
    expect(shouldTrip(record({ consecutiveFailures: 4, windowCalls: 4, windowFailures: 4 }), options)).toBe(
      false,
    );
    expect(shouldTrip(record({ consecutiveFailures: 5, windowCalls: 5, windowFailures: 5 }), options)).toBe(
      true,
    );
  });

  it('trips on the failure rate once the window holds the minimum calls', () => {
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 10, windowFailures: 5 }), options)).toBe(
      true,
    );
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 10, windowFailures: 4 }), options)).toBe(
      false,
    );
  });

  it('ignores a high failure rate over too few calls', () => {
    expect(shouldTrip(record({ consecutiveFailures: 1, windowCalls: 9, windowFailures: 9 }), options)).toBe(
      false,
    );
  });
});

describe('openTimeoutMs', () => {
  it('doubles with every re-open and stops at the cap', () => {
    const timeouts = [0, 1, 2, 3, 4, 5].map((openCount) => openTimeoutMs(openCount, options));
    expect(timeouts).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('stays at the cap when the power overflows', () => {
    expect(openTimeoutMs(5_000, options)).toBe(600_000);
  });
});

describe('slow calls', () => {
  it('counts a call as slow from the threshold on', () => {
    expect(isSlow(options.slowCallMs - 1, options)).toBe(false);
    expect(isSlow(options.slowCallMs, options)).toBe(true);
  });

  it('trips on the slow-call rate once the window holds the minimum calls, even with no failure', () => {
    const slow = { consecutiveFailures: 0, windowFailures: 0 };
    expect(shouldTrip(record({ ...slow, windowCalls: 10, windowSlowCalls: 5 }), options)).toBe(true);
    expect(shouldTrip(record({ ...slow, windowCalls: 10, windowSlowCalls: 4 }), options)).toBe(false);
    expect(shouldTrip(record({ ...slow, windowCalls: 9, windowSlowCalls: 9 }), options)).toBe(false);
  });

  it('names the threshold crossed, for the state-change log', () => {
    expect(tripReason(record({ consecutiveFailures: 5 }), options)).toBe('consecutive failures');
    expect(tripReason(record({ windowCalls: 10, windowFailures: 5 }), options)).toBe('failure rate');
    expect(tripReason(record({ windowCalls: 10, windowSlowCalls: 6 }), options)).toBe('slow-call rate');
    expect(tripReason(record({ windowCalls: 10, windowSlowCalls: 4 }), options)).toBeUndefined();
  });

  it('judges the slow-call rate apart from the failure rate', () => {
    // 3 slow + 3 failed of 10: neither rate reaches one half, though together they would.
    const mixed = record({ consecutiveFailures: 1, windowCalls: 10, windowFailures: 3, windowSlowCalls: 3 });
    expect(shouldTrip(mixed, options)).toBe(false);
    expect(shouldTrip(mixed, { ...options, slowCallRateThreshold: 0.3 })).toBe(true);
  });

  it('sets the default threshold below the smallest share of the deadline any provider gets', () => {
    // The deadline a route function computes at its start, from its real timeout and API Gateway's.
    const route = ROUTES.find((r) => r.id === 'GetStockQuote');
    if (!route) throw new Error('no quote route');
    const event = toProxyEvent({
      route,
      url: new URL('http://localhost/api/data/stock/IBM'),
      rawHeaders: [],
      pathParameters: { symbol: 'IBM' },
      body: '',
      apiKey: 'k',
    });
    const now = Date.now();
    const context = lambdaContext('quote', ROUTE_FUNCTION_SIZE.timeoutSeconds * 1000);
    const deadlineMs = requestEndOf(event, context, now) - ANSWER_MARGIN_MS - now;
    const longestChain = Math.max(...Object.values(DEFAULT_PROVIDER_ORDER).map((order) => order.length));
    const smallestShare = deadlineMs / longestChain;

    expect(longestChain).toBe(5);
    expect(smallestShare).toBeGreaterThan(3_700);
    expect(DEFAULT_SLOW_CALL_MS).toBeLessThan(smallestShare);
    // And below the provider timeout, which a share may not reach: else only timeouts would be slow.
    expect(DEFAULT_SLOW_CALL_MS).toBeLessThan(loadConfig({ DATA_TABLE_NAME: 't' }).providerTimeoutMs);
  });

  it('reads the threshold and the rate from the environment', () => {
    const config = loadConfig({
      DATA_TABLE_NAME: 't',
      CIRCUIT_BREAKER_SLOW_CALL_SECONDS: '2.5',
      CIRCUIT_BREAKER_SLOW_CALL_RATE: '0.8',
    });
    expect(config.breaker).toMatchObject({ slowCallMs: 2_500, slowCallRateThreshold: 0.8 });
    expect(loadConfig({ DATA_TABLE_NAME: 't' }).breaker).toMatchObject({
      slowCallMs: 3_000,
      slowCallRateThreshold: 0.5,
    });
    expect(() => loadConfig({ DATA_TABLE_NAME: 't', CIRCUIT_BREAKER_SLOW_CALL_RATE: '2' })).toThrow(
      /CIRCUIT_BREAKER_SLOW_CALL_RATE/,
    );
  });
});

describe('admit', () => {
  it('allows every call while closed', () => {
    expect(admit(closedRecord('fmp'), NOW, options)).toEqual({ kind: 'allow' });
  });

  it('rejects while open until the probe time, then offers the half-open race', () => {
    const open = record({ state: 'OPEN', openUntil: NOW + 10_000 });
    expect(admit(open, NOW, options)).toEqual({ kind: 'reject', state: 'OPEN', retryAfterMs: 10_000 });
    expect(admit(open, NOW + 10_000, options)).toEqual({ kind: 'try-half-open' });
  });

  it('never offers a probe on a forced-open breaker', () => {
    const forced = record({ state: 'OPEN', forcedOpen: true });
    expect(admit(forced, NOW + 10 * options.maxRecoveryTimeoutMs, options)).toMatchObject({ kind: 'reject' });
  });

  it('rejects while a probe holds the lease and offers the lease once it is free or expired', () => {
    const leased = record({ state: 'HALF_OPEN', probeOwner: 'p1', probeLeaseUntil: NOW + 5_000 });
    expect(admit(leased, NOW, options)).toEqual({ kind: 'reject', state: 'HALF_OPEN', retryAfterMs: 5_000 });
    expect(admit(leased, NOW + 5_000, options)).toEqual({ kind: 'try-probe-lease' });
    expect(admit(record({ state: 'HALF_OPEN' }), NOW, options)).toEqual({ kind: 'try-probe-lease' });
  });
});

describe('nextChanceInMs', () => {
  it('is the probe time when open, the lease end when half-open, and nothing otherwise', () => {
    expect(nextChanceInMs(record({ state: 'OPEN', openUntil: NOW + 3_000 }), NOW)).toBe(3_000);
    expect(nextChanceInMs(record({ state: 'HALF_OPEN', probeLeaseUntil: NOW + 2_000 }), NOW)).toBe(2_000);
    expect(nextChanceInMs(record({ state: 'OPEN', forcedOpen: true }), NOW)).toBeUndefined();
    expect(nextChanceInMs(closedRecord('fmp'), NOW)).toBeUndefined();
  });
});
