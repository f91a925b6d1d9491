import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  ANY,
  NO_STREAM,
  openEmbeddedDatabase,
  openPostgresDatabase,
  type EventStore,
  type NewEvent,
  type SqlClient,
} from '@ledger/event-store';
import { canonicalJson, eventHash, verifyLog } from '@ledger/ledger';
import { ledgerProcess, seedLedger } from '@ledger/ledger/testing';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, round, throughput, throughputRow, type BenchOptions, type Row } from './measure';

export const BENCH_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const WRITERS = 16;

/** A ~300-byte event, like an award. */
function payload(i: number): Record<string, unknown> {
  return {
    riderId: `rider-${i % 1000}`,
    activity: 'patrol',
    points: 20,
    fundId: 'chengdu-2026',
    reason: '夜间巡逻：滨江路至东门大桥一带，协助劝导电动车佩戴头盔',
    occurredAt: '2026-06-14T13:00:00.000Z',
    entryId: randomUUID(),
  };
}

function newEvent(i: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'BenchEvent',
    schemaVersion: 1,
    data: payload(i),
    metadata: { actor: { principalId: 'bench', role: 'admin' } },
  };
}

/** A PostgreSQL schema of its own for the run, dropped after. */
export async function withPostgres<T>(
  work: (db: { store: EventStore; sql: SqlClient; schema: string; pool: Pool }) => Promise<T>,
): Promise<T> {
  const schema = `bench_${Date.now().toString(36)}`;
  const { events, sql } = await openPostgresDatabase({
    connectionString: BENCH_DATABASE_URL,
    schema,
    poolSize: WRITERS,
  });
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: WRITERS });
  try {
    await pool.query(
      `create table ${schema}.raw (id bigint generated always as identity primary key, payload jsonb not null)`,
    );
    return await work({ store: events, sql, schema, pool });
  } finally {
    await pool.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await pool.end();
    await events.close();
  }
}

