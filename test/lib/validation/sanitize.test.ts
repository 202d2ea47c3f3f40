import { describe, expect, it } from 'vitest';
import { toIsoDate, toNumber } from '../../../lib/validation/sanitize.js';

describe('toNumber', () => {
  it('reads Alpha Vantage strings as numbers', () => {
    expect(toNumber('121.7400')).toBe(121.74);
    expect(toNumber('2528814')).toBe(2528814);
    expect(toNumber('-1574000000')).toBe(-1574000000);
  });

  it('passes finite JSON numbers through and rejects non-finite ones', () => {
    expect(toNumber(254.86)).toBe(254.86);
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(toNumber(Number.NEGATIVE_INFINITY)).toBeNull();
  });

  it.each([
    ['$1,234.50', 1234.5],
    ['€12', 12],
    ['12 €', 12],
    ['-$5', -5],
    ['$-5', -5],
    ['1 234 567', 1234567],
    ['12,34,567', 1234567],
    ['  42  ', 42],
    ['+7', 7],
    ['.5', 0.5],
    ['1e3', 1000],
    ['\u22123.5', -3.5],
  ])('strips decoration from %j', (raw, expected) => {
    expect(toNumber(raw)).toBe(expected);
  });

  it('keeps a percentage in percent: the sign is stripped, not the scale', () => {
    expect(toNumber('0.4207%')).toBe(0.4207);
    expect(toNumber('-12.5 %')).toBe(-12.5);
  });

  it.each([
    ['(1,234)', -1234],
    ['($1,234.50)', -1234.5],
    ['(0.5%)', -0.5],
  ])("reads accountants' parentheses %j as a negative", (raw, expected) => {
    expect(toNumber(raw)).toBe(expected);
  });

  it.each([
    'None',
    'none',
    'N/A',
    '#N/A',
    'n.a.',
    'NM',
    '-',
    '--',
    '—',
    '',
    '   ',
    'null',
    'NaN',
    'undefined',
  ])('reads the missing marker %j as null', (raw) => {
    expect(toNumber(raw)).toBeNull();
  });

  it.each([
    ['1.5B', 'magnitude suffixes are ambiguous'],
    ['12M', 'magnitude suffixes are ambiguous'],
    ['12,5', 'a decimal comma would read as 125'],
    ['1.234,56', 'European grouping would read as 1.23456'],
    ['(-5)', 'a sign inside parentheses has no single reading'],
    ['-$-5', 'two signs'],
    ['1$2', 'a symbol inside the digits'],
    ['12%34', 'a percent sign inside the digits'],
    ['(1,234', 'an unclosed parenthesis'],
    ['Infinity', 'not finite'],
    ['1e999', 'overflows to Infinity'],
    ['0x1F', 'hexadecimal'],
    ['USD 12', 'currency codes are not read'],
    ['.', 'no digit'],
  ])('rejects %j (%s)', (raw) => {
    expect(toNumber(raw)).toBeNull();
  });

  it('rejects values of other types', () => {
    for (const raw of [null, undefined, true, {}, [], 12n, Symbol('x')]) expect(toNumber(raw)).toBeNull();
  });

  // Decorations alone are no amount: without its "must hold a digit" check each would read as 0.
  it.each(['$', '%', '€', '$%', '-$', '(€)', ' % '])('rejects the decoration %j without a digit', (raw) => {
    expect(toNumber(raw)).toBeNull();
  });

  // Only a value wholly inside parentheses is an accountant's negative: "5 (3)" is not -3, nor 5.
  it.each(['5 (3)', '(3) 5', '(3)(5)', '5(3)'])('rejects %j, text beside the parentheses', (raw) => {
    expect(toNumber(raw)).toBeNull();
  });

  it('rejects strings longer than any real amount', () => {
    expect(toNumber('1'.repeat(101))).toBeNull();
  });

  it('never answers a negative zero', () => {
    expect(Object.is(toNumber('-0.00'), 0)).toBe(true);
    expect(Object.is(toNumber('(0)'), 0)).toBe(true);
    expect(Object.is(toNumber(-0), 0)).toBe(true);
  });
});

describe('toIsoDate', () => {
  it('reads a date and the date of a date-time', () => {
    expect(toIsoDate('2020-05-08')).toBe('2020-05-08');
    expect(toIsoDate(' 2020-05-08 14:07:03 ')).toBe('2020-05-08');
  });

  it('rejects impossible dates, other formats and other types', () => {
    for (const raw of ['2023-02-30', '2023-13-01', '02/01/2023', '20230102', 'None', 20230102, null]) {
      expect(toIsoDate(raw)).toBeNull();
    }
  });
});
