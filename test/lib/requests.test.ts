import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lib/errors.js';
import { MAX_HISTORY_DAYS } from '../../lib/model/daily-bars.js';
import { parseHistoryQuery } from '../../lib/requests.js';

const NOW = new Date('2026-12-07T15:00:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString().slice(0, 10);
const history = (from: string, to: string) => parseHistoryQuery('IBM', { history: 'daily', from, to }, NOW);
const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.issues;
    throw error;
  }
  return [];
};

describe('a daily-history range', () => {
  it('may start 20 years before today, ending today or in the past', () => {
    expect(history(daysAgo(MAX_HISTORY_DAYS), daysAgo(0))).toEqual({
      symbol: 'IBM',
      from: daysAgo(MAX_HISTORY_DAYS),
      to: daysAgo(0),
      adjustment: 'splits',
    });
    expect(history(daysAgo(MAX_HISTORY_DAYS), daysAgo(365)).from).toBe(daysAgo(MAX_HISTORY_DAYS));
  });

  it('may not start more than 20 years before today, however short, since the series is kept up to today', () => {
    // A year long, ending 20 years ago: within 20 years of its own end, not of today.
    expect(problemsOf(() => history(daysAgo(MAX_HISTORY_DAYS + 1), daysAgo(MAX_HISTORY_DAYS - 364)))).toEqual(
      ['from: at most 20 years ago'],
    );
  });

  it('may not end in the future nor start after its end', () => {
    expect(problemsOf(() => history(daysAgo(1), daysAgo(-1)))).toEqual(['to: must not be in the future']);
    expect(problemsOf(() => history(daysAgo(1), daysAgo(2)))).toEqual(['from: must not be after to']);
  });
});

describe('the price basis of daily history', () => {
  const parse = (params: Record<string, string>) => parseHistoryQuery('IBM', params, NOW);

  it('is `splits` unless asked, and any of raw, splits and all when asked', () => {
    expect(parse({ history: 'daily' }).adjustment).toBe('splits');
    for (const adjustment of ['raw', 'splits', 'all'])
      expect(parse({ history: 'daily', adjustment }).adjustment).toBe(adjustment);
  });

  it('refuses an unknown basis, naming the allowed ones', () => {
    expect(problemsOf(() => parse({ history: 'daily', adjustment: 'dividends' }))).toEqual([
      'adjustment: adjustment must be one of: raw, splits, all',
    ]);
  });

  it('refuses a basis on a request that is not daily history', () => {
    expect(problemsOf(() => parse({ adjustment: 'raw' }))).toEqual([
      'adjustment: only with history=daily; adjustment must be one of: raw, splits, all',
    ]);
  });
});
