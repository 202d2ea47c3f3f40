/**
 * One-letter suffixes that name an exchange, not a share class: London, Tokyo, TSX Venture, Frankfurt.
 * `VOD.L` stays `VOD.L`; a class share with one of these letters (McCormick's `MKC.V`) is ambiguous in
 * the dot form, so clients send it with a dash (`MKC-V`), which passes through unchanged.
 */
const ONE_LETTER_EXCHANGES = new Set(['L', 'T', 'V', 'F']);

/** `BRK.B`, `RCI.B.TO`: a root, a one-letter class, maybe an exchange suffix. */
const DOTTED_CLASS = /^([A-Z0-9]+)\.([A-Z])(\.[A-Z]{1,4})?$/;
/** `BRK-B`, `RCI-B.TO`: the same in FMP's form. */
const DASHED_CLASS = /^([A-Z0-9]+)-([A-Z])(\.[A-Z]{1,4})?$/;

/**
 * A client's symbol in FMP's form: class shares take a dash (`BRK.B` → `BRK-B`, `RCI.B.TO` →
 * `RCI-B.TO`); exchange suffixes (`VOD.L`, `SHOP.TO`, `IWDA.AS`), indices and anything else stay.
 */
export function toFmpSymbol(symbol: string): string {
  const match = DOTTED_CLASS.exec(symbol);
  if (!match) return symbol;
  const [, root, shareClass, exchange] = match;
  if (exchange === undefined && shareClass !== undefined && ONE_LETTER_EXCHANGES.has(shareClass))
    return symbol;
  return `${root}-${shareClass}${exchange ?? ''}`;
}

/**
 * An FMP symbol in the clients' dot form (`BRK-B` → `BRK.B`), the inverse of `toFmpSymbol`: a dash
 * before a one-letter exchange suffix (`MKC-V`) stays, since the dot form would read as the exchange.
 */
export function fromFmpSymbol(symbol: string): string {
  const match = DASHED_CLASS.exec(symbol);
  if (!match) return symbol;
  const [, root, shareClass, exchange] = match;
  if (exchange === undefined && shareClass !== undefined && ONE_LETTER_EXCHANGES.has(shareClass))
    return symbol;
  return `${root}.${shareClass}${exchange ?? ''}`;
}
