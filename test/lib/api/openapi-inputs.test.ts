import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type JsonSchema } from '../../../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../../../lib/api/routes.js';
import {
  parseBatchRequest,
  parseHistoryQuery,
  parseProviderId,
  parseSearchQuery,
  parseStatementsQuery,
} from '../../../lib/requests.js';
import { parseSymbol } from '../../../lib/symbols.js';
import { sanitizeText } from '../../../lib/validation/text.js';

/**
 * The OpenAPI document's constraints on each request input are the validators' own: a value the
 * document's schema accepts (checked by ajv, formats included) is one the handler's parser accepts,
 * and a value it refuses is refused. A client that validates against the document is never surprised.
 */
const document = buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE });
const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);

type Parameter = { name: string; in: string; schema: JsonSchema };

function parameterSchema(operationId: string, name: string): JsonSchema {
  for (const item of Object.values(document.paths))
    for (const operation of Object.values(item))
      if (operation.operationId === operationId) {
        const found = (operation.parameters as Parameter[] | undefined)?.find((p) => p.name === name);
        if (found) return found.schema;
      }
  throw new Error(`${operationId} documents no parameter ${name}`);
}

/** Whether the document's schema admits a value. */
const admits = (schema: JsonSchema) => {
  const validate = ajv.compile(schema);
  return (value: unknown) => validate(value);
};

/** Whether a parser accepts a value (it throws `InvalidRequestError` when not). */
const accepts = (parse: () => unknown) => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

/** Strings near the edges of a symbol: its characters, neighbours of them, other scripts, any length. */
const symbolChars = fc.constantFrom(
  ...'AZaz09.^=-',
  ...' _/+%\\\'"<>',
  'ſ', // upper-cases to S
  'ı', // upper-cases to I
  'é',
  '\u0000',
  '\t',
  '🚀',
);
const nearlyValid = fc.string({ unit: fc.constantFrom(...'ABCxyz019.^=-'), maxLength: 17 });
const symbolLike = fc.oneof(
  fc.string({ unit: symbolChars, maxLength: 20 }),
  nearlyValid,
  // Padded: a validator that trimmed would take what the pattern refuses.
  fc
    .tuple(fc.constantFrom(' ', '\t', ''), nearlyValid, fc.constantFrom(' ', '\n', ''))
    .map((parts) => parts.join('')),
  fc.string({ maxLength: 20 }),
);

