import { mulberry32 } from '../../../infra/local/sandbox/random.js';
import { nextMarketClose } from '../../../lib/cache/market-close.js';
import { STATEMENT_KINDS, STATEMENT_PERIODS } from '../../../lib/model/financial-statements.js';
import { zipfSampler } from './zipf.js';

/** One client request of the workload, as the API takes it. */
export type WorkloadRequest =
  | { kind: 'quote'; symbol: string }
  | { kind: 'history'; symbol: string; from: string; to: string }
  | {
      kind: 'financials';
      symbol: string;
      statement: (typeof STATEMENT_KINDS)[number];
      period: (typeof STATEMENT_PERIODS)[number];
    }
  | { kind: 'company'; symbol: string }
  | { kind: 'search'; query: string }
  | { kind: 'batch'; symbols: string[] };

/** A request and when (simulated epoch ms) it arrives; a burst's requests arrive together. */
export interface ScheduledRequest {
  at: number;
  burst: boolean;
  request: WorkloadRequest;
}

export interface WorkloadShape {
  symbols: number;
  zipfS: number;
  tradingDays: number;
  requestsPerDay: number;
  /** Share of a day's requests arriving at once at the open. */
  burstShare: number;
  seed: number;
}

export const DEFAULT_WORKLOAD: WorkloadShape = {
  symbols: 500,
  zipfS: 1.1,
  tradingDays: 2,
  requestsPerDay: 10_000,
  burstShare: 0.1,
  seed: 20261130,
};

const SESSION_MS = 6.5 * 3600_000;
const DAY_MS = 86_400_000;
/** History lengths clients ask for, in days back from the end date (a month to 20 years, starting at most 20 years ago). */
const HISTORY_SPANS = [30, 30, 90, 180, 365, 365, 1825, 7300];
const HISTORY_SPANS_MAX_MS = Math.max(...HISTORY_SPANS) * DAY_MS;
/** The mix outside the open's burst; the burst is quotes and batches (dashboards loading at the open). */
const MIX: [WorkloadRequest['kind'], number][] = [
  ['quote', 0.45],
  ['history', 0.15],
  ['financials', 0.1],
  ['company', 0.1],
  ['search', 0.1],
  ['batch', 0.1],
];

/** `AAA`, `AAB`, ...: the universe of symbols, most popular first. */
export function symbolUniverse(n: number): string[] {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: n }, (_, i) => {
    const a = letters[Math.floor(i / 676) % 26] ?? 'A';
    const b = letters[Math.floor(i / 26) % 26] ?? 'A';
    const c = letters[i % 26] ?? 'A';
    return `Z${a}${b}${c}`;
  });
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The workload: `tradingDays` sessions from the session of the next market close after `start`, each
 * a burst at the open and the rest spread over the session; symbols drawn Zipf(s) by popularity.
 */
export function buildWorkload(start: number, shape: WorkloadShape = DEFAULT_WORKLOAD): ScheduledRequest[] {
  const random = mulberry32(shape.seed);
  const universe = symbolUniverse(shape.symbols);
  const pickRank = zipfSampler(shape.symbols, shape.zipfS, random);
  const symbol = () => universe[pickRank()] ?? 'IBM';
  const pickFrom = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const make = (kind: WorkloadRequest['kind'], at: number): WorkloadRequest => {
    switch (kind) {
      case 'quote':
        return { kind, symbol: symbol() };
      case 'history': {
        // Charts end today, or page back through the past.
        const to = at - (random() < 0.7 ? 0 : Math.floor(random() * 365) * DAY_MS);
        return {
          kind,
          symbol: symbol(),
          from: isoDate(Math.max(to - pickFrom(HISTORY_SPANS) * DAY_MS, at - HISTORY_SPANS_MAX_MS)),
          to: isoDate(to),
        };
      }
      case 'financials':
        return {
          kind,
          symbol: symbol(),
          statement: pickFrom(STATEMENT_KINDS),
          period: pickFrom(STATEMENT_PERIODS),
        };
      case 'company':
        return { kind, symbol: symbol() };
      case 'search':
        return {
          kind,
          query: symbol()
            .slice(0, 2 + Math.floor(random() * 3))
            .toLowerCase(),
        };
      case 'batch':
        return { kind, symbols: [...new Set(Array.from({ length: 5 + Math.floor(random() * 20) }, symbol))] };
    }
  };
  const kindOf = () => {
    let r = random();
    for (const [kind, share] of MIX) {
      r -= share;
      if (r < 0) return kind;
    }
    return 'quote' as const;
  };

  const schedule: ScheduledRequest[] = [];
  let close = nextMarketClose(new Date(start));
  for (let day = 0; day < shape.tradingDays; day++) {
    const open = close - SESSION_MS;
    const burst = Math.round(shape.requestsPerDay * shape.burstShare);
    for (let i = 0; i < burst; i++) {
      schedule.push({ at: open, burst: true, request: make(random() < 0.8 ? 'quote' : 'batch', open) });
    }
    for (let i = burst; i < shape.requestsPerDay; i++) {
      const at = open + Math.floor(random() * SESSION_MS);
      schedule.push({ at, burst: false, request: make(kindOf(), at) });
    }
    close = nextMarketClose(new Date(close + 1));
  }
  return schedule.sort((a, b) => a.at - b.at);
}
