/**
 * Symbols in Twelve Data's form. Twelve Data names a listing by its ticker and its exchange: class
 * shares keep the dot (`BRK.B`), and a venue is given after a colon (`VOD:LSE`, `RCI.B:TSX`), which
 * works in the batch `/quote?symbol=A,B` too (an `exchange=` parameter would apply to every symbol of
 * a batch). The clients' exchange suffixes (`VOD.L`, `SHOP.TO`) map to Twelve Data's exchange names
 * here; a suffix not listed goes through unchanged, so Twelve Data answers it as the symbol it is.
 */

interface Venue {
  /** The clients' suffix, after the dot. */
  readonly suffix: string;
  /** Twelve Data's exchange name, for the `symbol:exchange` form. */
  readonly exchange: string;
  /** ISO 10383 MIC, as Twelve Data's answers carry it in `mic_code`. */
  readonly mics: readonly string[];
}

const VENUES: readonly Venue[] = [
  { suffix: 'L', exchange: 'LSE', mics: ['XLON'] },
  { suffix: 'TO', exchange: 'TSX', mics: ['XTSE'] },
  { suffix: 'V', exchange: 'TSXV', mics: ['XTSX'] },
  // Euronext is one exchange name for several venues; Twelve Data picks the main listing.
  { suffix: 'AS', exchange: 'Euronext', mics: ['XAMS'] },
  { suffix: 'PA', exchange: 'Euronext', mics: ['XPAR'] },
  { suffix: 'BR', exchange: 'Euronext', mics: ['XBRU'] },
  { suffix: 'DE', exchange: 'XETR', mics: ['XETR'] },
  { suffix: 'F', exchange: 'FSX', mics: ['XFRA'] },
  { suffix: 'T', exchange: 'JPX', mics: ['XJPX', 'XTKS'] },
  { suffix: 'HK', exchange: 'HKEX', mics: ['XHKG'] },
  { suffix: 'AX', exchange: 'ASX', mics: ['XASX'] },
  { suffix: 'SW', exchange: 'SIX', mics: ['XSWX'] },
];

/**
 * `VOD.L`, `RCI.B.TO`, `BRK-B`: a root, maybe a one-letter class (dot or dash), maybe a suffix. The
 * class is tried last (`??`), so `BRK.B` reads as root and suffix `B`; the suffix then decides.
 */
const CLIENT_SYMBOL = /^([A-Z0-9]+)(?:[.-]([A-Z]))??(?:\.([A-Z]{1,4}))?$/;

/**
 * A client's symbol in Twelve Data's form: `VOD.L` → `VOD:LSE`, `RCI.B.TO` → `RCI.B:TSX`, `BRK-B` →
 * `BRK.B`, `AAPL` and `BRK.B` unchanged. A one-letter suffix that names a venue (`L`, `V`, `F`, `T`)
 * is read as the venue, as FMP's mapping does; clients write such a class share with a dash (`MKC-V`).
 */
export function toTwelveDataSymbol(symbol: string): string {
  const match = CLIENT_SYMBOL.exec(symbol);
  if (!match) return symbol;
  const [, root, shareClass, suffix] = match;
  const venue = VENUES.find((v) => v.suffix === suffix);
  if (suffix !== undefined && venue === undefined) {
    // `BRK.B`: a dot and one letter that is no venue is a class share.
    return shareClass === undefined && suffix.length === 1 ? `${root}.${suffix}` : symbol;
  }
  const listed = shareClass === undefined ? `${root}` : `${root}.${shareClass}`;
  return venue === undefined ? listed : `${listed}:${venue.exchange}`;
}

/**
 * A listing from Twelve Data's answers (`symbol`, `mic_code`, `country`) in the clients' form: `VOD` on
 * XLON → `VOD.L`, a US listing (or one without a venue) → the bare ticker. A listing on a venue with no
 * suffix here gives `null`: the bare ticker would name the US listing instead.
 */
export function fromTwelveDataSymbol(
  symbol: string,
  micCode?: string | null,
  country?: string | null,
): string | null {
  if (!micCode) return symbol;
  const venue = VENUES.find((v) => v.mics.includes(micCode.trim().toUpperCase()));
  if (venue !== undefined) return `${symbol}.${venue.suffix}`;
  return country === undefined || country === null || /^(united states|us|usa)$/i.test(country.trim())
    ? symbol
    : null;
}
