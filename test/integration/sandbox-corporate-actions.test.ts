import { describe, expect, it } from 'vitest';
import {
  isoDay,
  isTradingDay,
  newYorkTime,
  parseIsoDay,
  previousTradingDay,
  tradingDaysBetween,
} from '../../infra/local/sandbox/calendar.js';
import {
  corporateActionsFor,
  findSymbolWithSplit,
  SymbolActions,
} from '../../infra/local/sandbox/corporate-actions.js';
import { barOn, closeOn, companyFor, round } from '../../infra/local/sandbox/market-generator.js';
import { SymbolPrices } from '../../infra/local/sandbox/price-bases.js';
import { CorporateActionsSchema } from '../../lib/model/corporate-actions.js';
import { FakeClock } from '../support/data-layer.js';

/**
 * The sandbox's corporate actions and price bases as pure functions (no server): the invariants every
 * provider's wire answers and the layer's adjustment rely on. Dates are fixed where a property holds for
 * any date, and read from the test clock (machine time) where the test is about "today".
 */

const day = (text: string): number => {
  const parsed = parseIsoDay(text);
  if (parsed === undefined) throw new Error(`not a date: ${text}`);
  return parsed;
};

/** 300 symbols of two to four letters, deterministic. */
const SYMBOLS = Array.from({ length: 300 }, (_, i) => {
  const letters = (i + 27)
    .toString(26)
    .replace(/./g, (c) => String.fromCharCode(65 + Number.parseInt(c, 26)));
  return `Q${letters}`;
});

/** A symbol with a 10-for-1 forward split and dividends in 2015..2019, and that split. */
const TEN = findSymbolWithSplit({ ratio: 10, within: { from: '2015-01-01', to: '2019-12-31' } });
const TEN_DAY = day(TEN.split.exDate);
const TODAY = day('2026-12-04');

describe('the generated splits', () => {
  it('split about a third of the symbols, deterministically', () => {
    const splitting = SYMBOLS.filter(
      (s) => corporateActionsFor(s, { from: '2000-01-01', to: '2026-12-31' }).splits.length > 0,
    );
    expect(splitting.length / SYMBOLS.length).toBeGreaterThan(0.25);
    expect(splitting.length / SYMBOLS.length).toBeLessThan(0.42);
    const again = SYMBOLS.filter(
      (s) => corporateActionsFor(s, { from: '2000-01-01', to: '2026-12-31' }).splits.length > 0,
    );
    expect(again).toEqual(splitting);
  });

  it('alternate a forward split of 2, 3, 4 or 10 and its reverse, on trading days 600–1400 days apart', () => {
    const ratios = new Set<number>();
    for (const symbol of SYMBOLS) {
      const { splits } = corporateActionsFor(symbol, { from: '1990-01-01', to: '2040-12-31' });
      for (const [i, split] of splits.entries()) {
        expect(isTradingDay(day(split.exDate))).toBe(true);
        const next = splits[i + 1];
        if (next === undefined) continue;
        const gap = day(next.exDate) - day(split.exDate);
        expect(gap).toBeGreaterThanOrEqual(595);
        expect(gap).toBeLessThanOrEqual(1405);
        // A forward split is followed by its reverse, a reverse one by a forward split.
        if (split.ratio > 1) {
          expect(split.ratio * next.ratio).toBeCloseTo(1, 12);
          ratios.add(split.ratio);
        } else {
          expect(next.ratio).toBeGreaterThan(1);
        }
      }
    }
    expect([...ratios].sort((a, b) => a - b)).toEqual([2, 3, 4, 10]);
  });

  it('are in the model shape: ascending, one a date, valid', () => {
    for (const symbol of SYMBOLS.slice(0, 60)) {
      const actions = corporateActionsFor(symbol, { from: '2005-01-01', to: '2026-12-31' });
      expect(CorporateActionsSchema.safeParse(actions).success).toBe(true);
      for (const list of [actions.splits, actions.dividends]) {
        const dates = list.map((a) => a.exDate);
        expect(dates).toEqual([...new Set(dates)].sort());
      }
    }
  });

  it('find a symbol with a 10-for-1 split and dividends in any two-year window, the same one each time', () => {
    const today = newYorkTime(new FakeClock().date()).day;
    for (const end of [today, today - 400, today - 3000, today + 700]) {
      const within = { from: isoDay(end - 730), to: isoDay(end) };
      const found = findSymbolWithSplit({ ratio: 10, within });
      expect(found.split.ratio).toBe(10);
      expect(found.split.exDate >= within.from && found.split.exDate <= within.to).toBe(true);
      expect(companyFor(found.symbol).dividendYield).toBeGreaterThan(0);
      expect(findSymbolWithSplit({ ratio: 10, within })).toEqual(found);
    }
  });
});

