import { describe, expect, it } from 'vitest';
import { alphaVantage } from '../../../infra/local/sandbox/alpha-vantage.js';
import { corporateActionsFor, findSymbolWithSplit } from '../../../infra/local/sandbox/corporate-actions.js';
import { finnhub } from '../../../infra/local/sandbox/finnhub.js';
import { fmp } from '../../../infra/local/sandbox/fmp.js';
import { HISTORY_DAYS } from '../../../infra/local/sandbox/listed-actions.js';
import { polygon } from '../../../infra/local/sandbox/polygon.js';
import { MarketView } from '../../../infra/local/sandbox/price-bases.js';
import { type ProviderModule, serializeBody } from '../../../infra/local/sandbox/provider.js';
import { twelveData } from '../../../infra/local/sandbox/twelve-data.js';
import type { CorporateActions, CorporateActionsQuery } from '../../../lib/model/corporate-actions.js';
import type { ProviderId } from '../../../lib/model/provider-ids.js';
import type { ProviderResult } from '../../../lib/providers/provider.js';
import { ENDPOINTS } from '../../../lib/providers/registry.js';

/** A fixed sandbox clock: the sandbox's actions are a function of it, so the test holds on any date. */
const NOW = new Date('2026-06-15T18:00:00Z');
const MODULES: Readonly<Record<ProviderId, ProviderModule>> = {
  'alpha-vantage': alphaVantage,
  fmp,
  finnhub,
  'twelve-data': twelveData,
  polygon,
};

/** One call through a provider's corporate-actions adapter against its sandbox module, answered in process. */
function viaSandbox(provider: ProviderId, query: CorporateActionsQuery): ProviderResult<CorporateActions> {
  const endpoint = ENDPOINTS.corporate_actions[provider];
  if (endpoint === undefined) throw new Error(`${provider} has no corporate-actions endpoint`);
  const { url, headers } = endpoint.buildRequest(query, {
    baseUrl: `http://sandbox.local/${provider}`,
    apiKey: 'sandbox-key',
  });
  const answer = MODULES[provider].handle(
    { path: url.pathname.replace(`/${provider}`, ''), query: url.searchParams, headers: { ...headers } },
    // The paid plan: every provider's endpoints answer (free refusals are the market-sandbox tests').
    { now: NOW, isKnown: (symbol) => !symbol.startsWith('ZZZ'), plan: 'paid', market: new MarketView(NOW) },
  );
  const body: unknown = answer.kind === 'json' ? JSON.parse(serializeBody(answer)) : serializeBody(answer);
  const problem = endpoint.classify({ status: answer.status, headers: new Headers(), body }, NOW);
  return problem ? { ok: false, failure: problem } : endpoint.transform(body, query);
}

const { symbol } = findSymbolWithSplit({ ratio: 10, within: { from: '2024-07-01', to: '2026-06-01' } });
/** What the sandbox's providers list: its actions from its history's depth before today up to today. */
const listedFrom = new Date(NOW.getTime() - HISTORY_DAYS * 86_400_000).toISOString().slice(0, 10);
const truth = corporateActionsFor(symbol, { from: listedFrom, to: '2026-06-15' }, NOW);

/**
 * How each provider answers a symbol it does not list: Alpha Vantage (`{}`) and Twelve Data (its "not
 * found" error) say so; the others' list endpoints answer an empty list, as for a symbol without actions.
 */
const UNLISTED: Readonly<Record<ProviderId, 'unknown' | 'no actions'>> = {
  'alpha-vantage': 'unknown',
  'twelve-data': 'unknown',
  fmp: 'no actions',
  finnhub: 'no actions',
  polygon: 'no actions',
};

describe.each(Object.keys(MODULES) as ProviderId[])(
  '%s corporate actions against the sandbox',
  (provider) => {
    it('reads the sandbox’s splits as its true splits', () => {
      const result = viaSandbox(provider, { symbol, kind: 'splits' });
      expect(result.ok && result.value.splits).toEqual(truth.splits);
    });

    it('reads the sandbox’s dividends as its true dividends (as declared, with their currency)', () => {
      const result = viaSandbox(provider, { symbol, kind: 'dividends' });
      expect(
        result.ok &&
          result.value.dividends.map(({ exDate, amount, currency }) => ({ exDate, amount, currency })),
      ).toEqual(truth.dividends.map(({ exDate, amount, currency }) => ({ exDate, amount, currency })));
    });

    it('answers a symbol it does not list by the provider’s convention', () => {
      for (const kind of ['splits', 'dividends'] as const) {
        const result = viaSandbox(provider, { symbol: 'ZZZNOSUCH', kind });
        if (UNLISTED[provider] === 'unknown') {
          expect(result, kind).toMatchObject({ ok: false, failure: { kind: 'unknown_symbol' } });
        } else {
          expect(result, kind).toEqual({
            ok: true,
            value: { symbol: 'ZZZNOSUCH', splits: [], dividends: [] },
          });
        }
      }
    });
  },
);
