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

/**
 * The entry of an FMP list answer that is for the client's `symbol` (else the first), with the symbol
 * to report for it: the client's own spelling when FMP answered for what was asked (`BRK-B` asked as
 * `BRK.B` or `BRK-B` comes back as asked), otherwise FMP's symbol in the dot form. `undefined` for an
 * empty list.
 */
export function fmpEntryFor<Entry extends { symbol: string }>(
  entries: readonly Entry[],
  symbol: string,
): { entry: Entry; symbol: string } | undefined {
  const fmpSymbol = toFmpSymbol(symbol);
  const entry = entries.find((item) => item.symbol.toUpperCase() === fmpSymbol) ?? entries[0];
  if (!entry) return undefined;
  const answered = entry.symbol.trim().toUpperCase();
  return { entry, symbol: answered === fmpSymbol ? symbol : fromFmpSymbol(answered) };
}
