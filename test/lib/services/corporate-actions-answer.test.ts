import { describe, expect, it } from 'vitest';
import type { CorporateActions } from '../../../lib/model/corporate-actions.js';
import { check, reportOf } from '../../../lib/quality/report.js';
import {
  corporateActionsKey,
  mergeCorporateActions,
} from '../../../lib/services/corporate-actions-answer.js';
import type { DataAnswer } from '../../../lib/services/market-data-service.js';

const SPLIT = { exDate: '2024-06-10', ratio: 10 };
const DIVIDEND = { exDate: '2024-09-12', amount: 0.01, currency: 'USD', payDate: '2024-10-03' };

function part(
  data: Partial<CorporateActions>,
  meta: Partial<DataAnswer<CorporateActions>['meta']> = {},
): DataAnswer<CorporateActions> {
  return {
    data: { symbol: 'NVDA', splits: [], dividends: [], ...data },
    meta: {
      provider: 'polygon',
      cache: 'hit',
      stale: false,
      fetchedAt: '2026-12-07T10:00:00.000Z',
      ageSeconds: 60,
      freshForSeconds: 86_340,
      attempts: [],
      quality: reportOf([check('ratio_plausible', 'warning', true)]),
      ...meta,
    },
  };
}

describe('mergeCorporateActions', () => {
  it('takes the splits from the splits part and the dividends from the dividends part', () => {
    // Each part's answer carries its own list; a stray list in the other part is not served.
    const splits = part({ splits: [SPLIT], dividends: [{ ...DIVIDEND, amount: 99 }] });
    const dividends = part({ splits: [{ exDate: '2001-01-02', ratio: 2 }], dividends: [DIVIDEND] });
    expect(mergeCorporateActions('NVDA', splits, dividends).data).toEqual({
      symbol: 'NVDA',
      splits: [SPLIT],
      dividends: [DIVIDEND],
    });
  });

  it('names each part’s provider, and the splits’ as the answer’s provider', () => {
    const merged = mergeCorporateActions(
      'NVDA',
      part({ splits: [SPLIT] }, { provider: 'polygon' }),
      part({ dividends: [DIVIDEND] }, { provider: 'fmp' }),
    );
    expect(merged.meta.provider).toBe('polygon');
    expect(merged.meta.providers).toEqual({ splits: 'polygon', dividends: 'fmp' });
  });

  it('is a hit only when both parts are, and stale when either is', () => {
    const hit = part({}, { cache: 'hit' });
    const miss = part({}, { cache: 'miss' });
    expect(mergeCorporateActions('NVDA', hit, hit).meta.cache).toBe('hit');
    expect(mergeCorporateActions('NVDA', hit, miss).meta.cache).toBe('miss');
    expect(mergeCorporateActions('NVDA', miss, hit).meta.cache).toBe('miss');
    const stale = part({}, { stale: true, freshForSeconds: 0 });
    expect(mergeCorporateActions('NVDA', hit, hit).meta.stale).toBe(false);
    expect(mergeCorporateActions('NVDA', hit, stale).meta.stale).toBe(true);
    expect(mergeCorporateActions('NVDA', stale, hit).meta.stale).toBe(true);
  });

  it('is as old as its older part and fresh only as long as both are', () => {
    const older = part({}, { fetchedAt: '2026-12-06T09:00:00.000Z', ageSeconds: 90_000, freshForSeconds: 0 });
    const newer = part(
      {},
      { fetchedAt: '2026-12-07T09:59:00.000Z', ageSeconds: 60, freshForSeconds: 86_340 },
    );
    for (const [splits, dividends] of [
      [older, newer],
      [newer, older],
    ] as const) {
      const { meta } = mergeCorporateActions('NVDA', splits, dividends);
      expect(meta.fetchedAt).toBe('2026-12-06T09:00:00.000Z');
      expect(meta.ageSeconds).toBe(90_000);
      expect(meta.freshForSeconds).toBe(0);
    }
  });

  it('lists the provider attempts of both parts, splits first', () => {
    const merged = mergeCorporateActions(
      'NVDA',
      part({}, { attempts: [{ provider: 'polygon', outcome: 'ok', ms: 12, calls: 1 }] }),
      part(
        {},
        {
          attempts: [
            { provider: 'polygon', outcome: 'plan_restricted', ms: 8, calls: 1 },
            { provider: 'fmp', outcome: 'ok', ms: 20, calls: 1 },
          ],
        },
      ),
    );
    expect(merged.meta.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual([
      'polygon:ok',
      'polygon:plan_restricted',
      'fmp:ok',
    ]);
  });

  it('scores both parts’ checks together', () => {
    const splitsQuality = reportOf([check('ratio_plausible', 'warning', false, { subject: '2024-06-10' })]);
    const dividendsQuality = reportOf([
      check('amount_plausible', 'warning', true),
      check('dates_ascending', 'error', true),
    ]);
    const { quality } = mergeCorporateActions(
      'NVDA',
      part({}, { quality: splitsQuality }),
      part({}, { quality: dividendsQuality }),
    ).meta;
    expect(quality?.checks.map((c) => c.id)).toEqual([
      'ratio_plausible',
      'amount_plausible',
      'dates_ascending',
    ]);
    // Weights warning 2 + warning 2 + error 3; the failed warning loses 2 of 7.
    expect(quality?.score).toBeCloseTo(5 / 7, 10);
  });

  it('has no quality report only when neither part has one', () => {
    const one = reportOf([check('amount_plausible', 'warning', true)]);
    expect(
      mergeCorporateActions('NVDA', part({}, { quality: null }), part({}, { quality: null })).meta.quality,
    ).toBe(null);
    expect(
      mergeCorporateActions('NVDA', part({}, { quality: null }), part({}, { quality: one })).meta.quality,
    ).toEqual(one);
  });
});

describe('corporateActionsKey', () => {
  it('keeps each part under its own key of the symbol', () => {
    expect(corporateActionsKey('BRK.B', 'splits')).toBe('BRK.B#splits');
    expect(corporateActionsKey('BRK.B', 'dividends')).toBe('BRK.B#dividends');
  });
});
