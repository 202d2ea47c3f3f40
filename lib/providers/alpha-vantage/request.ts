import type { UpstreamRequest } from '../provider.js';

/** Alpha Vantage's one query endpoint: everything is `GET /query?function=...&apikey=...`. */
export function alphaVantageRequest(
  baseUrl: string,
  apiKey: string,
  params: Record<string, string>,
): UpstreamRequest {
  const url = new URL(`${baseUrl}/query`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.searchParams.set('apikey', apiKey);
  return { url };
}
