/** Every outside data provider the layer knows, by its stable id (used in metrics, logs, secrets and config). */
export const PROVIDER_IDS = ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'] as const;

/** One provider's stable id. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The prefix of a provider's environment variables: `ALPHA_VANTAGE_API_KEY`, `FMP_BASE_URL`, ... */
export const PROVIDER_ENV_PREFIX: Record<ProviderId, string> = {
  'alpha-vantage': 'ALPHA_VANTAGE',
  fmp: 'FMP',
  finnhub: 'FINNHUB',
  'twelve-data': 'TWELVE_DATA',
  polygon: 'POLYGON',
};
