import {
  fundDecider,
  isDomainError,
  openingOf,
  type FundEvent,
  type FundState,
} from '@ledger/domain';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Row } from './measure';

/** A Chengdu-sized fund's day: 454,522 awards a year (docs/benchmarks.md, the city log). */
const AWARDS_PER_DAY = Math.round(454_522 / 365);
/** issue 14: the open book's state after 1,000,000 awards, flat (independent of the count). */
const COUNTS = [10_000, 100_000, 1_000_000];

/** Parsed from JSON, as events read from the store are: every string a copy of its own. */
const parsed = <E>(event: E): E => JSON.parse(JSON.stringify(event)) as E;
const entry = (i: number) => `${(1e12 + i * 7919).toString(36)}-4a5b-8c6d-0f3a9c2b7d1e`;
const rider = (i: number) => `jj-r${String(i % 75_000).padStart(5, '0')}`;

function reserved(i: number): FundEvent {
  return parsed<FundEvent>({
    type: 'FundPointsReserved',
    data: {
      fundId: 'jiangjin-2026',
      entryId: entry(i),
      riderId: rider(i),
      points: 20,
      award: {
        activity: 'patrol',
        ruleVersion: 1,
        reason: '志愿服务',
        occurredAt: '2026-06-14T13:00:00.000Z',
      },
    },
  });
}

/**
 * The state a process holds for a fund after `n` awards: with `books`, closed every
 * AWARDS_PER_DAY awards as the daily closing run does (every carried reservation credited by
 * then), so what is held is the open book; without, the whole fund in one stream (before books).
 */
function foldFund(n: number, books: boolean): FundState {
  let state = fundDecider.evolve(fundDecider.initialState(), {
    type: 'FundCreated',
    data: { fundId: 'jiangjin-2026', name: 'f', district: 'd', budgetPoints: 1e12 },
  });
  for (let i = 0; i < n; i++) {
    state = fundDecider.evolve(state, reserved(i));
    if (!books || (i + 1) % AWARDS_PER_DAY !== 0) continue;
    const settled = new Set(
      [...state.reservations].filter(([, r]) => r.carried).map(([entryId]) => entryId),
    );
    const day = new Date(Date.UTC(2026, 0, 1) + ((i + 1) / AWARDS_PER_DAY) * 86_400_000);
    const next = day.toISOString().slice(0, 10);
    const closing = fundDecider.decide(
      { type: 'CloseBook', fundId: 'jiangjin-2026', next, settled },
      state,
    );
    const event = isDomainError(closing) ? undefined : closing[0];
    if (event?.type !== 'FundBookClosed') throw new Error('the book did not close');
    state = fundDecider.evolve(fundDecider.initialState(), parsed(openingOf(event)));
  }
  return state;
}

/** Heap kept by what `fold` returns, after full collections before and after. */
function weigh(fold: () => unknown): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fold();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  void kept; // held until weighed
  return Math.max(0, bytes);
}

/**
 * fund-memory: the fund state a process holds after 10k, 100k and 1M awards, in books closed
 * daily at a Chengdu-sized day's count; the baseline is the same fund without books at 100k.
 * Ratio = state at 10k ÷ state at 1M (1 when flat; the target is flat, so ≥ 0.8 counts as met).
 */
export function fundMemory(): Promise<Row> {
  const mb = (bytes: number) => Math.round(bytes / 1e4) / 100;
  const inBooks = COUNTS.map((n) => weigh(() => foldFund(n, true)));
  const unbooked = weigh(() => foldFund(100_000, false));
  const [small, , large] = inBooks;
  return Promise.resolve({
    name: 'fund-memory',
    value: mb(large),
    unit: 'MB (open book after 1M awards)',
    baseline: mb(unbooked),
    ratio: Math.round((small / large) * 1000) / 1000,
    target: 0.8,
    notes: `books closed every ${AWARDS_PER_DAY} awards (a Chengdu-sized day): ${COUNTS.map((n, i) => `${n.toLocaleString('en')} awards → ${mb(inBooks[i])} MB`).join(', ')}; baseline = one stream, no books, 100,000 awards → ${mb(unbooked)} MB (×10 at 1M); ratio = state at 10k ÷ state at 1M (flat = 1)`,
  });
}
