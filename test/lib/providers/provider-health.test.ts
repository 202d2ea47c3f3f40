import { describe, expect, it } from 'vitest';
import { breakerVerdict, isRetryable } from '../../../lib/providers/provider-health.js';

describe('breakerVerdict', () => {
  it('counts a success, and answers that show the provider up, as successes', () => {
    expect(breakerVerdict(undefined)).toBe('success');
    for (const kind of ['unknown_symbol', 'invalid_key', 'plan_restricted', 'quota_exhausted'] as const) {
      expect(breakerVerdict({ kind, detail: '' }), kind).toBe('success');
    }
  });

  it('counts network errors, timeouts, 5xx, throttling and malformed data as failures', () => {
    for (const kind of ['network', 'timeout', 'upstream_error', 'throttled', 'bad_data'] as const) {
      expect(breakerVerdict({ kind, detail: '' }), kind).toBe('failure');
    }
  });

  it('counts a record under the quality floor as a success: the provider answered', () => {
    expect(breakerVerdict({ kind: 'bad_data', detail: 'quality 0.40 under the floor', health: 'up' })).toBe(
      'success',
    );
  });

  it('counts every timeout as a failure, whatever shortened the attempt', () => {
    expect(breakerVerdict({ kind: 'timeout', detail: 'attempt timed out after 3800 ms' })).toBe('failure');
  });

  it('tells the breaker nothing of a call never made', () => {
    expect(breakerVerdict({ kind: 'no_key', detail: '' })).toBe('none');
  });
});

describe('isRetryable', () => {
  it.each([
    ['network', true],
    ['timeout', true],
    ['upstream_error', true],
    ['throttled', true],
    ['invalid_key', false],
    ['plan_restricted', false],
    ['unknown_symbol', false],
    ['bad_data', false],
    ['quota_exhausted', false],
    ['no_key', false],
  ] as const)('says %s is retryable: %s', (kind, expected) => {
    expect(isRetryable({ kind, detail: 'x' })).toBe(expected);
  });
});
