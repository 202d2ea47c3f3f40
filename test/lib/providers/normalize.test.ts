import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { DailyBar } from '../../../lib/model/daily-bars.js';
import { QuoteSchema } from '../../../lib/model/quote.js';
import {
  apiKeyInQuery,
  ascendingWithin,
  checkedAgainst,
  checkedSeries,
  fieldsIn,
  firstPerDateAscending,
  newestFirst,
  outflow,
  providerUrl,
  utcDateOfEpochSeconds,
  validated,
} from '../../../lib/providers/normalize.js';
import {
  classifyStatedRefusal,
  isEmptyList,
  isEmptyObject,
  unknownSymbolWhen,
} from '../../../lib/providers/provider.js';
import { answerOf } from '../../support/fixtures.js';

const now = new Date('2026-11-26T15:30:00Z');
const issuesOf = (schema: z.ZodMiniType, value: unknown) => {
  const result = z.safeParse(schema, value);
  if (result.success) throw new Error('expected a failure');
  return result.error;
};
const bar = (date: string, close = 1): DailyBar => ({
  date,
  open: close,
  high: close,
  low: close,
  close,
  adjustedClose: null,
  volume: null,
});

describe('fieldsIn', () => {
  const List = z.object({ bars: z.array(z.object({ date: z.string(), close: z.number() })) });

  it('names each failing field once, list indices dropped, in the order of the issues', () => {
    const error = issuesOf(List, {
      bars: [
        { date: 1, close: 'x' },
        { date: 2, close: 3 },
      ],
    });
    expect(fieldsIn(error)).toBe('bars.date, bars.close');
  });

  it('names an issue about the whole value `answer`, or as the caller says', () => {
    expect(fieldsIn(issuesOf(List, 'text'))).toBe('answer');
    expect(fieldsIn(issuesOf(z.array(z.object({ a: z.number() })), [5]), 'entry')).toBe('entry');
  });
});

describe('validated and checkedAgainst', () => {
  it('give the parsed value, or bad_data naming the fields', () => {
    const Schema = z.object({ c: z.number(), t: z.number() });
    expect(validated(Schema, { c: 1, t: 2, x: 3 }, 'X answer is malformed')).toEqual({
      ok: true,
      value: { c: 1, t: 2 },
    });
    expect(validated(Schema, {}, 'X answer is malformed')).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'X answer is malformed: c, t' },
    });
    expect(checkedAgainst(QuoteSchema, { symbol: 'AAPL' }, 'X quote')).toMatchObject({
      ok: false,
      failure: { kind: 'bad_data', detail: expect.stringMatching(/^X quote failed validation: price, /) },
    });
  });
});

describe('bars in range', () => {
  it('ascendingWithin: in range, ascending, the last bar for a date wins, an unreadable date kept', () => {
    const bars = [
      bar('2024-01-03', 3),
      bar('2023-12-31'),
      bar('2024-01-02', 2),
      bar('2024-01-02', 9),
      bar(''),
    ];
    expect(ascendingWithin(bars, { from: '2024-01-01', to: '2024-01-31' })).toEqual([
      bar(''),
      bar('2024-01-02', 9),
      bar('2024-01-03', 3),
    ]);
  });

  it('checkedSeries: the client symbol, the currency, the bars in range, checked', () => {
    const query = { symbol: 'brk.b', from: '2024-01-01', to: '2024-01-31' };
    expect(checkedSeries(query, 'USD', [bar('2024-01-03'), bar('2023-12-29')], 'X bars')).toEqual({
      ok: true,
      value: { symbol: 'BRK.B', currency: 'USD', bars: [bar('2024-01-03')] },
    });
    expect(checkedSeries(query, null, [bar('')], 'X bars')).toEqual({
      ok: false,
      failure: { kind: 'bad_data', detail: 'X bars failed validation: bars.date' },
    });
  });

  it('firstPerDateAscending: the first bar for a date wins, each unreadable date kept once', () => {
    const read = (text: string, date: string | null, close: number) => [text, { date, close }] as const;
    const bars = [
      read('2024-01-03', '2024-01-03', 3),
      read('2024-01-03', '2024-01-03', 9),
      read('2020-13-01', null, 5),
      read('2020-13-01', null, 6),
      read('2020-14-01', null, 7),
      read('2023-12-29', '2023-12-29', 1),
    ];
    expect(firstPerDateAscending(bars, { from: '2024-01-01', to: '2024-01-31' }).map((b) => b.close)).toEqual(
      [6, 7, 3],
    );
  });
});

