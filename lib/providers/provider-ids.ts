import { InvalidRequestError } from '../errors.js';

/** Every outside data provider the layer knows, by its stable id (used in metrics, logs, secrets and config). */
export const PROVIDER_IDS = ['alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The prefix of a provider's environment variables: `ALPHA_VANTAGE_API_KEY`, `FMP_BASE_URL`, ... */
export const PROVIDER_ENV_PREFIX: Record<ProviderId, string> = {
  'alpha-vantage': 'ALPHA_VANTAGE',
  fmp: 'FMP',
  finnhub: 'FINNHUB',
  'twelve-data': 'TWELVE_DATA',
  polygon: 'POLYGON',
};

/** A provider id from a client or operator, or `InvalidRequestError` naming the known ones. */
export function parseProviderId(raw: unknown): ProviderId {
  const id = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if ((PROVIDER_IDS as readonly string[]).includes(id)) return id as ProviderId;
  throw new InvalidRequestError('unknown provider', [`name must be one of: ${PROVIDER_IDS.join(', ')}`]);
}
