import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { CompanyProfileSchema } from '../../../lib/model/company-profile.js';
import { DailyBarSchema } from '../../../lib/model/daily-bars.js';
import { isCalendarDate, isoDate } from '../../../lib/model/fields.js';
import { FinancialStatementsSchema } from '../../../lib/model/financial-statements.js';
import { fieldsIn } from '../../../lib/providers/normalize.js';

const accepts = (value: unknown) => z.safeParse(isoDate, value).success;

describe('isoDate', () => {
  it.each(['2020-01-01', '2020-02-29', '2000-02-29', '2024-12-31', '1980-12-12'])('accepts %s', (day) => {
    expect(accepts(day)).toBe(true);
  });

  it.each([
    ['2020-13-01', 'no 13th month'],
    ['2020-00-10', 'no month 0'],
    ['2020-01-00', 'no day 0'],
    ['2020-01-32', 'no 32nd day'],
    ['2020-02-30', 'Date rolls it over to 1 March'],
    ['2021-02-29', 'not a leap year'],
    ['1900-02-29', 'a century that is not a leap year'],
    ['2020-04-31', 'April has 30 days'],
  ])('rejects the impossible date %s (%s)', (day) => {
    expect(accepts(day)).toBe(false);
  });

  it.each(['2020-1-01', '20-01-01', '2020/01/01', '2020-01-01T00:00:00Z', ' 2020-01-01', '', 'yesterday'])(
    'rejects %j, which is not written YYYY-MM-DD',
    (value) => {
      expect(accepts(value)).toBe(false);
    },
  );

  it('rejects what is not a string', () => {
    for (const value of [20200101, null, undefined, new Date('2020-01-01')])
      expect(accepts(value)).toBe(false);
  });

  it('names one problem for a value that is not written YYYY-MM-DD, not two', () => {
    const result = z.safeParse(isoDate, 'yesterday');
    expect(result.success || result.error.issues.length).toBe(1);
  });

  it('applies wherever the model has a date: a bar, a listing date', () => {
    const bar = { date: '2021-02-29', open: 1, high: 1, low: 1, close: 1, adjustedClose: null, volume: null };
    expect(z.safeParse(DailyBarSchema, bar).success).toBe(false);
    expect(z.safeParse(DailyBarSchema, { ...bar, date: '2020-02-29' }).success).toBe(true);
    const profile = {
      symbol: 'AAPL',
      name: 'Apple Inc.',
      exchange: null,
      currency: 'USD',
      country: null,
      sector: null,
      industry: null,
      description: null,
      website: null,
      marketCapitalization: null,
      employees: null,
      ipoDate: '1980-13-12',
    };
    expect(z.safeParse(CompanyProfileSchema, profile).success).toBe(false);
    expect(z.safeParse(CompanyProfileSchema, { ...profile, ipoDate: '1980-12-12' }).success).toBe(true);
    expect(z.safeParse(CompanyProfileSchema, { ...profile, ipoDate: null }).success).toBe(true);
  });

  it('leaves a union of report lists naming the report’s date, not the union', () => {
    const income = {
      currency: 'USD',
      ...Object.fromEntries(
        ['totalRevenue', 'costOfRevenue', 'grossProfit', 'operatingExpenses', 'operatingIncome']
          .concat(['researchAndDevelopment', 'sellingGeneralAndAdministrative', 'interestExpense'])
          .concat(['incomeBeforeTax', 'incomeTaxExpense', 'netIncome', 'ebitda', 'eps'])
          .map((field) => [field, null]),
      ),
    };
    for (const fiscalDateEnding of ['', '2021-02-29']) {
      const statements = {
        symbol: 'ALT',
        statement: 'income',
        period: 'annual',
        reports: [{ ...income, fiscalDateEnding }],
      };
      const result = z.safeParse(FinancialStatementsSchema, statements);
      expect(result.success || fieldsIn(result.error), fiscalDateEnding).toBe('reports.fiscalDateEnding');
    }
  });
});

describe('isCalendarDate', () => {
  it('is true only for a day that reads back as itself', () => {
    expect(isCalendarDate('2020-02-29')).toBe(true);
    expect(isCalendarDate('2020-02-30')).toBe(false);
    expect(isCalendarDate('2020-13-01')).toBe(false);
    expect(isCalendarDate('not a date')).toBe(false);
  });
});