describe('statements', () => {
  it('newestFirst: one report per period end, newest first, an undated report kept', () => {
    const reports = [
      { fiscalDateEnding: '2022-12-31', n: 1 },
      { fiscalDateEnding: '2023-12-31', n: 2 },
      { fiscalDateEnding: '2022-12-31', n: 3 },
      { fiscalDateEnding: null, n: 4 },
    ];
    expect(newestFirst(reports).map((r) => r.n)).toEqual([2, 1, 4]);
  });

  it('outflow: negative whatever the sign, 0 and null kept', () => {
    expect([outflow(5), outflow(-5), outflow(0), outflow(null)]).toEqual([-5, -5, 0, null]);
    expect(Object.is(outflow(-0), -0)).toBe(true);
  });
});

describe('requests', () => {
  it('providerUrl drops a trailing slash of the base and sets the parameters', () => {
    expect(providerUrl('https://h.example/api//', '/quote', { symbol: 'A B' }).href).toBe(
      'https://h.example/api/quote?symbol=A+B',
    );
  });

  it('apiKeyInQuery puts the key in `apikey`, after the parameters', () => {
    const { url, headers } = apiKeyInQuery('https://h.example', 'K1', '/quote', { symbol: 'AAPL' });
    expect(url.href).toBe('https://h.example/quote?symbol=AAPL&apikey=K1');
    expect(headers).toBeUndefined();
  });
});

describe('epoch seconds', () => {
  it('utcDateOfEpochSeconds reads the UTC date, or null for an implausible instant', () => {
    expect(utcDateOfEpochSeconds(1_700_000_000)).toBe('2023-11-14');
    expect([0, -1, Number.NaN, 1e20].map(utcDateOfEpochSeconds)).toEqual([null, null, null, null]);
  });
});

describe('classifier helpers', () => {
  it('unknownSymbolWhen: the provider’s failure first, then the unknown-symbol test', () => {
    const classify = unknownSymbolWhen(
      (answer) => (answer.status === 429 ? { kind: 'throttled', detail: 'slow down' } : null),
      isEmptyList,
      'X returned an empty list',
    );
    expect(classify(answerOf([], 429), now)).toEqual({ kind: 'throttled', detail: 'slow down' });
    expect(classify(answerOf([]), now)).toEqual({
      kind: 'unknown_symbol',
      detail: 'X returned an empty list',
    });
    expect(classify(answerOf([{}]), now)).toBeNull();
  });

  it('isEmptyList and isEmptyObject tell `[]` and `{}` apart', () => {
    expect([isEmptyList([]), isEmptyList({}), isEmptyList([1]), isEmptyList(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([isEmptyObject({}), isEmptyObject([]), isEmptyObject({ a: 1 }), isEmptyObject(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('classifyStatedRefusal: a stated refusal, then the HTTP status, then a body that is not JSON', () => {
    const refused = (refusal: string | undefined, status: number, body: unknown) =>
      classifyStatedRefusal(
        answerOf(body, status),
        now,
        refusal,
        (message) => ({ kind: 'invalid_key', detail: message }),
        'X',
      );
    expect(refused('bad key', 200, {})).toEqual({ kind: 'invalid_key', detail: 'bad key' });
    expect(refused(undefined, 503, {})?.kind).toBe('upstream_error');
    expect(refused(undefined, 200, undefined)).toEqual({ kind: 'bad_data', detail: 'X answer is not JSON' });
    expect(refused(undefined, 200, [])).toBeNull();
  });
});
