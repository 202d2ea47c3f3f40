import { describe, expect, it } from 'vitest';
import { effectiveLimits, withSpare } from '../../../lib/keys/provider-limits.js';

describe('key limits: a window without a limit', () => {
  it('is left out of the effective limits, not carried as undefined', () => {
    expect(effectiveLimits('fmp', undefined)).toStrictEqual({ perDay: 250 });
    expect(effectiveLimits('finnhub', undefined)).toStrictEqual({ perMinute: 60 });
  });

  it('stays out when a share is kept spare', () => {
    expect(withSpare({ perDay: 250 }, 0.2)).toStrictEqual({ perDay: 200 });
    expect(withSpare({ perMinute: 60 }, 0.2)).toStrictEqual({ perMinute: 48 });
  });
});
