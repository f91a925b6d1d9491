/**
 * A year of one city-sized fund, made through the ledger's handlers with the daily closing run,
 * kept in a PostgreSQL schema between runs (making it takes minutes); and the first award of a
 * process started on it, measured in a process of its own (`fund-first-award-child.ts`).
 */
import { AwardPointsCommand } from '@ledger/ledger';
import { ADMIN, ledgerProcess, seedLedger, type LedgerProcess } from '@ledger/ledger/testing';
import { openPostgresDatabase } from '@ledger/event-store';
import { SHANGHAI } from '@ledger/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

/** Bump when what the year holds changes: an older kept year is then made anew. */
const YEAR_VERSION = 2;
export const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** Awards are made over this many hours of each day (from 10:00), one book an hour. */
const WORKING_HOURS = 14;
/** The year's first day, 10:00 in Shanghai; day d's awards are made from then on. */
export const YEAR_START = Date.parse('2025-12-05T02:00:00Z');
export const RIDERS = 5_000;
/** Awards in flight at once while the year is made (as many staff at their desks). */
const IN_FLIGHT = 32;

export function yearSchema(awards: number): string {
  return `bench_fund_year_v${YEAR_VERSION}_${awards}`;
}

/** The award a staff member makes at `at` for rider `i`, as the HTTP route would. */
export function awardAt(p: LedgerProcess, i: number, at: number) {
  return p.award.execute(
    new AwardPointsCommand(
      {
        riderId: `r${i % RIDERS}`,
        activity: 'patrol',
        fundId: 'f1',
        reason: '夜间巡逻',
        occurredAt: new Date(at - 60 * 60 * 1000).toISOString(),
      },
      {
        context: { actor: ADMIN, now: new Date(at), timeZone: SHANGHAI },
        correlationId: randomUUID(),
      },
    ),
  );
}

/**
 * `awards` awards on fund `f1` spread over 365 days (a Chengdu-sized year at 454,522) of 14
 * working hours, the fund's books closed after every hour but the last: the open book holds the
 * last hour's awards and the day before carried, as late in a working day. Returns the schema and the instant just after the last award.
 */
export async function fundYear(
  databaseUrl: string,
  awards: number,
): Promise<{ schema: string; lastAt: number }> {
  const schema = yearSchema(awards);
  const perDay = Math.ceil(awards / 365);
  const perHour = Math.ceil(perDay / WORKING_HOURS);
  const hours = Math.ceil(awards / perHour);
  // Just after the last hour's awards, in the last book (still open).
  const lastHour = hours - 1;
  const lastAt =
    YEAR_START +
    Math.floor(lastHour / WORKING_HOURS) * DAY_MS +
    (lastHour % WORKING_HOURS) * HOUR_MS +
    HOUR_MS -
    5 * 60_000;
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const kept = await pool
      .query<{ awards: string }>(`select awards from ${schema}.bench_fund_year`)
      .then((r) => Number(r.rows[0]?.awards ?? -1))
      .catch(() => -1);
    if (kept === awards) return { schema, lastAt };
    await pool.query(`drop schema if exists ${schema} cascade`);
    process.stderr.write(
      `first-award-after-start: making a year of ${awards.toLocaleString('en')} awards on one fund (${perDay} a day over ${WORKING_HOURS} hours, books closed hourly), once; kept in schema ${schema}\n`,
    );
    const { events } = await openPostgresDatabase({
      connectionString: databaseUrl,
      schema,
      poolSize: 8,
    });
    try {
      const p = ledgerProcess(events);
      await seedLedger(p, { riders: RIDERS, budgetPoints: 1e12, pricePoints: 10, stock: 10 });
      const perHour = Math.ceil(perDay / WORKING_HOURS);
      let made = 0;
      for (let hour = 0; made < awards; hour++) {
        const day = Math.floor(hour / WORKING_HOURS);
        const start = YEAR_START + day * DAY_MS + (hour % WORKING_HOURS) * HOUR_MS;
        const now = Math.min(perHour, awards - made);
        let next = 0;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            for (let k = next++; k < now; k = next++) {
              const at = start + Math.floor((k * HOUR_MS) / (perHour + 1));
              const outcome = await awardAt(p, made + k, at);
              if ('code' in outcome) throw new Error(`${outcome.code}: ${outcome.detail}`);
            }
          }),
        );
        made += now;
        // The closing run of the next hour; none after the last: its book stays open.
        if (made < awards) await p.closeFundBooks(new Date(start + HOUR_MS + 60_000));
        if (hour % (30 * WORKING_HOURS) === 30 * WORKING_HOURS - 1)
          process.stderr.write(`  day ${day + 1}: ${made} awards\n`);
      }
    } finally {
      await events.close();
    }
    await pool.query(`create table ${schema}.bench_fund_year (awards bigint not null)`);
    await pool.query(`insert into ${schema}.bench_fund_year values ($1)`, [awards]);
    return { schema, lastAt };
  } finally {
    await pool.end();
  }
}
