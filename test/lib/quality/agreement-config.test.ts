import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../../../lib/config.js';

const base = { DATA_TABLE_NAME: 'table' };

describe('the accuracy settings', () => {
  it('default to a 0.5 % (or one cent) tolerance and audits of 2 % of fills keeping a fifth of each window', () => {
    expect(loadConfig(base).accuracy).toEqual({
      tolerance: { relative: 0.005, absolute: 0.01 },
      audit: { share: 0.02, spare: 0.2, timeoutMs: 1500 },
    });
  });

  it('reads ACCURACY_TOLERANCE, ACCURACY_AUDIT_SHARE, ACCURACY_AUDIT_SPARE and ACCURACY_AUDIT_TIMEOUT_SECONDS', () => {
    const config = loadConfig({
      ...base,
      ACCURACY_TOLERANCE: '0.01',
      ACCURACY_AUDIT_SHARE: '0',
      ACCURACY_AUDIT_SPARE: '0.5',
      ACCURACY_AUDIT_TIMEOUT_SECONDS: '3',
    });
    expect(config.accuracy).toEqual({
      tolerance: { relative: 0.01, absolute: 0.01 },
      audit: { share: 0, spare: 0.5, timeoutMs: 3000 },
    });
  });

  it('refuses shares outside 0..1, naming the variable', () => {
    expect(() => loadConfig({ ...base, ACCURACY_AUDIT_SHARE: '2' })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ...base, ACCURACY_TOLERANCE: '-0.1' })).toThrow(/ACCURACY_TOLERANCE/);
  });
});
