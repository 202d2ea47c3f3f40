/** `BRK-B`: a root and a one-letter class share in the dash form some clients use. */
const DASHED_CLASS = /^([A-Z0-9]+)-([A-Z])$/;

/**
 * A client's symbol as a Polygon (Massive) ticker. Polygon lists US securities only and writes class
 * shares with a dot (`BRK.B`), the clients' form, so symbols pass unchanged; the dash form (`BRK-B`,
 * `MKC-V`) becomes the dot. A foreign listing (`VOD.L`) passes too and Polygon answers it as unknown,
 * which lets the next provider try.
 */
export function toPolygonTicker(symbol: string): string {
  const match = DASHED_CLASS.exec(symbol);
  return match ? `${match[1]}.${match[2]}` : symbol;
}
