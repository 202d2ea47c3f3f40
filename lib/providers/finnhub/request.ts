import { providerUrl } from '../normalize.js';
import type { UpstreamRequest } from '../provider.js';

/**
 * A `GET` on one Finnhub path (`/api/v1/quote`) with its query parameters. The key travels in the
 * `X-Finnhub-Token` header rather than as `token=` in the URL, so that it stays out of any URL a proxy
 * or an error report might log. Symbols go as the clients write them: Finnhub uses the same dot form
 * for class shares (`BRK.B`) and exchange suffixes (`VOD.L`, `SHOP.TO`, `7203.T`), so it needs no
 * mapping. A trailing `/` on `baseUrl` is dropped so configuration may carry one.
 */
export function finnhubRequest(
  baseUrl: string,
  apiKey: string,
  path: string,
  params: Record<string, string>,
): UpstreamRequest {
  return { url: providerUrl(baseUrl, path, params), headers: { 'X-Finnhub-Token': apiKey } };
}
