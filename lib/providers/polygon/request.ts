import { providerUrl } from '../normalize.js';
import type { UpstreamRequest } from '../provider.js';
import { toPolygonTicker } from './symbols.js';

/**
 * A `GET` on one Polygon (Massive, `https://api.massive.com`) path with its query parameters. The
 * key goes in an `Authorization: Bearer` header, which Polygon accepts like `apiKey=`, so it stays out
 * of any URL that gets logged. A trailing `/` on `baseUrl` is dropped so configuration may carry one.
 */
export function polygonRequest(
  baseUrl: string,
  apiKey: string,
  path: string,
  params: Record<string, string> = {},
): UpstreamRequest {
  return { url: providerUrl(baseUrl, path, params), headers: { Authorization: `Bearer ${apiKey}` } };
}

/** A client's symbol as one path segment (`BRK.B` stays readable; anything odd is escaped). */
export function tickerSegment(symbol: string): string {
  return encodeURIComponent(toPolygonTicker(symbol));
}