describe('as-traded and split-adjusted prices', () => {
  const prices = new SymbolPrices(TEN.symbol);
  const around = tradingDaysBetween(TEN_DAY - 30, TEN_DAY + 30).reverse();
  const exIndex = around.indexOf(TEN_DAY);

  it('divide the economic prices by the splits so far, and multiply the volume by them', () => {
    const factor = prices.actions.splitFactor(TEN_DAY);
    expect(prices.actions.splitFactor(previousTradingDay(TEN_DAY)) * 10).toBeCloseTo(factor, 12);
    const raw = prices.traded(TEN_DAY);
    const economic = barOn(companyFor(TEN.symbol), TEN_DAY);
    expect(raw.close).toBe(round(economic.close / factor, 2));
    expect(raw.volume).toBe(Math.round(economic.volume * factor));
  });

  it('jump by the ratio at the split as traded, and are continuous split-adjusted', () => {
    const raw = prices.bars(around, 'raw', TODAY);
    const adjusted = prices.bars(around, 'splits', TODAY);
    const moves = (closes: number[]) =>
      closes.slice(1).map((c, i) => Math.abs(Math.log(c / (closes[i] ?? c))));
    const rawMoves = moves(raw.map((b) => b.close));
    const adjustedMoves = moves(adjusted.map((b) => b.close));
    // The economic price moves a few percent a day at most; the split moves the raw price tenfold.
    expect(rawMoves[exIndex - 1]).toBeGreaterThan(Math.log(10) - 0.15);
    expect(Math.max(...rawMoves.filter((_, i) => i !== exIndex - 1))).toBeLessThan(0.15);
    expect(Math.max(...adjustedMoves)).toBeLessThan(0.15);
    // Volume goes the other way: adjusted, the day before the split counts in today's shares.
    const restate =
      prices.actions.splitFactor(TODAY) / prices.actions.splitFactor(previousTradingDay(TEN_DAY));
    expect(adjusted[exIndex - 1]?.volume).toBe(Math.round((raw[exIndex - 1]?.volume ?? 0) * restate));
    expect(adjusted[exIndex - 1]?.close).toBeCloseTo((raw[exIndex - 1]?.close ?? 0) / restate, 4);
  });

  it("restate the session before in the ex-date's shares, so a quote shows no crash", () => {
    const exBar = prices.traded(TEN_DAY);
    const before = prices.traded(previousTradingDay(TEN_DAY));
    expect(exBar.previousClose).toBe(round(before.close / 10, 2));
    expect(Math.abs(prices.quote(TEN_DAY).changePercent)).toBeLessThan(15);
  });

  it('stay as bounded as the economic prices: M(d) is 1 or one forward ratio', () => {
    for (const symbol of SYMBOLS.slice(0, 40)) {
      const actions = new SymbolActions(symbol);
      for (let d = day('2006-01-02'); d <= day('2027-12-31'); d += 53) {
        expect([1, 2, 3, 4, 10]).toContain(round(actions.splitFactor(d), 9));
        const economic = closeOn(companyFor(symbol), d);
        const traded = actions.tradedClose(d);
        expect(traded).toBeLessThanOrEqual(economic + 0.01);
        expect(traded).toBeGreaterThanOrEqual(Math.max(0.01, economic / 10 - 0.01));
      }
    }
  });

  it('are deterministic', () => {
    expect(new SymbolPrices(TEN.symbol).bars(around, 'splits', TODAY)).toEqual(
      prices.bars(around, 'splits', TODAY),
    );
  });
});