describe('request inputs in the OpenAPI document match what the handlers accept', () => {
  it('a symbol in a path: the pattern and length the validator enforces, on every symbol route', () => {
    for (const operationId of ['GetStockQuote', 'GetFinancials', 'GetCompany', 'GetCorporateActions']) {
      const schema = parameterSchema(operationId, 'symbol');
      expect(schema, operationId).toMatchObject({ type: 'string', minLength: 1, maxLength: 15 });
      const documented = admits(schema);
      fc.assert(
        fc.property(symbolLike, (raw) => {
          expect(documented(raw), JSON.stringify(raw)).toBe(accepts(() => parseSymbol(raw)));
        }),
        { numRuns: 400 },
      );
      for (const known of ['IBM', 'brk.b', '^GSPC', 'EURUSD=X', 'A'.repeat(15)])
        expect(documented(known)).toBe(true);
      for (const refused of ['', ' IBM', 'A'.repeat(16), 'ſ', 'I B M'])
        expect(documented(refused)).toBe(false);
    }
  });

  it('the batch body: 1–100 items, each a symbol, as the batch parser enforces', () => {
    const body = document.components.schemas.BatchPricesRequest as JsonSchema;
    expect(body).toMatchObject({ properties: { symbols: { minItems: 1, maxItems: 100 } } });
    const documented = admits(body);
    const parses = (symbols: unknown[]) =>
      accepts(() => parseBatchRequest(JSON.stringify({ symbols }), 'application/json'));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(symbolLike, { maxLength: 4 }),
          fc.array(fc.constantFrom('IBM', 'aapl'), { minLength: 98, maxLength: 102 }),
          fc.array(fc.oneof(fc.integer(), fc.constant(null), symbolLike), { minLength: 1, maxLength: 3 }),
        ),
        (symbols) => {
          expect(documented({ symbols }), JSON.stringify(symbols)).toBe(parses(symbols));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('from and to: calendar dates, leap days included, as the history parser enforces', () => {
    // A day far ahead, so no date is refused for being in the future: only its form is under test.
    const farFuture = new Date('9999-12-31T00:00:00Z');
    const dateLike = fc.oneof(
      fc
        .date({ min: new Date('0000-01-01T00:00:00Z'), max: farFuture, noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
        )
        .map(
          ([y, m, d]) =>
            `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        ),
      fc.string({ unit: fc.constantFrom(...'0123456789-T:Z '), maxLength: 12 }),
    );
    for (const name of ['from', 'to']) {
      const documented = admits(parameterSchema('GetStockQuote', name));
      fc.assert(
        fc.property(dateLike, (day) => {
          // On that day itself: the parser's rules relative to today (not in the future, at most 20
          // years back) are beside the point here, only the date's form is.
          const onTheDay = Date.parse(`${day}T12:00:00Z`);
          const now = Number.isNaN(onTheDay) ? farFuture : new Date(onTheDay);
          const parsed = accepts(() =>
            parseHistoryQuery('IBM', { history: 'daily', from: day, to: day }, now),
          );
          expect(documented(day), day).toBe(parsed);
        }),
        { numRuns: 400 },
      );
      expect(documented('2024-02-29')).toBe(true);
      expect(documented('2023-02-29')).toBe(false);
    }
  });

  it('history, statement and period: exactly the values the parsers take', () => {
    const words = fc.oneof(
      fc.constantFrom(
        'daily',
        'weekly',
        'DAILY',
        'income',
        'balance',
        'cash',
        'annual',
        'quarterly',
        'Annual',
        '',
      ),
      fc.string({ maxLength: 10 }),
    );
    const history = admits(parameterSchema('GetStockQuote', 'history'));
    const statement = admits(parameterSchema('GetFinancials', 'statement'));
    const period = admits(parameterSchema('GetFinancials', 'period'));
    fc.assert(
      fc.property(words, (word) => {
        expect(history(word), word).toBe(
          accepts(() => parseHistoryQuery('IBM', { history: word }, new Date())),
        );
        expect(statement(word), word).toBe(accepts(() => parseStatementsQuery('IBM', { statement: word })));
        expect(period(word), word).toBe(
          accepts(() => parseStatementsQuery('IBM', { statement: 'income', period: word })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a provider in a path ({name}, {provider}): exactly the known ids', () => {
    const names = fc.oneof(
      fc.constantFrom('alpha-vantage', 'fmp', 'finnhub', 'twelve-data', 'polygon', 'FMP', ' fmp', 'nope'),
      fc.string({ maxLength: 14 }),
    );
    for (const [operationId, name] of [
      ['ResetCircuitBreaker', 'name'],
      ['OpenCircuitBreaker', 'name'],
      ['ReleaseApiKey', 'provider'],
    ] as const) {
      const documented = admits(parameterSchema(operationId, name));
      fc.assert(
        fc.property(names, (raw) => {
          expect(documented(raw), `${operationId} ${raw}`).toBe(accepts(() => parseProviderId(raw)));
        }),
        { numRuns: 200 },
      );
    }
  });

  it('q: 1–64 characters, and what the document admits is refused only when nothing but markup is left', () => {
    const documented = admits(parameterSchema('SearchSymbols', 'q'));
    const queries = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.string({ unit: fc.constantFrom(...'ab <>/\u0000'), maxLength: 70 }),
      fc.string({ unit: fc.constantFrom('a', 'é'), minLength: 62, maxLength: 66 }),
    );
    fc.assert(
      fc.property(queries, (q) => {
        const parsed = accepts(() => parseSearchQuery({ q }));
        // What the parser takes, the document admits; the converse fails only for markup or control
        // characters alone, which the operation's description says are removed before searching.
        if (parsed) expect(documented(q), q).toBe(true);
        else expect(documented(q) && sanitizeText(q, 64) !== null, q).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});
