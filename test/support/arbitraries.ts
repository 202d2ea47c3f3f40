/**
 * fast-check arbitraries for RAW provider values: what the wire carries before normalization.
 * Numbers arrive as strings decorated the ways providers decorate them (`$`, thousands separators,
 * `%`, accountants' parentheses, padding), as missing markers (`"None"`, `"-"`, `"N/A"`…), as junk,
 * and as JSON values of the wrong type.
 */
import fc from 'fast-check';

/** The markers providers send for "no value". */
export const MISSING_MARKERS = [
  '',
  'None',
  'none',
  'null',
  'N/A',
  'n/a',
  'NA',
  '-',
  '--',
  '—',
  'NaN',
  'undefined',
];

/** A missing marker, with or without padding. */
export const missingMarker = fc
  .tuple(fc.constantFrom(...MISSING_MARKERS), fc.constantFrom('', ' ', '  '))
  .map(([marker, pad]) => `${pad}${marker}${pad}`);

/** `1234567.5` → `1,234,567.5`: Western thousands grouping of a plain decimal string. */
export function withThousands(plain: string): string {
  const [integer = '', fraction] = plain.split('.');
  const grouped = integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** How a provider may dress a non-negative amount. */
export const decoration = fc.record({
  currency: fc.constantFrom('', '$', '€', '£'),
  thousands: fc.boolean(),
  pad: fc.constantFrom('', ' ', '\t'),
});

/** A finite amount and a string rendering of it a provider could send, with the value it stands for. */
export const decoratedAmount = fc
  .tuple(
    fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 6 }),
    decoration,
    fc.constantFrom('minus', 'parentheses'),
  )
  .map(([value, digits, { currency, thousands, pad }, negativeStyle]) => {
    const plain = Math.abs(value).toFixed(digits);
    const body = `${currency}${thousands ? withThousands(plain) : plain}`;
    const expected = Number(plain) === 0 ? 0 : Math.sign(value) * Number(plain);
    const signed = value < 0 ? (negativeStyle === 'minus' ? `-${body}` : `(${body})`) : body;
    return { raw: `${pad}${signed}${pad}`, expected };
  });

/** Number-like junk: magnitude suffixes, decimal commas, several numbers, words. */
export const numberLikeJunk = fc.oneof(
  fc.constantFrom(
    '1.5B',
    '12M',
    '12,5',
    '1.234,56',
    '1$2',
    '12%34',
    '(-5)',
    'Infinity',
    '-Infinity',
    '1e999',
    '0x1F',
  ),
  fc.stringMatching(/^[-+$%(),.\d eE]{0,12}$/),
);

/**
 * Anything a provider may send where a number belongs: decorated amounts, percentages, missing
 * markers, junk strings, non-finite JSON numbers, and values of other types.
 */
export const rawAmount: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: decoratedAmount.map(({ raw }) => raw) },
  { weight: 1, arbitrary: decoratedAmount.map(({ raw }) => `${raw}%`) },
  { weight: 2, arbitrary: missingMarker },
  { weight: 1, arbitrary: numberLikeJunk },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.anything() },
);

/** A calendar date as `YYYY-MM-DD`, within the years market data spans. */
export const isoDay = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** What a provider may send where a date belongs: dates, date-times, impossible dates, markers, junk. */
export const rawDate: fc.Arbitrary<unknown> = fc.oneof(
  isoDay,
  isoDay.map((day) => `${day} 16:00:01`),
  fc.constantFrom('2023-02-30', '2023-13-01', '20230102', '02/01/2023'),
  missingMarker,
  fc.string(),
  fc.anything(),
);

/** A symbol in the layer's form. */
export const layerSymbol = fc.stringMatching(/^[A-Z0-9.\-^=]{1,15}$/);

/** What a provider may send as a symbol: valid ones in any case and padding, and junk. */
export const rawSymbol: fc.Arbitrary<unknown> = fc.oneof(
  layerSymbol,
  layerSymbol.map((symbol) => ` ${symbol.toLowerCase()} `),
  fc.string(),
  missingMarker,
  fc.anything(),
);

/** The ten fields of Alpha Vantage's `GLOBAL_QUOTE`, as it numbers them. */
export const GLOBAL_QUOTE_FIELDS = [
  '01. symbol',
  '02. open',
  '03. high',
  '04. low',
  '05. price',
  '06. volume',
  '07. latest trading day',
  '08. previous close',
  '09. change',
  '10. change percent',
] as const;