describe('the generated dividends', () => {
  it('are quarterly for companies with a yield, a quarter of it on the close before, paid 2–4 weeks later', () => {
    let payers = 0;
    for (const symbol of SYMBOLS.slice(0, 80)) {
      const { dividends } = corporateActionsFor(symbol, { from: '2020-01-01', to: '2025-12-31' });
      const { dividendYield } = companyFor(symbol);
      if (dividendYield === 0) {
        expect(dividends).toEqual([]);
        continue;
      }
      payers++;
      expect(dividends.length).toBeGreaterThanOrEqual(23);
      expect(dividends.length).toBeLessThanOrEqual(25);
      const actions = new SymbolActions(symbol);
      for (const [i, dividend] of dividends.entries()) {
        const exDay = day(dividend.exDate);
        expect(isTradingDay(exDay)).toBe(true);
        expect(dividend.currency).toBe('USD');
        const closeBefore = actions.tradedClose(previousTradingDay(exDay));
        expect(dividend.amount).toBe(Math.max(0.01, round((dividendYield / 4) * closeBefore, 2)));
        const payGap = day(dividend.payDate ?? '') - exDay;
        expect(payGap).toBeGreaterThanOrEqual(10);
        expect(payGap).toBeLessThanOrEqual(28);
        const next = dividends[i + 1];
        if (next !== undefined) {
          expect(day(next.exDate) - exDay).toBeGreaterThanOrEqual(84);
          expect(day(next.exDate) - exDay).toBeLessThanOrEqual(98);
        }
      }
    }
    expect(payers).toBeGreaterThan(20);
  });

  it('scale every earlier close of the total-return series by (1 − dividend / close before the ex-date)', () => {
    const prices = new SymbolPrices(TEN.symbol);
    const { dividends } = corporateActionsFor(TEN.symbol, { from: '2015-01-01', to: isoDay(TODAY) });
    const dividend = dividends[3];
    if (dividend === undefined) throw new Error('the symbol pays quarterly');
    const exDay = day(dividend.exDate);
    const days = [previousTradingDay(exDay), exDay];
    const [beforeTotal = 0, onTotal = 0] = prices.totalReturnCloses(days, TODAY);
    const [before, on] = prices.bars(days, 'splits', TODAY);
    const keep = 1 - dividend.amount / prices.traded(previousTradingDay(exDay)).close;
    // The step between the two days' factors is this dividend's alone.
    expect(beforeTotal / (before?.close ?? 1) / (onTotal / (on?.close ?? 1))).toBeCloseTo(keep, 6);
    // Below the split-adjusted close before a dividend; equal after the last one.
    expect(beforeTotal).toBeLessThan(before?.close ?? 0);
    const last = dividends.at(-1);
    const afterLast = tradingDaysBetween(day(last?.exDate ?? ''), TODAY).reverse();
    const splitAdjusted = prices.bars(afterLast, 'splits', TODAY);
    for (const [i, close] of prices.totalReturnCloses(afterLast, TODAY).entries()) {
      expect(close).toBeCloseTo(splitAdjusted[i]?.close ?? 0, 4);
    }
  });
});

describe('actions added at run time (the corporateActions knob)', () => {
  const symbol = 'KNOBSPLIT';
  const added = {
    [symbol]: {
      splits: [{ exDate: '2025-03-03', ratio: 2 }],
      dividends: [{ exDate: '2025-03-05', amount: 0.5 }],
    },
  };

  it('join the truth and the prices from their ex-dates on', () => {
    const plain = corporateActionsFor(symbol, { from: '2025-01-01', to: '2025-12-31' });
    const withKnob = corporateActionsFor(symbol, { from: '2025-01-01', to: '2025-12-31' }, undefined, added);
    expect(withKnob.splits).toEqual(
      [...plain.splits, { exDate: '2025-03-03', ratio: 2 }].sort((a, b) => a.exDate.localeCompare(b.exDate)),
    );
    expect(withKnob.dividends.find((d) => d.exDate === '2025-03-05')).toEqual({
      exDate: '2025-03-05',
      amount: 0.5,
      currency: 'USD',
      payDate: null,
    });
    const before = new SymbolActions(symbol);
    const after = new SymbolActions(symbol, added);
    expect(after.splitFactor(day('2025-02-28'))).toBe(before.splitFactor(day('2025-02-28')));
    expect(after.splitFactor(day('2025-03-03'))).toBe(before.splitFactor(day('2025-03-03')) * 2);
  });

  it('are left out before their ex-date has come, when asked as of a moment', () => {
    const asOf = new Date('2025-03-04T15:00:00Z');
    const actions = corporateActionsFor(symbol, { from: '2025-01-01', to: '2025-12-31' }, asOf, added);
    expect(actions.splits.map((s) => s.exDate)).toContain('2025-03-03');
    expect(actions.dividends.map((d) => d.exDate)).not.toContain('2025-03-05');
    expect(actions.dividends.every((d) => d.exDate <= '2025-03-04')).toBe(true);
  });
});