export async function postgresReachable(): Promise<string | undefined> {
  const pool = new Pool({
    connectionString: BENCH_DATABASE_URL,
    max: 1,
    connectionTimeoutMillis: 2000,
  });
  try {
    const { rows } = await pool.query<{ server_version: string }>('show server_version');
    return rows[0].server_version;
  } catch {
    return undefined;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export async function awardsThroughLedger(store: EventStore) {
  const p = ledgerProcess(store);
  await seedLedger(p, {
    riders: WRITERS,
    budgetPoints: 1_000_000_000_000,
    pricePoints: 10,
    stock: 10,
  });
  return (worker: number) =>
    p.awardPoints(`r${worker}`, 10).then((r) => {
      if ('code' in r) throw new Error(`award refused: ${r.code}`);
    });
}

export async function appendPg(o: BenchOptions): Promise<Row> {
  return withPostgres(async ({ store, schema, pool }) => {
    const award = await awardsThroughLedger(store);
    const result = await compare(
      o.rounds,
      () =>
        throughput(
          (_, i) => pool.query(`insert into ${schema}.raw (payload) values ($1)`, [payload(i)]),
          {
            seconds: o.seconds,
            workers: WRITERS,
          },
        ),
      () => throughput((w) => award(w), { seconds: o.seconds, workers: WRITERS }),
    );
    return throughputRow(
      'append-pg',
      0.5,
      result,
      'ops/s',
      'awards through the ledger (2 appends, hash chain) vs raw single-row INSERTs, 16 at once',
    );
  });
}

export async function appendEmbedded(o: BenchOptions): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
  const { events, sql } = await openEmbeddedDatabase({ dataDir: dir });
  try {
    await sql.exec(
      'create table raw (id bigint generated always as identity primary key, payload jsonb not null)',
    );
    const award = await awardsThroughLedger(events);
    const result = await compare(
      o.rounds,
      () =>
        throughput((_, i) => sql.query('insert into raw (payload) values ($1)', [payload(i)]), {
          seconds: o.seconds,
          workers: WRITERS,
        }),
      () => throughput((w) => award(w), { seconds: o.seconds, workers: WRITERS }),
    );
    return throughputRow(
      'append-embedded',
      0.5,
      result,
      'ops/s',
      'awards through the ledger vs raw PGlite INSERTs',
    );
  } finally {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function batchAppend(o: BenchOptions): Promise<Row> {
  return withPostgres(async ({ store, schema, pool }) => {
    const result = await compare(
      o.rounds,
      () =>
        throughput(
          async (_, i) => {
            const client = await pool.connect();
            try {
              await client.query('begin');
              for (let k = 0; k < 100; k++)
                await client.query(`insert into ${schema}.raw (payload) values ($1)`, [
                  payload(i * 100 + k),
                ]);
              await client.query('commit');
            } finally {
              client.release();
            }
          },
          { seconds: o.seconds, workers: 4 },
        ),
      () =>
        throughput(
          (_, i) =>
            store.append(
              `batch-${randomUUID()}`,
              Array.from({ length: 100 }, (__, k) => newEvent(i * 100 + k)),
              {
                expectedRevision: NO_STREAM,
              },
            ),
          { seconds: o.seconds, workers: 4 },
        ),
    );
    return throughputRow(
      'batch-append',
      0.7,
      result,
      'batches/s',
      '100 events in one append vs 100 INSERTs in one transaction',
    );
  });
}

export async function portAppendPg(o: BenchOptions): Promise<Row> {
  return withPostgres(async ({ store, schema, pool }) => {
    const result = await compare(
      o.rounds,
      () =>
        throughput(
          (_, i) => pool.query(`insert into ${schema}.raw (payload) values ($1)`, [payload(i)]),
          {
            seconds: o.seconds,
            workers: WRITERS,
          },
        ),
      () =>
        throughput((w, i) => store.append(`port-${w}`, [newEvent(i)], { expectedRevision: ANY }), {
          seconds: o.seconds,
          workers: WRITERS,
        }),
    );
    return throughputRow(
      'port-append-pg',
      0.5,
      result,
      'ops/s',
      'one event per append through the port, 16 streams',
    );
  });
}

/**
 * Verifying N chained events read from PostgreSQL vs hashing the same canonical bytes in a tight
 * loop (no reading): what reading and checking cost beyond SHA-256 itself.
 */
export async function verify(o: BenchOptions & { verifyEvents: number }): Promise<Row> {
  return withPostgres(async ({ store }) => {
    const streams = 1000;
    const perStream = Math.ceil(o.verifyEvents / streams);
    const canonical: string[] = [];
    for (let s = 0; s < streams; s++) {
      let previous = '';
      const batch: NewEvent[] = [];
      for (let r = 0; r < perStream; r++) {
        const event = newEvent(s * perStream + r);
        const hash = eventHash({ ...event, streamName: `verify-${s}`, revision: r }, previous);
        previous = hash;
        batch.push({ ...event, metadata: { ...event.metadata, hash } });
        canonical.push(canonicalJson({ ...event, previous }));
      }
      for (let from = 0; from < batch.length; from += 500)
        await store.append(`verify-${s}`, batch.slice(from, from + 500), {
          expectedRevision: from === 0 ? NO_STREAM : from - 1,
        });
    }
    const total = streams * perStream;
    const times = { verify: [] as number[], hash: [] as number[] };
    for (let round = 0; round < o.rounds; round++) {
      let t = Date.now();
      for (const bytes of canonical) createHash('sha256').update(bytes).digest('hex');
      times.hash.push((Date.now() - t) / 1000);
      t = Date.now();
      const result = await verifyLog(store);
      if (!result.ok || result.eventsChecked !== total)
        throw new Error(`verify: ${JSON.stringify(result)}`);
      times.verify.push((Date.now() - t) / 1000);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const value = round(total / mid(times.verify));
    const baseline = round(total / mid(times.hash));
    return {
      name: 'verify',
      value,
      unit: 'events/s',
      baseline,
      ratio: round(value / baseline, 3),
      target: 0.1,
      notes: `${total} events in ${streams} streams on PostgreSQL; verify ${round(mid(times.verify), 2)} s`,
    };
  });
}
