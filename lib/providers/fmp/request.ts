import type { UpstreamRequest } from '../provider.js';

/**
 * A `GET` on one FMP path (`/stable/quote`) with its query parameters and the key as `apikey`.
 * `path` starts with `/`; a trailing `/` on `baseUrl` is dropped so configuration may carry one.
 */
export function fmpRequest(
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
