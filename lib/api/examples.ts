import type { CorporateActions } from '../model/corporate-actions.js';
import { scoreCorporateActions } from '../quality/corporate-actions.js';
import type { DataAnswer } from '../services/market-data-service.js';

const NVDA_ACTIONS: CorporateActions = {
  symbol: 'NVDA',
  splits: [{ exDate: '2024-06-10', ratio: 10 }],
  dividends: [
    { exDate: '2024-03-05', amount: 0.04, currency: 'USD', payDate: '2024-03-27' },
    { exDate: '2024-06-11', amount: 0.01, currency: 'USD', payDate: '2024-06-28' },
  ],
};

/**
 * The corporate-actions answer the OpenAPI document shows (checked against its schema by the tests):
 * NVIDIA's 10-for-1 split of June 2024 with the dividends around it, the $0.04 before the split and
 * the $0.01 after it each as declared. The splits came from Polygon; its dividends call was throttled
 * twice, so they came from FMP.
 */
export const CORPORATE_ACTIONS_EXAMPLE: DataAnswer<CorporateActions> = {
  data: NVDA_ACTIONS,
  meta: {
    provider: 'polygon',
    providers: { splits: 'polygon', dividends: 'fmp' },
    cache: 'miss',
    stale: false,
    fetchedAt: '2026-12-07T14:30:00.000Z',
    ageSeconds: 0,
    freshForSeconds: 86400,
    attempts: [
      { provider: 'polygon', outcome: 'ok', ms: 41, calls: 1 },
      { provider: 'polygon', outcome: 'throttled', ms: 1210, calls: 2 },
      { provider: 'fmp', outcome: 'ok', ms: 58, calls: 1 },
    ],
    quality: scoreCorporateActions(NVDA_ACTIONS, { now: new Date('2026-12-07T14:30:00.000Z') }),
  },
};
