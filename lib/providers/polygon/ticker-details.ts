import * as z from 'zod/mini';
import { type CompanyProfile, CompanyProfileSchema } from '../../model/company-profile.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeCurrency, sanitizeSymbol, sanitizeText } from '../../validation/text.js';
import { checkedAgainst, optionalNumber, optionalText, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyPolygonAnswer } from './classify.js';
import { polygonRequest, tickerSegment } from './request.js';
import { toPolygonTicker } from './symbols.js';

/** The `results` of Polygon's `/v3/reference/tickers/{T}`: the fields this layer reads. */
const PolygonTickerSchema = z.object({
  ticker: z.string(),
  name: z.string(),
  /** `us` for US listings, `global` otherwise. */
  locale: optionalText,
  /** The primary exchange's MIC (`XNAS`). */
  primary_exchange: optionalText,
  /** Lower case (`usd`). */
  currency_name: optionalText,
  /** In full units of the currency. */
  market_cap: optionalNumber,
  description: optionalText,
  /** The SIC industry (`ELECTRONIC COMPUTERS`). */
  sic_description: optionalText,
  homepage_url: optionalText,
  total_employees: optionalNumber,
  list_date: optionalText,
});

type PolygonTicker = z.infer<typeof PolygonTickerSchema>;

const PolygonTickerAnswerSchema = z.object({ results: PolygonTickerSchema });

/**
 * Polygon's ticker overview, `/v3/reference/tickers/{T}` (free plan). A ticker Polygon does not list
 * gets 404 `NOT_FOUND`, which the classifier reads as an unknown symbol.
 */
export const polygonTickerDetails: ProviderEndpoint<{ symbol: string }, CompanyProfile> = {
  provider: 'polygon',
  dataType: 'company',
  plan: 'free',

  buildRequest: ({ symbol }, { baseUrl, apiKey }) =>
    polygonRequest(baseUrl, apiKey, `/v3/reference/tickers/${tickerSegment(symbol)}`),

  classify: classifyPolygonAnswer,

  transform(body, { symbol }) {
    const raw = validated(PolygonTickerAnswerSchema, body, 'Polygon ticker details are malformed');
    if (!raw.ok) return raw;
    return checkedAgainst(
      CompanyProfileSchema,
      profileOf(raw.value.results, symbol),
      'Polygon ticker details',
    );
  },
};

function profileOf(raw: PolygonTicker, symbol: string): Record<string, unknown> {
  const asked = sanitizeSymbol(symbol) ?? symbol;
  const answered = raw.ticker.trim().toUpperCase();
  const marketCap = toNumber(raw.market_cap);
  const employees = toNumber(raw.total_employees);
  return {
    symbol: answered === toPolygonTicker(asked) ? asked : (sanitizeSymbol(answered) ?? asked),
    name: sanitizeText(raw.name, 200),
    exchange: sanitizeText(raw.primary_exchange, 64),
    currency: sanitizeCurrency(raw.currency_name),
    // Polygon's locale is the only country it gives: `us` is the ISO code; `global` says nothing.
    country: raw.locale?.trim().toLowerCase() === 'us' ? 'US' : null,
    // Polygon classifies by SIC code, an industry; it has no sector.
    sector: null,
    industry: sanitizeText(raw.sic_description, 150),
    description: sanitizeText(raw.description, 5000),
    website: sanitizeText(raw.homepage_url, 300),
    marketCapitalization: marketCap === null || marketCap <= 0 ? null : marketCap,
    employees: employees === null || employees <= 0 ? null : employees,
    ipoDate: toIsoDate(raw.list_date),
  };
}