/**
 * Mostly `plausible`, sometimes anything `rawAmount`-like: most fields of a real answer are fine, so a
 * record with one or two bad fields is the interesting case, and answers that normalize must be common.
 */
function mostly<T>(plausible: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 12, arbitrary: plausible }, { weight: 1, arbitrary: other });
}

/** A non-negative amount as a provider writes it. */
const plausibleAmount = decoratedAmount.map(({ raw, expected }) =>
  expected < 0 ? raw.replace(/[-()]/g, '') : raw,
);

/** A positive price with four decimals, as Alpha Vantage writes them, dressed the ways providers dress numbers. */
const plausiblePrice = fc
  .tuple(fc.integer({ min: 1, max: 9_999_999_999 }), decoration)
  .map(([tenThousandths, { currency, thousands, pad }]) => {
    const plain = (tenThousandths / 10_000).toFixed(4);
    return `${pad}${currency}${thousands ? withThousands(plain) : plain}${pad}`;
  });

/**
 * A raw `GLOBAL_QUOTE` answer: all ten fields, each mostly plausible but now and then anything a
 * provider may send; sometimes with fields left out, sometimes a record of random keys, sometimes not an answer at all.
 */
export const rawAlphaVantageGlobalQuote: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 7, arbitrary: globalQuoteFields().map((fields) => ({ 'Global Quote': fields })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(globalQuoteFields(), fc.subarray([...GLOBAL_QUOTE_FIELDS]))
      .map(([fields, dropped]) => ({
        'Global Quote': Object.fromEntries(
          Object.entries(fields).filter(([key]) => !dropped.some((d) => d === key)),
        ),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string(), fc.anything()).map((fields) => ({ 'Global Quote': fields })),
  },
  { weight: 1, arbitrary: fc.anything() },
);

function globalQuoteFields(): fc.Arbitrary<Record<(typeof GLOBAL_QUOTE_FIELDS)[number], unknown>> {
  return fc.record({
    '01. symbol': mostly(layerSymbol, rawSymbol),
    '02. open': mostly(plausibleAmount, rawAmount),
    '03. high': mostly(plausibleAmount, rawAmount),
    '04. low': mostly(plausibleAmount, rawAmount),
    '05. price': mostly(plausiblePrice, rawAmount),
    '06. volume': mostly(fc.nat().map(String), rawAmount),
    '07. latest trading day': mostly(isoDay, rawDate),
    '08. previous close': mostly(plausibleAmount, rawAmount),
    '09. change': mostly(
      decoratedAmount.map(({ raw }) => raw),
      rawAmount,
    ),
    '10. change percent': mostly(
      decoratedAmount.map(({ raw }) => `${raw}%`),
      rawAmount,
    ),
  });
}

/** A number FMP might send: mostly finite JSON numbers, else `null`, non-finite doubles, strings, anything. */
const fmpNumber: fc.Arbitrary<unknown> = mostly(
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
  fc.oneof(fc.constant(null), fc.double(), rawAmount),
);

/** One raw entry of FMP's `/stable/quote`: fields mostly plausible, now and then absent or of any type. */
const rawFmpQuoteEntry = fc.record(
  {
    symbol: mostly(layerSymbol, rawSymbol),
    name: fc.string(),
    price: mostly(fc.double({ min: 0.0001, max: 1e6, noNaN: true }), fmpNumber),
    changePercentage: fmpNumber,
    change: fmpNumber,
    volume: mostly(fc.nat(), fmpNumber),
    dayLow: fmpNumber,
    dayHigh: fmpNumber,
    open: fmpNumber,
    previousClose: fmpNumber,
    timestamp: mostly(fc.integer({ min: 1, max: 4_102_444_800 }), fc.oneof(fc.integer(), fmpNumber)),
    currency: fc.oneof(fc.constantFrom('USD', 'usd', ' eur ', ''), fc.constant(null), fc.string()),
  },
  { requiredKeys: ['symbol', 'price', 'timestamp'] },
);

/** A raw FMP `/stable/quote` answer: a list of entries (usually one), or something that is not one. */
export const rawFmpQuote: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.array(rawFmpQuoteEntry, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.anything(), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.anything() },
);
