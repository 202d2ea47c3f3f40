import type { UpstreamRequest } from '../provider.js';

/**
 * A `GET` on one Twelve Data path (`/quote`, `/time_series`) with its query parameters and the key as
 * `apikey`, Twelve Data's documented way. A trailing `/` on `baseUrl` is dropped so configuration may
 * carry one.
 */
export function twelveDataRequest(
  baseUrl: string,
  apiKey: string,
  path: string,
  params: Record<string, string>,
): UpstreamRequest {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.searchParams.set('apikey', apiKey);
  return { url };
}
