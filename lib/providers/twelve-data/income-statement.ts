import * as z from 'zod/mini';
import {
  type FinancialStatements,
  FinancialStatementsSchema,
  type StatementsQuery,
} from '../../model/financial-statements.js';
import { toIsoDate, toNumber } from '../../validation/sanitize.js';
import { sanitizeSymbol } from '../../validation/text.js';
import { checkedAgainst, validated } from '../normalize.js';
import type { ProviderEndpoint } from '../provider.js';
import { classifyTwelveDataAnswer } from './classify.js';
import { currencyOf } from './fields.js';
import { twelveDataRequest } from './request.js';
import { toTwelveDataSymbol } from './symbols.js';

/** Twelve Data sends statement amounts as JSON numbers, `null` when a line is not reported. */
const line = z.optional(z.nullable(z.number()));

const TwelveDataIncomeSchema = z.object({
  fiscal_date: z.string(),
  sales: line,
  cost_of_goods: line,
  gross_profit: line,
  operating_expense: z.optional(
    z.nullable(
      z.object({
        research_and_development: line,
        selling_general_and_administrative: line,
        other_operating_expenses: line,
      }),
    ),
  ),
  operating_income: line,
  non_operating_interest: z.optional(z.nullable(z.object({ income: line, expense: line }))),
  pretax_income: line,
  income_tax: line,
  net_income: line,
  eps_diluted: line,
  ebitda: line,
});

type TwelveDataIncome = z.infer<typeof TwelveDataIncomeSchema>;

/** Twelve Data's `/income_statement` answer. */
const TwelveDataIncomeAnswerSchema = z.object({
  meta: z.object({ currency: z.optional(z.nullable(z.string())) }),
  income_statement: z.array(TwelveDataIncomeSchema),
});

/**
 * Twelve Data's `/income_statement` (Pro plan or higher: `paid`), annual or quarterly. It serves the
 * income statement only (`supports`); the balance sheet and cash flow are other endpoints with other
 * shapes, so the provider manager passes over it for those, and a query for them here is a wiring
 * mistake and throws.
 */
export const twelveDataIncomeStatement: ProviderEndpoint<StatementsQuery, FinancialStatements> = {
  provider: 'twelve-data',
  dataType: 'financials',
  plan: 'paid',
  supports: ({ statement }) => statement === 'income',

  buildRequest({ symbol, statement, period }, { baseUrl, apiKey }) {
    if (statement !== 'income') {
      throw new TypeError(`Twelve Data /income_statement cannot answer a ${statement} statement`);
    }
    return twelveDataRequest(baseUrl, apiKey, '/income_statement', {
      symbol: toTwelveDataSymbol(symbol),
      period,
    });
  },

  classify: classifyTwelveDataAnswer,

  transform(body, { symbol, period }) {
    const raw = validated(TwelveDataIncomeAnswerSchema, body, 'Twelve Data income statement is malformed');
    if (!raw.ok) return raw;
    const currency = currencyOf(raw.value.meta.currency);
    const reports = raw.value.income_statement
      .map((report) => incomeOf(report, currency))
      // Newest first, whatever order Twelve Data used.
      .sort((a, b) => b.fiscalDateEnding.localeCompare(a.fiscalDateEnding));
    return checkedAgainst(
      FinancialStatementsSchema,
      { symbol: sanitizeSymbol(symbol) ?? symbol, statement: 'income', period, reports },
      'Twelve Data income statement',
    );
  },
};

function incomeOf(raw: TwelveDataIncome, currency: string | null) {
  const expenses = raw.operating_expense;
  return {
    // An unreadable date stays empty and fails validation as `reports.fiscalDateEnding`.
    fiscalDateEnding: toIsoDate(raw.fiscal_date) ?? '',
    currency,
    totalRevenue: toNumber(raw.sales),
    costOfRevenue: toNumber(raw.cost_of_goods),
    grossProfit: toNumber(raw.gross_profit),
    operatingExpenses: sumOfReported([
      expenses?.research_and_development,
      expenses?.selling_general_and_administrative,
      expenses?.other_operating_expenses,
    ]),
    operatingIncome: toNumber(raw.operating_income),
    researchAndDevelopment: toNumber(expenses?.research_and_development),
    sellingGeneralAndAdministrative: toNumber(expenses?.selling_general_and_administrative),
    interestExpense: toNumber(raw.non_operating_interest?.expense),
    incomeBeforeTax: toNumber(raw.pretax_income),
    incomeTaxExpense: toNumber(raw.income_tax),
    netIncome: toNumber(raw.net_income),
    ebitda: toNumber(raw.ebitda),
    eps: toNumber(raw.eps_diluted),
  };
}

/**
 * Twelve Data splits operating expenses into lines and leaves out the total; a line it does not
 * report is one the company does not have (the fixture's lines add up to sales − operating income).
 * The total is `null` only when no line is reported at all.
 */
function sumOfReported(lines: readonly (number | null | undefined)[]): number | null {
  const reported = lines.map(toNumber).filter((value) => value !== null);
  return reported.length === 0 ? null : reported.reduce((sum, value) => sum + value, 0);
}
