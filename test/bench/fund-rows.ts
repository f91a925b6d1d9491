import { fundDecider, isDomainError, openingOf, type FundState } from '@ledger/domain';
import { serialize } from 'node:v8';
import { heapKeptBy, reservedAward } from './domain-state';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fundYear } from './fund-year';
import { median, round, type BenchOptions, type Row } from './measure';
import { BENCH_DATABASE_URL } from './store-rows';

/** A Chengdu-sized fund's day: 454,522 awards a year (docs/benchmarks.md, the city log). */
const AWARDS_PER_DAY = Math.round(454_522 / 365);
/** …over 14 working hours, one book an hour. */
const AWARDS_PER_HOUR = Math.round(AWARDS_PER_DAY / 14);
/** issue 14: the open book's state after 1,000,000 awards, flat (independent of the count). */
const COUNTS = [10_000, 100_000, 1_000_000];

/** Parsed from JSON, as events read from the store are. */
const parsed = <E>(event: E): E => JSON.parse(JSON.stringify(event)) as E;

/**
 * The state a process holds for a fund after `n` awards: with `books`, closed every
 * AWARDS_PER_HOUR awards as the hourly closing run does, so what is held is the open book (its
 * hour, and the day before carried for retries); without, the whole fund in one stream.
 */
function foldFund(n: number, books: boolean): FundState {
  let state = fundDecider.evolve(fundDecider.initialState(), {
    type: 'FundCreated',
    data: { fundId: 'jiangjin-2026', name: 'f', district: 'd', budgetPoints: 1e12 },
  });
  for (let i = 0; i < n; i++) {
    state = fundDecider.evolve(state, reservedAward(i));
    if (!books || (i + 1) % AWARDS_PER_HOUR !== 0) continue;
    // Hourly books, a Chengdu-sized day's awards spread over 14 working hours; everything older
    // than a day was credited by then (the log says so), the rest is carried for retries.
    const hour = (i + 1) / AWARDS_PER_HOUR;
    const bookAt = (h: number) =>
      new Date(Date.UTC(2026, 0, 1) + Math.floor(h / 14) * 86_400_000 + (h % 14) * 3_600_000)
        .toISOString()
        .slice(0, 13);
    const settled = new Set(
      [...state.reservations].filter(([, r]) => r.book !== undefined).map(([entryId]) => entryId),
    );
    const closing = fundDecider.decide(
      {
        type: 'CloseBook',
        fundId: 'jiangjin-2026',
        next: bookAt(hour),
        keepSince: bookAt(hour - 14),
        settled,
      },
      state,
    );
    const event = isDomainError(closing) ? undefined : closing[0];
    if (event?.type !== 'FundBookClosed') throw new Error('the book did not close');
    state = fundDecider.evolve(fundDecider.initialState(), parsed(openingOf(event)));
  }
  return state;
}

/**
 * fund-memory: the fund state a process holds after 10k, 100k and 1M awards, in books closed
 * hourly at a Chengdu-sized day's rate; the baseline is the same fund without books at 100k.
 * Measured as the state's size serialised (`v8.serialize`: exact and repeatable, where a heap
 * difference of a few hundred KB drowns in the collector's noise); the heap kept is in the notes.
 * Ratio = state at 10k ÷ state at 1M (1 when flat; the target is flat, so ≥ 0.8 counts as met).
 */
export function fundMemory(): Promise<Row> {
  const mb = (bytes: number) => Math.round(bytes / 1e4) / 100;
  const inBooks = COUNTS.map((n) => serialize(foldFund(n, true)).length);
  const heap = COUNTS.map((n) => heapKeptBy(() => foldFund(n, true)));
  const unbooked = serialize(foldFund(100_000, false)).length;
  const unbookedHeap = heapKeptBy(() => foldFund(100_000, false));
  const [small, , large] = inBooks;
  return Promise.resolve({
    name: 'fund-memory',
    value: mb(large),
    unit: 'MB serialised (open book after 1M awards)',
    baseline: mb(unbooked),
    ratio: Math.round((small / large) * 1000) / 1000,
    target: 0.8,
    notes: `hourly books, ${AWARDS_PER_HOUR} awards an hour (a Chengdu-sized day of ${AWARDS_PER_DAY} over 14 hours), a day's carried: ${COUNTS.map((n, i) => `${n.toLocaleString('en')} awards → ${mb(inBooks[i])} MB (heap kept ${mb(heap[i])} MB)`).join(', ')}; baseline = one stream, no books, 100,000 awards → ${mb(unbooked)} MB (heap kept ${mb(unbookedHeap)} MB; ×10 at 1M); ratio = state at 10k ÷ state at 1M (flat = 1)`,
  });
}

/** A Chengdu-sized year on one fund (issue 14: 454,522 awards). */
const YEAR_AWARDS = 454_522;
/** issue 14: the first award after a start on a year-sized log, at most this. */
const FIRST_AWARD_TARGET_MS = 50;

interface FirstAward {
  ms: number;
  book: string;
  bookEvents: number;
  reservations: number;
  stateBytes: number;
}

function firstAwardInChild(schema: string, at: number): Promise<FirstAward> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(__dirname, 'fund-first-award-child.js')],
      {
        env: {
          ...process.env,
          DATABASE_URL: BENCH_DATABASE_URL,
          BENCH_YEAR_SCHEMA: schema,
          BENCH_AT: String(at),
        },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(JSON.parse(stdout) as FirstAward),
    ),
  );
}

/**
 * first-award-after-start: a process started on a year of one fund's awards (books closed hourly) makes
 * one award; measured in a fresh process each round (the median is reported), against the
 * target of 50 ms. The same in a fresh process on a ledger with no awards is the floor (a
 * start's first statements), given in the notes. Each round awards a new entry at a later time
 * of the last day, so the year grows by a few awards per run, in the open book.
 */
export async function fundFirstAward(options: BenchOptions): Promise<Row> {
  const year = await fundYear(BENCH_DATABASE_URL, YEAR_AWARDS);
  const empty = await fundYear(BENCH_DATABASE_URL, 1);
  const rounds: FirstAward[] = [];
  const floors: FirstAward[] = [];
  for (let round = 0; round < Math.max(3, options.rounds); round++) {
    const at = Date.now() % 60_000; // a different moment of the hour after the last award
    rounds.push(await firstAwardInChild(year.schema, year.lastAt + 60_000 + at));
    floors.push(await firstAwardInChild(empty.schema, empty.lastAt + 60_000 + at));
  }
  const ms = median(rounds.map((r) => r.ms));
  const floor = median(floors.map((r) => r.ms));
  const last = rounds[rounds.length - 1];
  return {
    name: 'first-award-after-start',
    value: round(ms),
    unit: 'ms (first award after a start)',
    baseline: FIRST_AWARD_TARGET_MS,
    ratio: round(FIRST_AWARD_TARGET_MS / ms, 3),
    target: 1,
    notes: `PostgreSQL, ${YEAR_AWARDS.toLocaleString('en')} awards on one fund over 365 days, books closed hourly; open book ${last.book}: ${last.bookEvents} events, ${last.reservations} reservations held, state ${round(last.stateBytes / 1e6, 2)} MB serialised (target ≤ 1 MB); rounds ${rounds.map((r) => round(r.ms)).join(' / ')} ms, median; the same first award on a ledger with no awards: ${round(floor)} ms; ratio = 50 ms ÷ value`,
  };
}
